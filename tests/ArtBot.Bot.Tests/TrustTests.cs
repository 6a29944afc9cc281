using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;

namespace ArtBot.Bot.Tests;

/// <summary>
/// The trust boundary where it is the conversation's (the web chat's own rows are in
/// ArtBot.Web.Tests' TrustTests): each test replays what an attacker or a mishap did, and checks
/// the outcome now — refused, kept, exact — with balances and job counts.
/// </summary>
public sealed class TrustTests : IDisposable
{
    private readonly Harness h = new(new BotOptions { ProgressInterval = TimeSpan.Zero, Limits = new RequestLimits { MaxQueueDepth = 5 } });

    public void Dispose() => h.Dispose();

    private string LastText => h.Messenger.All<SentText>()[^1].Text;

    private string Payload(long user) => $"buy:s:{user}:{h.Clock.Now.ToUnixTimeSeconds()}";

    /// <summary>6 free heavy requests of fresh users fill the free queue (its limit 5): a paying user's press is booked all the same.</summary>
    [Fact]
    public async Task A_flood_of_free_work_never_shuts_a_paying_user_out()
    {
        for (long user = 1; user <= 6; user++) await h.Say(new PhotoMessage(Harness.User(user), [Harness.TinyPhoto, Harness.TinyPhoto]));
        Assert.Equal("The bot is very busy right now. Please try again in a few minutes.", h.Messenger.All<SentText>().Last(t => t.ChatId == 60).Text);
        Assert.Equal(5, await h.Queue.QueuedCountAsync());

        await h.Ledger.PostAsync(new LedgerEntry { Key = "test:grant", Platform = "telegram", UserId = 7, Kind = LedgerKind.AdminGrant, Amount = 25 });
        await h.Say(new PhotoMessage(Harness.User(7), [Harness.TinyPhoto, Harness.TinyPhoto]));
        await h.Press("Premium", Harness.User(7));
        Assert.StartsWith("Queued: you are #1.", h.Messenger.All<SentText>().Last(t => t.ChatId == 70).Text);
        Assert.Equal((true, 15L), (Assert.Single(await h.Queue.ActiveJobsAsync("telegram", 7)).Paid, await h.Ledger.BalanceAsync("telegram", 7)));
    }

    /// <summary>A genuine offer pressed in another case, or its index with a leading zero, is not that offer.</summary>
    [Theory]
    [InlineData("upper")]
    [InlineData("zero")]
    [InlineData("plus")]
    public async Task An_offer_is_only_its_exact_canonical_form(string alteration)
    {
        await h.Ledger.PostAsync(new LedgerEntry { Key = "test:grant", Platform = "telegram", UserId = 1, Kind = LedgerKind.AdminGrant, Amount = 25 });
        await h.Say(new PhotoMessage(Harness.User(), [Harness.TinyPhoto], "dream"));
        var genuine = h.ButtonOn("Premium", 10)!.Data;
        var (menu, index) = (genuine[..genuine.IndexOf('.')], genuine[(genuine.IndexOf('.') + 1)..]);
        var altered = alteration switch
        {
            "upper" => $"{menu.ToUpperInvariant()}.{index}",
            "zero" => $"{menu}.0{index}",
            _ => $"{menu}.+{index}",
        };
        if (altered == genuine) altered = $"{menu.ToLowerInvariant()}.{index}";
        await h.Say(new ButtonPressed(Harness.User(), "cb", altered));
        Assert.Equal("That button is out of date.", h.Messenger.All<AnsweredButton>()[^1].Text);
        Assert.Empty(await h.Queue.ActiveJobsAsync("telegram", 1));
        Assert.Equal(25, await h.Ledger.BalanceAsync("telegram", 1));
        await h.Say(new ButtonPressed(Harness.User(), "cb", genuine));   // the genuine one still books
        Assert.Single(await h.Queue.ActiveJobsAsync("telegram", 1));
    }

    /// <summary>Two Stars payments whose charge ids differ only in case are two payments: both credited.</summary>
    [Fact]
    public async Task Charge_ids_that_differ_in_case_are_two_payments()
    {
        await h.Say(new PaymentReceived(Harness.User(), Payload(1), "XTR", 50, "CHG-A1"));
        await h.Say(new PaymentReceived(Harness.User(), Payload(1), "XTR", 50, "chg-a1"));
        await h.Say(new PaymentReceived(Harness.User(), Payload(1), "XTR", 50, "chg-a1"));   // a replay: nothing more
        Assert.Equal(100, await h.Ledger.BalanceAsync("telegram", 1));
        Assert.Equal(2, h.Messenger.All<SentText>().Count(t => t.Text.StartsWith("Thank you!", StringComparison.Ordinal)));
    }

    /// <summary>The handling of a payment fails after the credit (the thanks could not be sent); the update is retried: credited once, and the user told once.</summary>
    [Fact]
    public async Task A_payment_retried_after_a_failure_is_credited_once_and_acknowledged_once()
    {
        var failures = 1;
        h.Messenger.BeforeText = text => text.StartsWith("Thank you!", StringComparison.Ordinal) && Interlocked.Decrement(ref failures) >= 0
            ? throw new HttpRequestException("connection reset")
            : Task.CompletedTask;
        var payment = new PaymentReceived(Harness.User(), Payload(1), "XTR", 50, "chg-retry");
        await Assert.ThrowsAsync<HttpRequestException>(() => h.Say(payment));
        Assert.Equal(50, await h.Ledger.BalanceAsync("telegram", 1));
        Assert.Empty(h.Messenger.All<SentText>());

        await h.Say(payment);   // the receiver retries the update
        await h.Say(payment);   // and once more, as after a crash before the offset was saved
        Assert.Equal(50, await h.Ledger.BalanceAsync("telegram", 1));
        Assert.Equal("Thank you! 50 credits added. Balance: 50.", Assert.Single(h.Messenger.All<SentText>()).Text);
    }
}
