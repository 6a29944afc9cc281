using ArtBot.Domain.Billing;

namespace ArtBot.Storage.Tests;

public sealed class LiteLedgerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly string folder = Directory.CreateTempSubdirectory("artbot-ledger-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static LedgerEntry Entry(string key, LedgerKind kind, long amount, long? job = null) =>
        new() { Key = key, Platform = "vk", UserId = 5, Kind = kind, Amount = amount, JobId = job, At = Now };

    /// <summary>A day of bookkeeping: a purchase, a promo, two paid jobs (one delivered, one failed).</summary>
    private static async Task DayAsync(LiteLedger ledger)
    {
        await ledger.PostAsync(Entry("payment:telegram:c1", LedgerKind.Purchase, 120));
        await ledger.PostAsync(Entry("promo:GIFT:vk:5", LedgerKind.Promo, 20));
        await ledger.ReserveAsync(Entry(LedgerEntry.ReserveKey(1), LedgerKind.Reserve, -25, 1));
        await ledger.ReserveAsync(Entry(LedgerEntry.ReserveKey(2), LedgerKind.Reserve, -10, 2));
        await ledger.SettleAsync(1, charge: true, Now);
        await ledger.SettleAsync(2, charge: false, Now);
    }

    [Fact]
    public async Task Replaying_every_posting_after_a_restart_changes_nothing()
    {
        var path = Path.Combine(folder, "artbot.db");
        using (var database = new ArtBotDatabase(path))
            await DayAsync(new LiteLedger(database));
        using (var database = new ArtBotDatabase(path))
        {
            var ledger = new LiteLedger(database);
            var before = await ledger.EntriesAsync("vk", 5);
            await DayAsync(ledger);
            await DayAsync(ledger);
            var after = await ledger.EntriesAsync("vk", 5);
            Assert.Equal(before.Select(e => e.Key), after.Select(e => e.Key));
            Assert.Equal(115, await ledger.BalanceAsync("vk", 5));
            Assert.Equal(after.Sum(e => e.Amount), await ledger.BalanceAsync("vk", 5));
            Assert.Equal(0, await ledger.HeldAsync("vk", 5));
            Assert.Equal(120, await ledger.CreditsSoldAsync());
        }
    }

    [Fact]
    public async Task A_reservation_needs_the_balance_and_a_settled_job_stays_settled()
    {
        using var database = new ArtBotDatabase(Path.Combine(folder, "artbot.db"));
        var ledger = new LiteLedger(database);
        await ledger.PostAsync(Entry("grant", LedgerKind.AdminGrant, 30));
        Assert.False(await ledger.ReserveAsync(Entry(LedgerEntry.ReserveKey(7), LedgerKind.Reserve, -31, 7)));
        Assert.True(await ledger.ReserveAsync(Entry(LedgerEntry.ReserveKey(7), LedgerKind.Reserve, -30, 7)));
        Assert.Equal(30, await ledger.HeldAsync("vk", 5));
        Assert.Equal(30, await ledger.SettleAsync(7, charge: false, Now));
        // A late "delivered" after the job failed for good must not charge.
        Assert.Null(await ledger.SettleAsync(7, charge: true, Now));
        Assert.Equal(30, await ledger.BalanceAsync("vk", 5));
        Assert.Null(await ledger.SettleAsync(8, charge: true, Now));
    }
}
