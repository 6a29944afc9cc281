using ArtBot.Domain.Bot;

namespace ArtBot.Storage;

public sealed class LiteUserStore(ArtBotDatabase database) : IUserStore
{
    public Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(database.Users.Count());
    }

    public Task<UserProfile?> FindAsync(string platform, long userId, CancellationToken cancellationToken = default)
    {
        var key = UserProfile.KeyOf(platform, userId);
        lock (database.Gate)
        {
            var user = database.Users.FindById(key);
            if (user != null) user.Banned = database.Bans.FindById(key)?.Banned == true;
            return Task.FromResult<UserProfile?>(user);
        }
    }

    public Task SaveAsync(UserProfile user, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) database.Users.Upsert(user);
        return Task.CompletedTask;
    }

    public Task SetBannedAsync(string platform, long userId, bool banned, CancellationToken cancellationToken = default)
    {
        var key = UserProfile.KeyOf(platform, userId);
        database.InTransaction(() =>
        {
            database.Bans.Upsert(new Ban { Id = key, Banned = banned });
            if (database.Users.FindById(key) is { } user)
            {
                user.BanNoticeSent = false;
                database.Users.Update(user);
            }
            return true;
        });
        return Task.CompletedTask;
    }

    public Task<bool> IsBannedAsync(string platform, long userId, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(database.Bans.FindById(UserProfile.KeyOf(platform, userId))?.Banned == true);
    }

    public Task DeleteAsync(string platform, long userId, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) database.Users.Delete(UserProfile.KeyOf(platform, userId));
        return Task.CompletedTask;
    }
}
