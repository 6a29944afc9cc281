using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Gallery;
using ArtBot.Domain.Queue;
using ArtBot.Storage.Postgres;

namespace ArtBot.Storage.Tests;

/// <summary>The stores of one provider, fresh for each test.</summary>
public sealed record Stores(IJobQueue Queue, ILedger Ledger, IUserStore Users, ICursorStore Cursors, IOfferStore Offers, IImageStore Images, ISecretStore Secrets,
    IGalleryStore Gallery);

/// <summary>
/// What every storage provider must do, written once: the queue's order and claims, booking and
/// settling with the ledger, promo codes, users and bans, offers, images, cursors, keys. Each
/// provider runs it against a real store (a LiteDB file; a PostgreSQL schema).
/// </summary>
public abstract class StoreContract : IDisposable
{
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
    protected static readonly DateTimeOffset Day = new(2026, 11, 22, 11, 0, 0, TimeSpan.Zero);        // 14:00 Moscow
    protected static readonly DateTimeOffset InTheNight = new(2026, 11, 22, 23, 30, 0, TimeSpan.Zero); // 02:30 Moscow
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    protected abstract Stores Open();

    public abstract void Dispose();

    private Stores? stores;

    private Stores S => stores ??= Open();

    private static QueuePolicy Policy(bool idleServesHeavy = false) =>
        new(new QueuePolicyOptions { IdleCapacityServesHeavyByDay = idleServesHeavy }, new NightWindow(new TimeOnly(1, 0), new TimeOnly(7, 0), Moscow));

    private static Job NewJob(long user, bool paid, JobClass jobClass, JobKind kind = JobKind.Preset) => new()
    {
        Platform = "telegram", UserId = user, ChatId = user, Kind = kind, Paid = paid, Tier = paid ? Tier.Premium : Tier.Free,
        Class = jobClass, Rank = QueuePolicy.RankOf(paid, jobClass), ContentImage = "img/x", CreatedAt = Day,
    };

    private Task Grant(long user, long credits) =>
        S.Ledger.PostAsync(new LedgerEntry { Key = $"grant:{Guid.NewGuid():N}", Platform = "telegram", UserId = user, Kind = LedgerKind.AdminGrant, Amount = credits, At = Day });

    private async Task<Job> Book(long user, bool paid, JobClass jobClass, long price = 10, JobKind kind = JobKind.Preset)
    {
        if (paid) await Grant(user, price);
        return (await S.Queue.BookAsync(NewJob(user, paid, jobClass, kind), paid ? price : 0))!;
    }

    private Task<Job?> Claim(DateTimeOffset? now = null) => S.Queue.ClaimAsync(Policy(), now ?? Day, Lease);

    [Fact]
    public async Task Recent_results_are_a_users_own_pictures_newest_first()
    {
        async Task<Job> Finished(long user, JobKind kind, JobState state, bool withResult = true)
        {
            await S.Queue.BookAsync(NewJob(user, false, JobClass.Light, kind));
            var job = (await Claim())!;
            var ended = state switch
            {
                JobState.Failed => await S.Queue.ByAttemptAsync(job, Day, (j, a) => j.EndWithoutResult(a, JobState.Failed, "broken", Day)),
                JobState.Cancelled when !withResult => await S.Queue.ByAttemptAsync(job, Day, (j, a) => j.EndWithoutResult(a, JobState.Cancelled, "before its first step", Day)),
                _ => await S.Queue.ByAttemptAsync(job, Day, (j, a) => j.Finish(a, $"img/{job.Id}", state == JobState.Cancelled, new WorkDone(1, 2, 0.5), TimeSpan.FromSeconds(1), Day)),
            };
            Assert.Equal(state, ended.Job.State);
            return ended.Job;
        }
        var pictures = new List<long>();
        for (var i = 0; i < 12; i++) pictures.Add((await Finished(7, i % 3 == 0 ? JobKind.Stylize : JobKind.Preset, JobState.Done)).Id);
        var stopped = await Finished(7, JobKind.Dream, JobState.Cancelled);              // stopped with its best picture: kept
        await Finished(7, JobKind.Gallery, JobState.Done);                                // a preview sheet: not a picture
        await Finished(7, JobKind.Preset, JobState.Failed, withResult: false);
        await Finished(7, JobKind.Dream, JobState.Cancelled, withResult: false);          // stopped before its first step
        await Finished(8, JobKind.Preset, JobState.Done);                                 // someone else's
        await S.Queue.BookAsync(NewJob(7, false, JobClass.Light));                        // still queued

        var recent = await S.Queue.RecentResultsAsync("telegram", 7, 10);
        Assert.Equal(new[] { stopped.Id }.Concat(pictures.AsEnumerable().Reverse().Take(9)), recent.Select(j => j.Id));
        Assert.Empty(await S.Queue.RecentResultsAsync("vk", 7, 10));
    }

    [Fact]
    public async Task Claims_follow_the_policy_order_paid_light_heavy_fifo()
    {
        var freeLight1 = await Book(1, false, JobClass.Light);
        var freeHeavy = await Book(2, false, JobClass.Heavy);
        var paidHeavy = await Book(3, true, JobClass.Heavy);
        var freeLight2 = await Book(4, false, JobClass.Light);
        var paidLight = await Book(5, true, JobClass.Light);
        Assert.Equal(1, await S.Queue.PositionAsync(paidLight));
        Assert.Equal(5, await S.Queue.PositionAsync(freeHeavy));
        var depth = await S.Queue.DepthAsync();   // what /healthz and /metrics report
        Assert.Equal([1, 1, 2, 1], depth.ByRank.OrderBy(r => r.Key).Select(r => r.Value));
        Assert.Equal(Day, depth.OldestQueuedAt);

        Assert.Equal([paidLight.Id, paidHeavy.Id, freeLight1.Id, freeLight2.Id], await ClaimAll(Policy(), Day));   // free heavy waits for the night
        Assert.Empty(await ClaimAll(Policy(), Day));
        Assert.Equal([freeHeavy.Id], await ClaimAll(Policy(), InTheNight));
    }

    [Fact]
    public async Task Idle_capacity_serves_held_work_by_day_only_when_allowed()
    {
        var heavy = await Book(1, false, JobClass.Heavy);
        Assert.Empty(await ClaimAll(Policy(), Day));
        Assert.Equal([heavy.Id], await ClaimAll(Policy(idleServesHeavy: true), Day));
    }

    private async Task<List<long>> ClaimAll(QueuePolicy policy, DateTimeOffset now)
    {
        var order = new List<long>();
        while (await S.Queue.ClaimAsync(policy, now, Lease) is { } job)
        {
            Assert.Equal((JobState.Running, 1), (job.State, job.Attempts));
            order.Add(job.Id);
        }
        return order;
    }

    [Fact]
    public async Task Concurrent_claims_never_hand_out_a_job_twice()
    {
        for (var i = 0; i < 120; i++) await Book(i, false, JobClass.Light);
        var claimed = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (await Claim() is { } job) claimed.Add(job.Id);
        })));
        Assert.Equal(120, claimed.Count);
        Assert.Equal(120, claimed.Distinct().Count());
        Assert.Equal(0, await S.Queue.QueuedCountAsync());
    }

    [Fact]
    public async Task A_booking_stores_the_job_and_its_reservation_together_or_nothing()
    {
        await Grant(7, 30);
        Assert.Null(await S.Queue.BookAsync(NewJob(7, true, JobClass.Heavy), 31));
        Assert.Equal(0, await S.Queue.QueuedCountAsync());
        var job = (await S.Queue.BookAsync(NewJob(7, true, JobClass.Heavy), 30))!;
        Assert.Equal(-30, (await S.Ledger.FindAsync(LedgerEntry.ReserveKey(job.Id)))!.Amount);
        Assert.Equal((0L, 30L), (await S.Ledger.BalanceAsync("telegram", 7), await S.Ledger.HeldAsync("telegram", 7)));
        Assert.Null(await S.Queue.BookAsync(NewJob(7, true, JobClass.Heavy), 1));
        Assert.Throws<ArgumentException>(() => NewJob(7, true, JobClass.Heavy).Book(0, announceFirst: false));
        Assert.Throws<ArgumentException>(() => NewJob(7, false, JobClass.Heavy).Book(5, announceFirst: false));
    }

    [Fact]
    public async Task A_booking_waits_for_its_notice_before_a_worker_may_take_it()
    {
        var held = (await S.Queue.BookAsync(NewJob(1, false, JobClass.Light), announceFirst: true))!;
        Assert.Equal(JobState.Booked, held.State);
        Assert.Equal([held.Id], (await S.Queue.ActiveJobsAsync("telegram", 1)).Select(j => j.Id));   // the user's, for /status and /cancel
        Assert.Equal(1, await S.Queue.ActiveCountAsync("telegram", [1, 2, 1]));    // the users of one network, together
        Assert.Equal(0, await S.Queue.ActiveCountAsync("vk", [1]));
        Assert.Equal(1, await S.Queue.PositionAsync(held));
        Assert.Null(await Claim());
        Assert.True((await S.Queue.UpdateAsync(held.Id, Day, j => j.Announce())).Applied);
        Assert.Equal(held.Id, (await Claim())!.Id);

        // A notice that never went out (the process died): a shared store releases the booking once its grace is over.
        var stranded = (await S.Queue.BookAsync(NewJob(2, false, JobClass.Light), announceFirst: true))!;
        Assert.Empty(await S.Queue.RecoverAsync(Day, expiredOnly: true, j => j.Recover(Day, 3)));
        var later = Day + Job.AnnouncementGrace + TimeSpan.FromSeconds(1);
        Assert.Equal([stranded.Id], (await S.Queue.RecoverAsync(later, expiredOnly: true, j => j.Recover(later, 3))).Select(u => u.Job.Id));
        Assert.Equal(stranded.Id, (await Claim(later))!.Id);
    }

    [Fact]
    public async Task Concurrent_bookings_never_spend_more_than_the_balance()
    {
        await Grant(8, 50);
        var booked = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => S.Queue.BookAsync(NewJob(8, true, JobClass.Light), 10))));
        Assert.Equal(5, booked.Count(j => j != null));
        Assert.Equal(0, await S.Ledger.BalanceAsync("telegram", 8));
    }

    [Fact]
    public async Task Cancelling_returns_the_credits_once_and_flags_a_claimed_job_for_its_worker()
    {
        var queued = await Book(9, true, JobClass.Light, 25);
        var claimedFirst = await Book(9, true, JobClass.Light, 15);
        var cancelled = await S.Queue.UpdateAsync(queued.Id, Day, j => j.RequestCancel(Day));
        Assert.Equal((JobEvent.Ended, JobState.Cancelled, new Settlement(25, 0)), (cancelled.Change.Event, cancelled.Job.State, cancelled.Settlement));
        Assert.False((await S.Queue.UpdateAsync(queued.Id, Day, j => j.RequestCancel(Day))).Applied);
        var running = (await Claim())!;
        Assert.Equal(claimedFirst.Id, running.Id);
        var flagged = await S.Queue.UpdateAsync(running.Id, Day, j => j.RequestCancel(Day));
        Assert.Equal((JobEvent.CancelFlagged, JobState.Running, null), (flagged.Change.Event, flagged.Job.State, flagged.Settlement));
        // The worker's next write (its progress) keeps the flag: it writes a transition, not its copy.
        await S.Queue.ByAttemptAsync(running, Day, (j, a) => j.Progress(a, new WorkDone(3, 10, 0.3)));
        Assert.True((await S.Queue.GetAsync(running.Id))!.CancelRequested);
        Assert.Equal(25, await S.Ledger.BalanceAsync("telegram", 9));
    }

    [Fact]
    public async Task Delivery_settles_once_by_the_charging_rule()
    {
        var done = await Book(10, true, JobClass.Light, 25);
        var stopped = await Book(10, true, JobClass.Light, 20);
        var first = (await Claim())!;
        Assert.Equal(new Settlement(25, 25), (await S.Queue.FinishAndDeliverAsync(first, Day)).Settlement);
        Assert.False((await S.Queue.ByAttemptAsync(first, Day, (j, a) => j.Deliver(a, Day))).Applied);
        Assert.False((await S.Queue.UpdateAsync(first.Id, Day, j => j.EndWithoutResult(null, JobState.Failed, "late", Day))).Applied);

        var second = (await Claim())!;
        await S.Queue.ByAttemptAsync(second, Day, (j, a) => j.Finish(a, "img/best", true, new WorkDone(25, 100, 0.25), TimeSpan.FromSeconds(3), Day));
        Assert.Empty(await S.Queue.UnsettledAsync());
        Assert.Empty(await S.Queue.UndeliveredAsync(Day));   // its worker delivers it while the lease holds
        Assert.Equal([second.Id], (await S.Queue.UndeliveredAsync(Day + Lease + TimeSpan.FromSeconds(1))).Select(j => j.Id));
        Assert.Equal(new Settlement(20, 5), (await S.Queue.ByAttemptAsync(second, Day, (j, a) => j.Deliver(a, Day))).Settlement);
        Assert.Equal(45 - 25 - 5, await S.Ledger.BalanceAsync("telegram", 10));
        Assert.Equal(0, await S.Ledger.HeldAsync("telegram", 10));
        Assert.Empty(await S.Queue.UndeliveredAsync(Day));
        Assert.Equal((done.Id, stopped.Id), (first.Id, second.Id));
    }

    [Fact]
    public async Task A_stopped_picture_is_charged_by_the_share_of_work_not_of_steps()
    {
        await Book(11, true, JobClass.Heavy, 25);
        var job = (await Claim())!;
        // 57 % of the iterations are at the coarse scales, which cost a fifth of the work.
        var delivered = await S.Queue.FinishAndDeliverAsync(job, Day, stopped: true, work: new WorkDone(114, 200, 0.21));
        Assert.Equal(new Settlement(25, 6), delivered.Settlement);
        Assert.Equal((114, 200), (delivered.Job.ProgressStep, delivered.Job.ProgressTotal));
    }

    [Fact]
    public async Task Every_claim_is_a_new_attempt_and_a_stale_attempt_writes_nothing()
    {
        await Book(12, true, JobClass.Light, 15);
        var dead = (await Claim())!;
        await S.Queue.ByAttemptAsync(dead, Day, (j, a) => j.Progress(a, new WorkDone(62, 100, 0.62)));

        // Its lease ran out: the job goes back, and the next claim starts from nothing.
        var expired = Day + Lease + TimeSpan.FromSeconds(1);
        Assert.Equal([dead.Id], (await S.Queue.RecoverAsync(expired, expiredOnly: true, j => j.Recover(expired, 3))).Select(u => u.Job.Id));
        var owner = (await Claim(expired))!;
        Assert.Equal((dead.Id, 2, 0, 0.0), (owner.Id, owner.Attempts, owner.ProgressStep, owner.ProgressWork));
        Assert.NotEqual(dead.Attempt, owner.Attempt);
        Assert.Equal(new Settlement(15, 15), (await S.Queue.FinishAndDeliverAsync(owner, expired)).Settlement);

        // The stalled worker wakes up: every write it tries is refused, the store keeps the owner's.
        string deadAttempt = dead.Attempt!;
        foreach (var write in new Func<Job, JobChange>[]
                 {
                     j => j.Progress(deadAttempt, new WorkDone(90, 100, 0.9)),
                     j => j.Renew(deadAttempt, expired + Lease),
                     j => j.Finish(deadAttempt, "img/stale", false, WorkDone.None, TimeSpan.Zero, expired),
                     j => j.Deliver(deadAttempt, expired),
                     j => j.EndWithoutResult(deadAttempt, JobState.Failed, "stale", expired),
                     j => j.Retry(deadAttempt, "stale", expired, 3, TimeSpan.Zero),
                     j => j.Return(deadAttempt),
                 })
            Assert.False((await S.Queue.UpdateAsync(dead.Id, expired, write)).Applied);
        var stored = (await S.Queue.GetAsync(dead.Id))!;
        Assert.Equal((JobState.Done, $"img/{dead.Id}", true), (stored.State, stored.ResultImage, stored.DeliveredAt != null));
        Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], (await S.Ledger.EntriesAsync("telegram", 12)).Select(e => e.Kind));
    }

    [Fact]
    public async Task Recovery_requeues_the_interrupted_and_fails_the_exhausted_with_their_credits_back()
    {
        var a = await Book(11, true, JobClass.Light, 10);
        var b = await Book(12, false, JobClass.Light);
        await Claim();
        await Claim();
        var report = await S.Queue.RecoverAsync(Day, expiredOnly: false, j => j.Recover(Day, 2));
        Assert.Equal([(a.Id, JobEvent.Requeued), (b.Id, JobEvent.Requeued)], report.Select(u => (u.Job.Id, u.Change.Event)));
        await Claim();
        report = await S.Queue.RecoverAsync(Day, expiredOnly: false, j => j.Recover(Day, 2));
        var failed = Assert.Single(report);
        Assert.Equal((a.Id, JobState.Failed, new Settlement(10, 0)), (failed.Job.Id, failed.Job.State, failed.Settlement));
        Assert.Equal(10, await S.Ledger.BalanceAsync("telegram", 11));
        Assert.Equal(b.Id, (await Claim())!.Id);

        // A stop puts a job back as if never claimed.
        var c = await Book(13, false, JobClass.Light);
        var claimed = (await Claim())!;
        Assert.True((await S.Queue.ByAttemptAsync(claimed, Day, (j, at) => j.Return(at))).Applied);
        Assert.Equal((JobState.Queued, 0), ((await S.Queue.GetAsync(c.Id))!.State, (await S.Queue.GetAsync(c.Id))!.Attempts));
        Assert.Equal(1, await S.Queue.PositionAsync(claimed));
    }

    [Fact]
    public async Task A_job_its_user_stopped_while_its_worker_was_gone_ends_free()
    {
        await Book(14, true, JobClass.Light, 15);
        var running = (await Claim())!;
        await S.Queue.ByAttemptAsync(running, Day, (j, a) => j.Progress(a, new WorkDone(62, 100, 0.62)));
        await S.Queue.UpdateAsync(running.Id, Day, j => j.RequestCancel(Day));
        var recovered = Assert.Single(await S.Queue.RecoverAsync(Day, expiredOnly: false, j => j.Recover(Day, 3)));
        Assert.Equal((JobState.Cancelled, new Settlement(15, 0)), (recovered.Job.State, recovered.Settlement));
        Assert.Equal(15, await S.Ledger.BalanceAsync("telegram", 14));
        Assert.Null(await Claim());
    }

    [Fact]
    public async Task A_failed_try_waits_out_its_pause_then_runs_again()
    {
        var job = await Book(15, false, JobClass.Light);
        var first = (await Claim())!;
        var retried = await S.Queue.ByAttemptAsync(first, Day, (j, a) => j.Retry(a, "device lost", Day, 3, TimeSpan.FromSeconds(30)));
        Assert.Equal((JobEvent.RetryScheduled, JobState.Queued), (retried.Change.Event, retried.Job.State));
        Assert.Null(await Claim(Day + TimeSpan.FromSeconds(29)));
        var second = (await Claim(Day + TimeSpan.FromSeconds(30)))!;
        Assert.Equal((job.Id, 2), (second.Id, second.Attempts));
    }

    [Fact]
    public async Task A_dead_workers_job_goes_back_only_once_its_lease_has_run_out()
    {
        var job = await Book(14, false, JobClass.Light);
        var claimed = (await Claim())!;
        Task<IReadOnlyList<JobUpdate>> Recover(DateTimeOffset at) => S.Queue.RecoverAsync(at, expiredOnly: true, j => j.Recover(at, 3));
        Assert.Empty(await Recover(Day + Lease / 2));
        Assert.True((await S.Queue.ByAttemptAsync(claimed, Day, (j, a) => j.Renew(a, Day + 2 * Lease))).Applied);   // its worker is alive
        Assert.Empty(await Recover(Day + Lease + TimeSpan.FromSeconds(1)));
        Assert.Equal([job.Id], (await Recover(Day + 2 * Lease + TimeSpan.FromSeconds(1))).Select(u => u.Job.Id));
        Assert.False((await S.Queue.ByAttemptAsync(claimed, Day, (j, a) => j.Renew(a, Day + 3 * Lease))).Applied);   // no longer that worker's
        Assert.Equal((JobState.Queued, 1), ((await S.Queue.GetAsync(job.Id))!.State, (await S.Queue.GetAsync(job.Id))!.Attempts));
    }

    [Fact]
    public async Task Only_ended_paid_jobs_with_an_open_reservation_need_settling()
    {
        var job = await Book(16, true, JobClass.Light, 10);
        await Claim();
        Assert.Empty(await S.Queue.UnsettledAsync());
        var failed = await S.Queue.UpdateAsync(job.Id, Day, j => j.EndWithoutResult(null, JobState.Failed, "broken", Day));
        Assert.Equal(new Settlement(10, 0), failed.Settlement);
        Assert.Empty(await S.Queue.UnsettledAsync());
        Assert.False((await S.Queue.UpdateAsync(job.Id, Day, j => j.Settle())).Applied);
    }

    [Fact]
    public async Task The_ledger_refuses_bad_entries_and_counts_promos_once()
    {
        await Assert.ThrowsAsync<LedgerRuleException>(() => S.Ledger.PostAsync(new LedgerEntry { Key = "bad", Platform = "vk", UserId = 5, Kind = LedgerKind.Reserve, Amount = 100_000, JobId = 1 }));
        Assert.True(await S.Ledger.PostAsync(new LedgerEntry { Key = "payment:telegram:c1", Platform = "vk", UserId = 5, Kind = LedgerKind.Purchase, Amount = 120, At = Day }));
        Assert.False(await S.Ledger.PostAsync(new LedgerEntry { Key = "payment:telegram:c1", Platform = "vk", UserId = 5, Kind = LedgerKind.Purchase, Amount = 120, At = Day }));
        Assert.True(await S.Ledger.CreatePromoAsync(new PromoCode { Id = "gift", Credits = 20, MaxUses = 1, ExpiresAt = Day.AddDays(1), CreatedBy = "t", CreatedAt = Day }));
        Assert.False(await S.Ledger.CreatePromoAsync(new PromoCode { Id = "GIFT", Credits = 99, MaxUses = 1, ExpiresAt = Day.AddDays(1), CreatedBy = "t", CreatedAt = Day }));
        Assert.Equal((PromoOutcome.Redeemed, 20L), await S.Ledger.RedeemAsync("gift", "vk", 5, Day));
        Assert.Equal((PromoOutcome.AlreadyRedeemed, 0L), await S.Ledger.RedeemAsync("GIFT", "vk", 5, Day));
        Assert.Equal((PromoOutcome.UsedUp, 0L), await S.Ledger.RedeemAsync("GIFT", "vk", 6, Day));
        Assert.Equal((PromoOutcome.Unknown, 0L), await S.Ledger.RedeemAsync("nope", "vk", 6, Day));
        Assert.Equal(140, await S.Ledger.BalanceAsync("vk", 5));
        Assert.Equal(120, await S.Ledger.CreditsSoldAsync());
        Assert.Equal(["payment:telegram:c1", "promo:GIFT:vk:5"], (await S.Ledger.EntriesAsync("vk", 5)).Select(e => e.Key));
        await S.Ledger.AuditAsync(new AuditEntry { At = Day, Admin = "telegram:99", Action = "ban", Detail = "vk:5" });
        Assert.Equal("ban", Assert.Single(await S.Ledger.AuditLogAsync()).Action);
    }

    /// <summary>Keys, ids and payment charge ids compare exactly, byte for byte: "CHG-A1" and "chg-a1" are two payments (LiteDB compares text ignoring case unless told).</summary>
    [Fact]
    public async Task Keys_ids_and_charge_ids_compare_exactly()
    {
        LedgerEntry Payment(string charge) => new() { Key = $"payment:telegram:{charge}", Platform = "telegram", UserId = 21, Kind = LedgerKind.Purchase, Amount = 50, At = Day };
        Assert.True(await S.Ledger.PostAsync(Payment("CHG-A1")));
        Assert.True(await S.Ledger.PostAsync(Payment("chg-a1")));
        Assert.False(await S.Ledger.PostAsync(Payment("chg-a1")));
        Assert.Equal(100, await S.Ledger.BalanceAsync("telegram", 21));
        Assert.Null(await S.Ledger.FindAsync("payment:telegram:Chg-A1"));

        await S.Offers.SaveAsync(new OfferMenu { Id = "b7zPsCFESbkCLuMf", Platform = "telegram", UserId = 21, CreatedAt = Day, ExpiresAt = Day.AddDays(7), Offers = "[]" });
        Assert.NotNull(await S.Offers.FindAsync("b7zPsCFESbkCLuMf"));
        Assert.Null(await S.Offers.FindAsync("B7ZPSCFESBKCLUMF"));
        Assert.False(await S.Offers.UseAsync("B7ZPSCFESBKCLUMF"));

        await S.Cursors.SetAsync("telegram:offset", 7);
        Assert.Null(await S.Cursors.GetAsync("TELEGRAM:OFFSET"));
        await S.Users.SaveAsync(new UserProfile { Id = UserProfile.KeyOf("web", 21), Platform = "web", UserId = 21 });
        Assert.Null(await S.Users.FindAsync("WEB", 21));

        // Promo codes are typed by people: the one place where case does not matter, by design (stored upper case).
        Assert.True(await S.Ledger.CreatePromoAsync(new PromoCode { Id = "Spring", Credits = 5, ExpiresAt = Day.AddDays(1), CreatedBy = "t", CreatedAt = Day }));
        Assert.Equal((PromoOutcome.Redeemed, 5L), await S.Ledger.RedeemAsync("sPRING", "telegram", 21, Day));
    }

    [Fact]
    public async Task A_promo_code_kept_to_some_platforms_is_refused_elsewhere()
    {
        Assert.True(await S.Ledger.CreatePromoAsync(new PromoCode { Id = "TGONLY", Credits = 5, MaxUses = 10, ExpiresAt = Day.AddDays(1), CreatedBy = "t", CreatedAt = Day, Platforms = "telegram,vk" }));
        Assert.Equal((PromoOutcome.NotHere, 0L), await S.Ledger.RedeemAsync("tgonly", "web", 22, Day));
        Assert.Equal((PromoOutcome.Redeemed, 5L), await S.Ledger.RedeemAsync("tgonly", "vk", 22, Day));
        Assert.Equal(0, await S.Ledger.BalanceAsync("web", 22));
    }

    [Fact]
    public async Task Users_bans_cursors_offers_images_and_keys_keep_what_they_were_given()
    {
        var user = new UserProfile { Id = UserProfile.KeyOf("vk", 3), Platform = "vk", UserId = 3, OutputSize = 768, Mode = ConversationMode.HasContent };
        await S.Users.SaveAsync(user);
        await S.Users.SetBannedAsync("vk", 3, true);
        user.KeepColors = true;
        await S.Users.SaveAsync(user);   // a save after the ban keeps the ban
        var stored = (await S.Users.FindAsync("vk", 3))!;
        Assert.Equal((768, true, true, ConversationMode.HasContent), (stored.OutputSize, stored.KeepColors, stored.Banned, stored.Mode));
        Assert.True(await S.Users.IsBannedAsync("vk", 3));
        Assert.Null(await S.Users.FindAsync("vk", 4));
        Assert.Equal(1, await S.Users.CountAsync());

        Assert.Null(await S.Cursors.GetAsync("telegram:offset"));
        await S.Cursors.SetAsync("telegram:offset", 41);
        await S.Cursors.SetAsync("telegram:offset", 42);
        Assert.Equal(42, await S.Cursors.GetAsync("telegram:offset"));

        OfferMenu Menu(string id, bool oneShot) => new() { Id = id, Platform = "vk", UserId = 3, CreatedAt = Day, ExpiresAt = Day.AddDays(7), OneShot = oneShot, Offers = "[]" };
        await S.Offers.SaveAsync(Menu("aaaaaaaaaaaaaaaa", oneShot: true));
        await S.Offers.SaveAsync(Menu("bbbbbbbbbbbbbbbb", oneShot: true));   // supersedes the first
        await S.Offers.SaveAsync(Menu("cccccccccccccccc", oneShot: false));
        Assert.False(await S.Offers.UseAsync("aaaaaaaaaaaaaaaa"));
        Assert.True(await S.Offers.UseAsync("bbbbbbbbbbbbbbbb"));
        Assert.False(await S.Offers.UseAsync("bbbbbbbbbbbbbbbb"));
        Assert.Equal((3L, "[]"), ((await S.Offers.FindAsync("cccccccccccccccc"))!.UserId, (await S.Offers.FindAsync("cccccccccccccccc"))!.Offers));
        Assert.Equal(3, await S.Offers.DeleteExpiredAsync(Day.AddDays(8)));

        var old = await S.Images.PutAsync([1, 2, 3], Day.AddDays(-10), "vk:3");
        var fresh = await S.Images.PutAsync([4, 5], Day, "vk:3");
        await S.Images.PutAsync([6, 7, 8, 9], Day, "web-net:10.0.0.1");
        Assert.Equal([4, 5], await S.Images.GetAsync(fresh));
        Assert.Equal((5L, 2L, 4L, 0L), (await S.Images.StoredBytesAsync("vk:3", Day.AddDays(-11)), await S.Images.StoredBytesAsync("vk:3", Day.AddDays(-1)),
            await S.Images.StoredBytesAsync("web-net:10.0.0.1", Day.AddDays(-1)), await S.Images.StoredBytesAsync("VK:3", Day.AddDays(-11))));
        Assert.Equal(1, await S.Images.DeleteOlderThanAsync(Day.AddDays(-7)));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => S.Images.GetAsync(old));

        Assert.Equal(S.Secrets.GetOrCreate("web-cookie"), S.Secrets.GetOrCreate("web-cookie"));
        Assert.Equal(32, S.Secrets.GetOrCreate("web-cookie").Length);
    }

    private static GalleryEntry Entry(string id, long job, long user, DateTimeOffset at, string platform = "telegram") => new()
    {
        Id = id, Platform = platform, UserId = user, JobId = job, Kind = JobKind.Preset, PresetId = "wave", Image = $"img/{id}", Thumbnail = $"img/{id}t", SharedAt = at,
    };

    [Fact]
    public async Task A_job_is_shared_once_and_listed_newest_first_or_by_the_weeks_likes()
    {
        var first = await S.Gallery.AddAsync(Entry("aaaaaaaaaa", 1, 5, Day.AddDays(-1)));
        Assert.Equal("aaaaaaaaaa", first.Id);
        // A second share of the same job returns the first entry and stores nothing.
        Assert.Equal("aaaaaaaaaa", (await S.Gallery.AddAsync(Entry("bbbbbbbbbb", 1, 5, Day))).Id);
        Assert.Null(await S.Gallery.GetAsync("bbbbbbbbbb"));
        await S.Gallery.AddAsync(Entry("cccccccccc", 2, 6, Day));
        await S.Gallery.AddAsync(Entry("dddddddddd", 3, 7, Day.AddDays(-9)));
        Assert.Equal(["cccccccccc", "aaaaaaaaaa", "dddddddddd"], (await S.Gallery.ListAsync(GalleryOrder.Newest, Day.AddDays(-7), 0, 10)).Select(e => e.Id));
        Assert.Equal(["aaaaaaaaaa"], (await S.Gallery.ListAsync(GalleryOrder.Newest, Day.AddDays(-7), 1, 1)).Select(e => e.Id));

        // One like per person: the second is a repeat; the week's best ranks by likes, older entries out.
        Assert.Equal(GalleryVote.Counted, await S.Gallery.LikeAsync("aaaaaaaaaa", "telegram:6"));
        Assert.Equal(GalleryVote.Repeated, await S.Gallery.LikeAsync("aaaaaaaaaa", "telegram:6"));
        Assert.Equal(GalleryVote.Counted, await S.Gallery.LikeAsync("aaaaaaaaaa", "web:8"));
        Assert.Equal(GalleryVote.Counted, await S.Gallery.LikeAsync("dddddddddd", "web:8"));
        Assert.Equal(GalleryVote.Missing, await S.Gallery.LikeAsync("zzzzzzzzzz", "web:8"));
        Assert.Equal(2, (await S.Gallery.GetAsync("aaaaaaaaaa"))!.Likes);
        Assert.Equal(["aaaaaaaaaa", "cccccccccc"], (await S.Gallery.ListAsync(GalleryOrder.WeekBest, Day.AddDays(-7), 0, 10)).Select(e => e.Id));

        Assert.Equal("aaaaaaaaaa", (await S.Gallery.OfJobAsync(1))!.Id);
        Assert.Equal(["aaaaaaaaaa"], (await S.Gallery.OfUserAsync("telegram", 5)).Select(e => e.Id));
        Assert.Equal("aaaaaaaaaa", (await S.Gallery.RemoveAsync("aaaaaaaaaa"))!.Id);
        Assert.Null(await S.Gallery.GetAsync("aaaaaaaaaa"));
        Assert.Null(await S.Gallery.RemoveAsync("aaaaaaaaaa"));
        // Shared again after it was taken out, its likes start over.
        await S.Gallery.AddAsync(Entry("eeeeeeeeee", 1, 5, Day));
        Assert.Equal(GalleryVote.Counted, await S.Gallery.LikeAsync("eeeeeeeeee", "telegram:6"));
    }

    [Fact]
    public async Task Reports_put_a_picture_in_review_hidden_ones_and_banned_authors_are_not_listed()
    {
        await S.Gallery.AddAsync(Entry("aaaaaaaaaa", 1, 5, Day));
        await S.Gallery.AddAsync(Entry("bbbbbbbbbb", 2, 6, Day.AddHours(-1)));
        await S.Gallery.AddAsync(Entry("cccccccccc", 3, 7, Day.AddHours(-2)));
        Assert.Equal(GalleryVote.Counted, await S.Gallery.ReportAsync("aaaaaaaaaa", "web:1", reviewAt: 2));
        Assert.Equal(GalleryVote.Repeated, await S.Gallery.ReportAsync("aaaaaaaaaa", "web:1", reviewAt: 2));
        Assert.False((await S.Gallery.GetAsync("aaaaaaaaaa"))!.InReview);
        Assert.Equal(GalleryVote.Counted, await S.Gallery.ReportAsync("aaaaaaaaaa", "web:2", reviewAt: 2));
        Assert.True((await S.Gallery.GetAsync("aaaaaaaaaa"))!.InReview);
        Assert.Equal(["aaaaaaaaaa"], (await S.Gallery.InReviewAsync()).Select(e => e.Id));

        Assert.True(await S.Gallery.SetHiddenAsync("bbbbbbbbbb", true));
        Assert.False(await S.Gallery.SetHiddenAsync("zzzzzzzzzz", true));
        await S.Users.SetBannedAsync("telegram", 7, true);
        Assert.Empty(await S.Gallery.ListAsync(GalleryOrder.Newest, Day.AddDays(-7), 0, 10));

        // Shown again: out of review, its reports cleared, so the same people may report it anew.
        Assert.True(await S.Gallery.SetHiddenAsync("aaaaaaaaaa", false));
        var shown = (await S.Gallery.GetAsync("aaaaaaaaaa"))!;
        Assert.Equal((false, false, 0), (shown.Hidden, shown.InReview, shown.Reports));
        Assert.Empty(await S.Gallery.InReviewAsync());
        Assert.Equal(GalleryVote.Counted, await S.Gallery.ReportAsync("aaaaaaaaaa", "web:1", reviewAt: 2));
        await S.Users.SetBannedAsync("telegram", 7, false);
        Assert.Equal(["aaaaaaaaaa", "cccccccccc"], (await S.Gallery.ListAsync(GalleryOrder.Newest, Day.AddDays(-7), 0, 10)).Select(e => e.Id));
    }

    [Fact]
    public async Task Votes_cast_at_the_same_moment_each_count_once()
    {
        await S.Gallery.AddAsync(Entry("aaaaaaaaaa", 1, 5, Day));
        // Twelve people like it at once, each of them twice; four report it at once, with review at the third.
        var likes = Enumerable.Range(1, 12).SelectMany(p => new[] { $"web:{p}", $"web:{p}" }).Select(p => S.Gallery.LikeAsync("aaaaaaaaaa", p));
        var reports = Enumerable.Range(1, 4).Select(p => S.Gallery.ReportAsync("aaaaaaaaaa", $"telegram:{p}", reviewAt: 3));
        var votes = await Task.WhenAll(likes.Concat(reports));
        Assert.Equal(16, votes.Count(v => v == GalleryVote.Counted));
        Assert.Equal(12, votes.Count(v => v == GalleryVote.Repeated));
        var entry = (await S.Gallery.GetAsync("aaaaaaaaaa"))!;
        Assert.Equal((12, 4, true), (entry.Likes, entry.Reports, entry.InReview));

        // A picture an admin hid has been decided: reports count, but do not put it back in the review queue.
        await S.Gallery.AddAsync(Entry("bbbbbbbbbb", 2, 6, Day));
        Assert.True(await S.Gallery.SetHiddenAsync("bbbbbbbbbb", true));
        Assert.Equal(GalleryVote.Counted, await S.Gallery.ReportAsync("bbbbbbbbbb", "web:1", reviewAt: 1));
        Assert.Equal((1, false), ((await S.Gallery.GetAsync("bbbbbbbbbb"))!.Reports, (await S.Gallery.GetAsync("bbbbbbbbbb"))!.InReview));
    }

    [Fact]
    public async Task Forgetting_a_user_takes_their_pictures_likes_jobs_menus_profile_and_images_and_keeps_the_ledger()
    {
        await S.Gallery.AddAsync(Entry("aaaaaaaaaa", 1, 5, Day));
        await S.Gallery.AddAsync(Entry("bbbbbbbbbb", 2, 6, Day));
        await S.Gallery.LikeAsync("bbbbbbbbbb", "telegram:5");
        await S.Gallery.LikeAsync("bbbbbbbbbb", "telegram:9");
        await S.Gallery.LikeAsync("aaaaaaaaaa", "telegram:6");
        Assert.Equal(["aaaaaaaaaa"], (await S.Gallery.ForgetAsync("telegram", 5)).Select(e => e.Id));
        Assert.Null(await S.Gallery.GetAsync("aaaaaaaaaa"));
        Assert.Equal(1, (await S.Gallery.GetAsync("bbbbbbbbbb"))!.Likes);
        // Their like is gone, so they could like it again.
        Assert.Equal(GalleryVote.Counted, await S.Gallery.LikeAsync("bbbbbbbbbb", "telegram:5"));

        await Grant(5, 50);
        var over = await Book(5, paid: false, JobClass.Light);
        var queued = await Book(5, paid: false, JobClass.Light);
        await S.Queue.UpdateAsync(over.Id, Day, j => j.RequestCancel(Day));
        await Book(6, paid: false, JobClass.Light);
        Assert.Equal([over.Id], (await S.Queue.ForgetAsync("telegram", 5)).Select(j => j.Id));
        Assert.Null(await S.Queue.GetAsync(over.Id));
        Assert.NotNull(await S.Queue.GetAsync(queued.Id));   // active: not the store's to drop
        Assert.Equal(50, await S.Ledger.BalanceAsync("telegram", 5));

        OfferMenu Menu(string id, long user) => new() { Id = id, Platform = "telegram", UserId = user, CreatedAt = Day, ExpiresAt = Day.AddDays(7), Offers = "[]" };
        await S.Offers.SaveAsync(Menu("aaaaaaaaaaaaaaaa", 5));
        await S.Offers.SaveAsync(Menu("bbbbbbbbbbbbbbbb", 6));
        Assert.Equal(1, await S.Offers.DeleteUserAsync("telegram", 5));
        Assert.Null(await S.Offers.FindAsync("aaaaaaaaaaaaaaaa"));
        Assert.NotNull(await S.Offers.FindAsync("bbbbbbbbbbbbbbbb"));

        await S.Users.SaveAsync(new UserProfile { Id = UserProfile.KeyOf("telegram", 5), Platform = "telegram", UserId = 5 });
        await S.Users.SetBannedAsync("telegram", 5, true);
        await S.Users.DeleteAsync("telegram", 5);
        Assert.Null(await S.Users.FindAsync("telegram", 5));
        Assert.True(await S.Users.IsBannedAsync("telegram", 5));   // the operator's record stays

        // Owned by the user, kept for them ("telegram:5/…"), or neither: only the first two go.
        var own = await S.Images.PutAsync([1], Day, "telegram:5");
        var kept = await S.Images.PutAsync([2], Day, "telegram:5/gallery", keep: true);
        var lookalike = await S.Images.PutAsync([3], Day, "telegram:55");
        var other = await S.Images.PutAsync([4], Day, "telegram:6");
        Assert.Equal(2, await S.Images.DeleteOwnedAsync("telegram:5"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => S.Images.GetAsync(own));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => S.Images.GetAsync(kept));
        Assert.Equal([3], await S.Images.GetAsync(lookalike));
        Assert.Equal(1, await S.Images.DeleteAsync([other, other, "img/none"]));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => S.Images.GetAsync(other));
    }

    [Fact]
    public async Task A_kept_image_outlives_the_retention_period()
    {
        var kept = await S.Images.PutAsync([1, 2], Day.AddDays(-30), "telegram:5/gallery", keep: true);
        var old = await S.Images.PutAsync([3], Day.AddDays(-30), "telegram:5");
        Assert.Equal(1, await S.Images.DeleteOlderThanAsync(Day.AddDays(-7)));
        Assert.Equal([1, 2], await S.Images.GetAsync(kept));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => S.Images.GetAsync(old));
    }
}

/// <summary>The contract on a LiteDB file.</summary>
public sealed class LiteStoreContract : StoreContract
{
    private readonly string folder = Directory.CreateTempSubdirectory("artbot-contract-").FullName;
    private ArtBotDatabase? database;

    protected override Stores Open()
    {
        database = new ArtBotDatabase(Path.Combine(folder, "artbot.db"));
        return new Stores(new LiteJobQueue(database), new LiteLedger(database), new LiteUserStore(database), new LiteCursorStore(database),
            new LiteOfferStore(database), new LiteImageStore(database), new LiteSecretStore(database), new LiteGalleryStore(database));
    }

    public override void Dispose()
    {
        database?.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}

/// <summary>The contract on PostgreSQL: a schema of its own in the run's throwaway cluster.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreContract(PostgresCluster cluster) : StoreContract
{
    private PostgresDatabase? database;

    protected override Stores Open()
    {
        database = new PostgresDatabase(cluster.NewSchema());
        Assert.Equal(5, database.SchemaVersion);
        return new Stores(new PgJobQueue(database), new PgLedger(database), new PgUserStore(database), new PgCursorStore(database),
            new PgOfferStore(database), new PgImageStore(database), new PgSecretStore(database), new PgGalleryStore(database));
    }

    public override void Dispose() => database?.Dispose();
}

/// <summary>PostgreSQL's cluster lock: one holder per name within a schema, and schemas apart.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PgClusterLockTests(PostgresCluster cluster)
{
    [Fact]
    public async Task A_name_is_held_once_per_schema_and_a_deployment_on_another_schema_is_not_blocked()
    {
        using var first = new PostgresDatabase(cluster.NewSchema());
        using var second = new PostgresDatabase(cluster.NewSchema());
        var one = new PgClusterLock(first);
        await using (var held = await one.TryAcquireAsync("sweeper"))
        {
            Assert.NotNull(held);
            Assert.Null(await one.TryAcquireAsync("sweeper"));               // the same schema: once
            await using var other = await new PgClusterLock(second).TryAcquireAsync("sweeper");
            Assert.NotNull(other);                                            // another schema's sweep still runs
        }
        await using var again = await one.TryAcquireAsync("sweeper");
        Assert.NotNull(again);                                                // released with its holder
    }
}
