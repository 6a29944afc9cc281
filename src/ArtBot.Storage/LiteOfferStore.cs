using ArtBot.Domain.Bot;

namespace ArtBot.Storage;

/// <summary>The offers of sent keyboards, until they expire (deleted with the images they point at).</summary>
public sealed class LiteOfferStore(ArtBotDatabase database) : IOfferStore
{
    public Task SaveAsync(OfferMenu menu, CancellationToken cancellationToken = default)
    {
        database.InTransaction(() =>
        {
            if (menu.OneShot)
                foreach (var older in database.Offers.Find(m => m.UserId == menu.UserId && m.OneShot && !m.Used).Where(m => m.Platform == menu.Platform).ToList())
                {
                    older.Used = true;
                    database.Offers.Update(older);
                }
            database.Offers.Insert(menu);
            return true;
        });
        return Task.CompletedTask;
    }

    public Task<OfferMenu?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult<OfferMenu?>(database.Offers.FindById(id));
    }

    public Task<bool> UseAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var menu = database.Offers.FindById(id);
            if (menu is not { Used: false }) return Task.FromResult(false);
            menu.Used = true;
            return Task.FromResult(database.Offers.Update(menu));
        }
    }

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(database.Offers.DeleteMany(m => m.ExpiresAt <= now));
    }

    public Task<int> DeleteUserAsync(string platform, long userId, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(database.Offers.DeleteMany(m => m.UserId == userId && m.Platform == platform));
    }
}
