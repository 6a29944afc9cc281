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
        lock (database.Gate) return Task.FromResult<UserProfile?>(database.Users.FindById(UserProfile.KeyOf(platform, userId)));
    }

    public Task SaveAsync(UserProfile user, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) database.Users.Upsert(user);
        return Task.CompletedTask;
    }
}
