using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;

namespace ArtBot.Bot.Tests;

/// <summary>Credits, tiers, Stars, promo codes and admin tools on a real LiteDB file (no rendering unless a test runs jobs).</summary>
public sealed class BillingTests : IDisposable
{
    private readonly Harness h = new();
    private static readonly byte[] AnyPhoto = Harness.TinyPhoto;

    public void Dispose() => h.Dispose();

    private static ChatUser Admin => Harness.User(99);

    private Task<long> Balance(long user = 1) => h.Ledger.BalanceAsync("telegram", user);

    private string LastText => h.Messenger.All<SentText>()[^1].Text;

    private Task Grant(long user, long credits) =>
        h.Ledger.PostAsync(new LedgerEntry { Key = $"test-grant-{user}-{credits}-{Guid.NewGuid()}", Platform = "telegram", UserId = user, Kind = LedgerKind.AdminGrant, Amount = credits });

    private string Payload(long user, string pack = "s", DateTimeOffset? at = null) => $"buy:{pack}:{user}:{(at ?? h.Clock.Now).ToUnixTimeSeconds()}";

    [Fact]
    public async Task Buy_offers_packs_and_an_invoice_in_stars_for_this_user()
    {
        await h.Say(new CommandMessage(Harness.User(), "buy"));
        var menu = h.Messenger.All<SentText>()[^1];
        Assert.Equal(["50 credits · 50 ⭐", "120 credits · 100 ⭐", "300 credits · 225 ⭐"], menu.Keyboard!.Rows.SelectMany(r => r).Select(b => b.Text));
        await h.Press("120 credits");
        var invoice = Assert.Single(h.Messenger.All<SentInvoice>());
        Assert.Equal((10, 100, Payload(1, "m")), (invoice.ChatId, invoice.Stars, invoice.Payload));
    }

    [Fact]
    public async Task A_payment_is_credited_once_even_when_replayed()
    {
        var payment = new PaymentReceived(Harness.User(), Payload(1, "m"), "XTR", 100, "charge-1");
        await h.Say(payment);
        await h.Say(payment);
        await h.Say(payment);
        Assert.Equal(120, await Balance());
        Assert.Single(h.Messenger.All<SentText>(), t => t.Text.StartsWith("Thank you! 120 credits added"));
        await h.Say(new CommandMessage(Harness.User(), "balance"));
        Assert.StartsWith("Balance: 120 credits (0 reserved", LastText);
    }

    [Theory]
    [InlineData("buy:s:2:{now}", "XTR", 50, "This invoice is not valid")]          // another user's invoice
    [InlineData("buy:zz:1:{now}", "XTR", 50, "This invoice is not valid")]         // no such pack
    [InlineData("buy:s:1:{now}", "XTR", 49, "This invoice is not valid")]          // wrong amount
    [InlineData("buy:s:1:{now}", "USD", 50, "This invoice is not valid")]          // not Stars
    [InlineData("something else", "XTR", 50, "This invoice is not valid")]
    [InlineData("buy:s:1:{old}", "XTR", 50, "This invoice has expired")]
    [InlineData("buy:s:1:{now}", "XTR", 50, null)]
    public async Task Pre_checkout_lets_only_a_fresh_invoice_of_this_user_through(string payload, string currency, long amount, string? error)
    {
        payload = payload.Replace("{now}", h.Clock.Now.ToUnixTimeSeconds().ToString()).Replace("{old}", h.Clock.Now.AddDays(-2).ToUnixTimeSeconds().ToString());
        await h.Say(new PreCheckout(Harness.User(), "pcq", payload, currency, amount));
        var answer = Assert.Single(h.Messenger.All<AnsweredPreCheckout>());
        Assert.Equal("pcq", answer.QueryId);
        if (error == null) Assert.Null(answer.Error);
        else Assert.StartsWith(error, answer.Error);
        Assert.Equal(0, await Balance());
    }

    [Fact]
    public async Task An_animation_is_offered_by_tier_in_seconds_and_size_and_the_paid_one_is_reserved()
    {
        await Grant(1, 100);
        await h.Say(new AnimationMessage(Harness.User(), [1, 2, 3]));
        Assert.Equal("Got your animation! Pick a style: every frame is painted (free: the first 3 s at 360 px).", LastText);
        await h.Press("The Great Wave");
        var menu = h.Messenger.All<SentText>()[^1];
        Assert.Equal(["Free · 360 px, 3 s", "Premium · 540 px, 6 s · 10 cr.", "HD · 720 px, 10 s · 20 cr."], menu.Keyboard!.Rows.SelectMany(r => r).Select(b => b.Text));
        await h.Press("Premium");
        var job = Assert.Single(await h.Queue.ActiveJobsAsync("telegram", 1));
        Assert.Equal((JobKind.Animation, Tier.Premium, true, 72, 540, "wave"), (job.Kind, job.Tier, job.Paid, job.Iterations, job.Size, job.PresetId));
        Assert.EndsWith("Reserved: 10 credits, charged only when you get the picture.", LastText);
        Assert.Equal(90, await Balance());
    }

    [Fact]
    public async Task A_user_with_credits_picks_the_tier_and_credits_are_reserved_then_charged_on_delivery()
    {
        await Grant(1, 100);
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto, AnyPhoto]));
        var menu = h.Messenger.All<SentText>()[^1];
        Assert.Equal("Pick the quality. Your balance: 100 credits.", menu.Text);
        Assert.Equal(["Free · 600 px, 200 steps", "Premium · 1000 px, 500 steps · 10 cr.", "HD · 1600 px, 300 steps · 25 cr.",
            "HD · 1600 px, 600 steps · 40 cr.", "HD · 1600 px, 1000 steps · 60 cr."], menu.Keyboard!.Rows.SelectMany(r => r).Select(b => b.Text));

        await h.Press("300 steps");
        var job = Assert.Single(await h.Queue.ActiveJobsAsync("telegram", 1));
        Assert.Equal((Tier.Hd, true, 300, 1600), (job.Tier, job.Paid, job.Iterations, job.Size));
        Assert.EndsWith("Reserved: 25 credits, charged only when you get the picture.", LastText);
        Assert.Equal(75, await Balance());
        Assert.Equal(25, await h.Ledger.HeldAsync("telegram", 1));

        // Delivered (twice, as after a crash between send and bookkeeping): charged once; a late failure changes nothing.
        var now = h.Clock.Now;
        var attempt = Job.NewAttempt();
        job = (await h.Queue.ClaimNextAsync(h.Policy, Harness.InTheNight, j => j.Claim(Harness.InTheNight, h.Options.Lease, attempt)))!;
        await h.Queue.UpdateAsync(job.Id, now, j => j.Finish(attempt, "img/x", false, WorkDone.None, TimeSpan.FromSeconds(1), now));
        Assert.Equal(new Settlement(25, 25), (await h.Queue.UpdateAsync(job.Id, now, j => j.Deliver(attempt, now))).Settlement);
        Assert.False((await h.Queue.UpdateAsync(job.Id, now, j => j.Deliver(attempt, now))).Applied);
        Assert.False((await h.Queue.UpdateAsync(job.Id, now, j => j.EndWithoutResult(null, JobState.Failed, "late", now))).Applied);
        Assert.Equal(75, await Balance());
        Assert.Equal(0, await h.Ledger.HeldAsync("telegram", 1));
        var kinds = (await h.Ledger.EntriesAsync("telegram", 1)).Select(e => e.Kind);
        Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], kinds);
    }

    [Fact]
    public async Task A_tier_the_user_cannot_afford_is_refused_and_the_choice_stays_open()
    {
        await Grant(1, 12);
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto, AnyPhoto]));
        await h.Press("1000 steps");
        Assert.Equal("Not enough credits: that costs 60, you have 12. /buy or /promo CODE.", h.Messenger.All<AnsweredButton>()[^1].Text);
        Assert.Empty(await h.Queue.ActiveJobsAsync("telegram", 1));
        await h.Press("Premium");
        Assert.True(Assert.Single(await h.Queue.ActiveJobsAsync("telegram", 1)).Paid);
        Assert.Equal(2, await Balance());
    }

    [Fact]
    public async Task Cancelling_a_queued_paid_job_returns_its_credits()
    {
        await Grant(1, 100);
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto], "dream"));
        await h.Press("Premium");
        Assert.Equal(90, await Balance());
        await h.Say(new CommandMessage(Harness.User(), "cancel"));
        Assert.Equal("Cancelled.\nReturned to you: 10 credits.", LastText);
        Assert.Equal(100, await Balance());
    }

    [Fact]
    public async Task A_paid_job_that_fails_for_good_returns_its_credits_and_says_so()
    {
        await Grant(1, 100);
        // A paid dream whose stored photo the engine refuses (damaged after it was taken in: a disk error, a bad copy).
        var job = new Job
        {
            Platform = "telegram", UserId = 1, ChatId = 10, Kind = JobKind.Dream, Paid = true, Tier = Tier.Premium, Class = JobClass.Light, Size = 64,
            Iterations = 2, Rank = QueuePolicy.RankOf(true, JobClass.Light), CreatedAt = h.Clock.Now,
            ContentImage = await h.Images.PutAsync([1, 2, 3], h.Clock.Now, "telegram:1"),
        };
        job.Book(10, announceFirst: false);
        await h.Queue.EnqueueAsync(job);
        Assert.Equal(90, await Balance());
        Assert.True(await h.Worker.RunNextAsync(CancellationToken.None));
        Assert.StartsWith("Sorry, that did not work", LastText);
        Assert.EndsWith("Returned to you: 10 credits.", LastText);
        Assert.Equal(100, await Balance());
        Assert.Equal(JobState.Failed, (await h.Queue.GetAsync(1))!.State);
    }

    [Fact]
    public async Task A_promo_code_is_redeemed_once_per_user_and_up_to_its_uses()
    {
        await h.Say(new CommandMessage(Admin, "admin", "promo spring 30 2 7"));
        Assert.StartsWith("promo code SPRING: 30 credits, 2 uses", LastText);
        await h.Say(new CommandMessage(Harness.User(1), "promo", "Spring"));
        Assert.Equal("Promo code accepted: 30 credits added. Balance: 30.", LastText);
        await h.Say(new CommandMessage(Harness.User(1), "promo", "SPRING"));
        Assert.Equal("You have already used that promo code.", LastText);
        await h.Say(new CommandMessage(Harness.User(2), "promo", "spring"));
        await h.Say(new CommandMessage(Harness.User(3), "promo", "spring"));
        Assert.Equal("That promo code has been used up.", LastText);
        await h.Say(new CommandMessage(Harness.User(4), "promo", "autumn"));
        Assert.Equal("There is no such promo code.", LastText);
        await h.Say(new CommandMessage(Admin, "admin", "promo late 5"));
        h.Clock.Now = h.Clock.Now.AddDays(31);
        await h.Say(new CommandMessage(Harness.User(4), "promo", "late"));
        Assert.Equal("That promo code has expired.", LastText);
        Assert.Equal((30, 30, 0, 0), (await Balance(1), await Balance(2), await Balance(3), await Balance(4)));
    }

    [Fact]
    public async Task Admin_commands_are_unknown_to_everyone_else_and_audited_for_admins()
    {
        await h.Say(new CommandMessage(Harness.User(5), "admin", "grant 5 1000"));
        Assert.Equal("I don't know that command. /help lists what I can do.", LastText);
        Assert.Equal(0, await Balance(5));

        await h.Say(new CommandMessage(Admin, "admin", "grant telegram:5 40 welcome"));
        await h.Say(new CommandMessage(Admin, "admin", "revoke 5 15"));
        Assert.Equal("revoked 15 credits; balance of telegram:5 is 25", LastText);
        Assert.Equal(25, await Balance(5));
        await h.Say(new CommandMessage(Admin, "admin", "stats"));
        Assert.Contains("users: ", LastText);
        Assert.Contains("credits sold: 0", LastText);
        var audit = await h.Ledger.AuditLogAsync();
        Assert.Equal(["grant", "revoke"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal("telegram:99", a.Admin));
    }

    [Fact]
    public async Task Admin_answers_come_in_the_admins_language_with_its_plurals()
    {
        await h.Say(new CommandMessage(Admin, "admin", "grant 5 1"));
        Assert.Equal("granted 1 credit; balance of telegram:5 is 1", LastText);
        var russianAdmin = Harness.User(99, "ru");
        await h.Say(new CommandMessage(russianAdmin, "admin", "grant 5 1"));
        Assert.Equal("начислено 1 кредит; баланс telegram:5: 2", LastText);
        await h.Say(new CommandMessage(russianAdmin, "admin", "revoke 5 2"));
        Assert.Equal("списано 2 кредита; баланс telegram:5: 0", LastText);
        await h.Say(new CommandMessage(russianAdmin, "admin", "promo zima 5 21"));
        Assert.StartsWith("промокод ZIMA: 5 кредитов, 21 использование, до ", LastText);
        await h.Say(new CommandMessage(russianAdmin, "admin", "stats"));
        Assert.StartsWith("пользователей: ", LastText);
        Assert.Contains("продано кредитов: 0", LastText);
        await h.Say(new CommandMessage(russianAdmin, "admin", "nonsense"));
        Assert.StartsWith("/admin stats", LastText);
        Assert.EndsWith("ПОЛЬЗОВАТЕЛЬ — платформа:номер (например, Telegram:123) или номер на вашей платформе.", LastText);
    }

    [Fact]
    public async Task A_banned_user_is_told_once_then_ignored_until_unbanned()
    {
        await h.Say(new CommandMessage(Admin, "admin", "ban 6"));
        h.Messenger.Clear();
        await h.Say(new CommandMessage(Harness.User(6), "help"));
        await h.Say(new PhotoMessage(Harness.User(6), [AnyPhoto]));
        await h.Say(new CommandMessage(Harness.User(6), "help"));
        Assert.Equal(["You can no longer use this bot."], h.Messenger.All<SentText>().Select(t => t.Text));
        Assert.Empty(await h.Queue.ActiveJobsAsync("telegram", 6));
        await h.Say(new CommandMessage(Admin, "admin", "unban 6"));
        await h.Say(new CommandMessage(Harness.User(6), "help"));
        Assert.StartsWith("Commands:", LastText);
        Assert.Equal(["ban", "unban"], (await h.Ledger.AuditLogAsync()).Select(a => a.Action));
    }

    [Fact]
    public async Task An_admin_refund_goes_back_through_telegram_and_the_ledger_once()
    {
        await h.Say(new PaymentReceived(Harness.User(7), Payload(7), "XTR", 50, "charge-7"));
        Assert.Equal(50, await Balance(7));
        await h.Say(new CommandMessage(Admin, "admin", "refund charge-7"));
        await h.Say(new CommandMessage(Admin, "admin", "refund charge-7"));
        Assert.Equal("payment charge-7 was refunded before", LastText);
        Assert.Equal(new Refunded(7, "charge-7"), Assert.Single(h.Messenger.All<Refunded>()));
        Assert.Equal(0, await Balance(7));
        await h.Say(new CommandMessage(Admin, "admin", "stats"));
        Assert.Contains("credits sold: 0", LastText);
    }

    [Fact]
    public async Task The_balance_always_equals_the_ledger_sum()
    {
        await h.Say(new PaymentReceived(Harness.User(), Payload(1, "l"), "XTR", 225, "charge-b"));
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto, AnyPhoto]));
        await h.Press("600 steps");
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto], "dream"));
        await h.Press("Premium");
        await h.Say(new CommandMessage(Harness.User(), "cancel"));
        await h.Say(new CommandMessage(Harness.User(), "balance"));
        var sum = (await h.Ledger.EntriesAsync("telegram", 1)).Sum(e => e.Amount);
        Assert.Equal(300, sum);
        Assert.StartsWith($"Balance: {sum} credits", LastText);
    }
}
