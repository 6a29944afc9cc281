using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;

namespace ArtBot.Storage.Tests;

/// <summary>The ledger and the bookings beside it, on a real LiteDB file.</summary>
public sealed class LiteLedgerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly QueuePolicy Policy = new(new QueuePolicyOptions(), new NightWindow(new TimeOnly(1, 0), new TimeOnly(7, 0), TimeZoneInfo.Utc));
    private readonly string folder = Directory.CreateTempSubdirectory("artbot-ledger-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string DbPath => Path.Combine(folder, "artbot.db");

    private static LedgerEntry Entry(string key, LedgerKind kind, long amount, long? job = null) =>
        new() { Key = key, Platform = "vk", UserId = 5, Kind = kind, Amount = amount, JobId = job, At = Now };

    private static Job PaidJob() => new()
    {
        Platform = "vk", UserId = 5, ChatId = 5, Kind = JobKind.Stylize, Paid = true, Tier = Tier.Hd, Class = JobClass.Heavy,
        Rank = QueuePolicy.RankOf(true, JobClass.Heavy), ContentImage = "img/x", CreatedAt = Now,
    };

    /// <summary>A day of bookkeeping: a purchase, a promo, two paid jobs (one delivered, one failed).</summary>
    private static async Task DayAsync(LiteLedger ledger, LiteJobQueue queue, bool book)
    {
        await ledger.PostAsync(Entry("payment:telegram:c1", LedgerKind.Purchase, 120));
        await ledger.PostAsync(Entry("promo:GIFT:vk:5", LedgerKind.Promo, 20));
        if (book)
        {
            Assert.NotNull(await queue.BookAsync(PaidJob(), 25));
            Assert.NotNull(await queue.BookAsync(PaidJob(), 10));
            var delivered = (await queue.ClaimAsync(Policy, Now, TimeSpan.FromMinutes(5)))!;
            await queue.FinishAndDeliverAsync(delivered, Now);
        }
        // A replay after a restart: the second delivery and the end find the jobs over already.
        var first = (await queue.GetAsync(1))!;
        if (first.Attempt is { } attempt) await queue.UpdateAsync(1, Now, j => j.Deliver(attempt, Now));
        await queue.UpdateAsync(2, Now, j => j.EndWithoutResult(null, JobState.Failed, "broken", Now));
    }

    [Fact]
    public async Task Replaying_every_posting_after_a_restart_changes_nothing()
    {
        using (var database = new ArtBotDatabase(DbPath))
            await DayAsync(new LiteLedger(database), new LiteJobQueue(database), book: true);
        using (var database = new ArtBotDatabase(DbPath))
        {
            var ledger = new LiteLedger(database);
            var before = await ledger.EntriesAsync("vk", 5);
            await DayAsync(ledger, new LiteJobQueue(database), book: false);
            await DayAsync(ledger, new LiteJobQueue(database), book: false);
            var after = await ledger.EntriesAsync("vk", 5);
            Assert.Equal(before.Select(e => e.Key), after.Select(e => e.Key));
            Assert.Equal(115, await ledger.BalanceAsync("vk", 5));
            Assert.Equal(after.Sum(e => e.Amount), await ledger.BalanceAsync("vk", 5));
            Assert.Equal(0, await ledger.HeldAsync("vk", 5));
            Assert.Equal(120, await ledger.CreditsSoldAsync());
        }
    }

    [Fact]
    public async Task A_booking_needs_the_balance_and_stores_the_job_and_its_reservation_together()
    {
        using var database = new ArtBotDatabase(DbPath);
        var ledger = new LiteLedger(database);
        var queue = new LiteJobQueue(database);
        await ledger.PostAsync(Entry("grant", LedgerKind.AdminGrant, 30));
        Assert.Null(await queue.BookAsync(PaidJob(), 31));
        Assert.Equal(0, await queue.QueuedCountAsync());           // nothing stored: no job without its credits
        Assert.Null(await ledger.FindAsync(LedgerEntry.ReserveKey(1)));

        var job = (await queue.BookAsync(PaidJob(), 30))!;
        Assert.Equal(-30, (await ledger.FindAsync(LedgerEntry.ReserveKey(job.Id)))!.Amount);
        Assert.Equal(30, await ledger.HeldAsync("vk", 5));
        Assert.Null(await queue.BookAsync(PaidJob(), 1));         // the held credits are spent
        Assert.Throws<ArgumentException>(() => PaidJob().Book(0, announceFirst: false));
        Assert.Throws<ArgumentException>(() => PaidJob().Book(-100000, announceFirst: false));

        // Cancelled in the queue: returned in the same step, and only once.
        var cancelled = await queue.UpdateAsync(job.Id, Now, j => j.RequestCancel(Now));
        Assert.Equal((JobState.Cancelled, new Settlement(30, 0)), (cancelled.Job.State, cancelled.Settlement));
        Assert.False((await queue.UpdateAsync(job.Id, Now, j => j.RequestCancel(Now))).Applied);
        Assert.False((await queue.UpdateAsync(job.Id, Now, j => j.Settle())).Applied);
        Assert.Equal(30, await ledger.BalanceAsync("vk", 5));
    }

    [Theory]
    [InlineData(LedgerKind.Reserve, 100000L, 9L)]      // a "reservation" that pays the user
    [InlineData(LedgerKind.Charge, 5L, 9L)]
    [InlineData(LedgerKind.Release, -5L, 9L)]
    [InlineData(LedgerKind.Purchase, -50L, null)]
    [InlineData(LedgerKind.Promo, 0L, null)]
    [InlineData(LedgerKind.Refund, 50L, null)]
    [InlineData(LedgerKind.AdminGrant, 0L, null)]
    [InlineData(LedgerKind.AdminGrant, 50_000_000L, null)]
    [InlineData(LedgerKind.Reserve, -10L, null)]       // a reservation of no job
    public async Task The_ledger_refuses_entries_that_break_its_rules(LedgerKind kind, long amount, long? job)
    {
        using var database = new ArtBotDatabase(DbPath);
        var ledger = new LiteLedger(database);
        await Assert.ThrowsAsync<LedgerRuleException>(() => ledger.PostAsync(Entry("bad", kind, amount, job)));
        Assert.Empty(await ledger.EntriesAsync("vk", 5));
        Assert.Equal(0, await ledger.BalanceAsync("vk", 5));
    }

    [Fact]
    public async Task A_stopped_picture_is_charged_for_the_share_of_work_done()
    {
        using var database = new ArtBotDatabase(DbPath);
        var ledger = new LiteLedger(database);
        var queue = new LiteJobQueue(database);
        await ledger.PostAsync(Entry("grant", LedgerKind.AdminGrant, 100));
        await queue.BookAsync(PaidJob(), 25);
        var job = (await queue.ClaimAsync(Policy, Now, TimeSpan.FromMinutes(5)))!;
        Assert.Equal(new Settlement(25, 10), (await queue.FinishAndDeliverAsync(job, Now, stopped: true, new WorkDone(40, 100, 0.4))).Settlement);
        Assert.Equal(90, await ledger.BalanceAsync("vk", 5));
        Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], (await ledger.EntriesAsync("vk", 5)).Select(e => e.Kind));
    }

    [Fact]
    public void A_second_opener_of_the_same_file_is_refused_naming_it()
    {
        using var first = new ArtBotDatabase(DbPath);
        var refused = Assert.Throws<DatabaseInUseException>(() => new ArtBotDatabase(DbPath));
        Assert.Contains(DbPath, refused.Message);
        first.Dispose();
        using var again = new ArtBotDatabase(DbPath);   // released with its holder
    }
}
