using ArtBot.Domain.Billing;

namespace ArtBot.Storage;

/// <summary>
/// The ledger inside a transaction the caller holds (under the gate), so a job's state change and
/// its credits are one commit. LiteDB answers at once: every call completes synchronously, and
/// <see cref="Run{T}"/> takes a procedure's result inside the gate without awaiting. Every entry
/// passes <see cref="LedgerEntry.Validate"/> first.
/// </summary>
internal sealed class LiteLedgerTransaction(ArtBotDatabase database) : ILedgerTransaction
{
    public Task<long> BalanceAsync(string platform, long userId) => Task.FromResult(Balance(database, platform, userId));

    public Task<LedgerEntry?> FindAsync(string key) => Task.FromResult(Find(database, key));

    public Task<bool> PostAsync(LedgerEntry entry) => Task.FromResult(Post(database, entry));

    /// <summary>A domain procedure over this port, which never waits: its result, on this thread.</summary>
    public static T Run<T>(Task<T> procedure) =>
        procedure.IsCompleted ? procedure.GetAwaiter().GetResult() : throw new InvalidOperationException("a ledger procedure waited inside the LiteDB gate");

    /// <returns>False when the key was posted before (nothing written).</returns>
    public static bool Post(ArtBotDatabase database, LedgerEntry entry)
    {
        entry.Validate();
        if (Find(database, entry.Key) != null) return false;
        database.Ledger.Insert(entry);
        return true;
    }

    public static LedgerEntry? Find(ArtBotDatabase database, string key) => database.Ledger.FindOne(e => e.Key == key);

    public static long Balance(ArtBotDatabase database, string platform, long userId) =>
        database.Ledger.Find(e => e.UserId == userId && e.Platform == platform).Sum(e => e.Amount);
}
