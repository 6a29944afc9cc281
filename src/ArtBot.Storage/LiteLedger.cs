using ArtBot.Domain.Billing;

namespace ArtBot.Storage;

/// <summary>The ledger in the LiteDB file; each method runs under the database gate, so its check and its writes are one step.</summary>
public sealed class LiteLedger(ArtBotDatabase database) : ILedger
{
    public Task<bool> PostAsync(LedgerEntry entry, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(Post(entry));
    }

    // Reservations, charges and releases are written with the job's state (LiteJobQueue), never alone.

    public Task<long> BalanceAsync(string platform, long userId, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(Balance(platform, userId));
    }

    public Task<long> HeldAsync(string platform, long userId, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var entries = Of(platform, userId).ToList();
            var released = entries.Where(e => e.Kind == LedgerKind.Release).Select(e => e.JobId).ToHashSet();
            return Task.FromResult(-entries.Where(e => e.Kind == LedgerKind.Reserve && !released.Contains(e.JobId)).Sum(e => e.Amount));
        }
    }

    public Task<LedgerEntry?> FindAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(Find(key));
    }

    public Task<IReadOnlyList<LedgerEntry>> EntriesAsync(string platform, long userId, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult<IReadOnlyList<LedgerEntry>>(Of(platform, userId).OrderBy(e => e.Id).ToList());
    }

    public Task<bool> CreatePromoAsync(PromoCode promo, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            promo.Id = promo.Id.ToUpperInvariant();
            return Task.FromResult(database.Promos.FindById(promo.Id) == null && database.Promos.Insert(promo) != null);
        }
    }

    public Task<(PromoOutcome Outcome, long Credits)> RedeemAsync(string code, string platform, long userId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var promo = database.Promos.FindById(code.Trim().ToUpperInvariant());
            if (promo == null) return Task.FromResult((PromoOutcome.Unknown, 0L));
            var key = $"promo:{promo.Id}:{platform}:{userId}";
            if (Find(key) != null) return Task.FromResult((PromoOutcome.AlreadyRedeemed, 0L));
            if (!promo.AllowedOn(platform)) return Task.FromResult((PromoOutcome.NotHere, 0L));
            if (at >= promo.ExpiresAt) return Task.FromResult((PromoOutcome.Expired, 0L));
            if (promo.Uses >= promo.MaxUses) return Task.FromResult((PromoOutcome.UsedUp, 0L));
            database.InTransaction(() =>
            {
                promo.Uses++;
                database.Promos.Update(promo);
                return Post(new LedgerEntry { Key = key, Platform = platform, UserId = userId, Kind = LedgerKind.Promo, Amount = promo.Credits, At = at, Note = promo.Id });
            });
            return Task.FromResult((PromoOutcome.Redeemed, promo.Credits));
        }
    }

    public Task<long> CreditsSoldAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
            return Task.FromResult(database.Ledger.Find(e => e.Kind == LedgerKind.Purchase || e.Kind == LedgerKind.Refund).Sum(e => e.Amount));
    }

    public Task AuditAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) database.Audit.Insert(entry);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> AuditLogAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult<IReadOnlyList<AuditEntry>>(database.Audit.FindAll().OrderBy(a => a.Id).ToList());
    }

    private bool Post(LedgerEntry entry) => LiteLedgerTransaction.Post(database, entry);

    private LedgerEntry? Find(string key) => LiteLedgerTransaction.Find(database, key);

    private IEnumerable<LedgerEntry> Of(string platform, long userId) => database.Ledger.Find(e => e.UserId == userId && e.Platform == platform);

    private long Balance(string platform, long userId) => LiteLedgerTransaction.Balance(database, platform, userId);
}
