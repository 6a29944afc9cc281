using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;

namespace ArtBot.Storage;

/// <summary>
/// The ledger's writes, for use inside a transaction the caller holds (under the gate), so a
/// job's state change and its credits are one commit. Every entry passes
/// <see cref="LedgerEntry.Validate"/> first.
/// </summary>
internal static class LedgerBook
{
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

    /// <summary>Ends a job's reservation by <see cref="Settlement.For"/> and marks the job settled; null when none was open.</summary>
    public static Settlement? Settle(ArtBotDatabase database, Job job, DateTimeOffset at)
    {
        job.Settled = true;
        var reserved = Find(database, LedgerEntry.ReserveKey(job.Id));
        if (reserved == null || Find(database, LedgerEntry.ReleaseKey(job.Id)) != null) return null;
        var settlement = Settlement.For(job, -reserved.Amount);
        foreach (var entry in LedgerEntry.Settling(reserved, settlement, at)) Post(database, entry);
        return settlement;
    }
}
