using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;

namespace ArtBot.Bot.Tests;

/// <summary>
/// What a client can send is hostile: button data written by hand, another user's buttons, stale
/// menus, replays. None of it may queue work, move credits or run what was not offered.
/// </summary>
public sealed class ForgedInputTests : IDisposable
{
    private static readonly byte[] AnyPhoto = Harness.TinyPhoto;
    private readonly Harness h = new();

    public void Dispose() => h.Dispose();

    private async Task Grant(long user, long credits) =>
        await h.Ledger.PostAsync(new LedgerEntry { Key = $"grant:{Guid.NewGuid():N}", Platform = "telegram", UserId = user, Kind = LedgerKind.AdminGrant, Amount = credits });

    private Task<long> Balance(long user = 1) => h.Ledger.BalanceAsync("telegram", user);

    private string? LastAnswer => h.Messenger.All<AnsweredButton>().LastOrDefault()?.Text;

    [Theory]
    [InlineData("t:hd:-100000")]          // the press that minted 4990 credits
    [InlineData("t:hd:0")]
    [InlineData("t:hd:2147483647")]
    [InlineData("t:hd:abc")]
    [InlineData("t:premium")]
    [InlineData("p:wave")]
    [InlineData("")]
    [InlineData("0000000000000000.0")]    // the shape of an offer, but no such menu
    [InlineData("zz")]
    [InlineData("\u0000\n../../etc")]
    public async Task Button_data_written_by_hand_does_nothing(string data)
    {
        await Grant(1, 1);
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto, AnyPhoto]));
        await h.Say(new ButtonPressed(Harness.User(), "forged", data));
        Assert.Equal("That button is out of date.", LastAnswer);
        Assert.Equal(1, await Balance());
        Assert.Empty(await h.Queue.ActiveJobsAsync("telegram", 1));
        Assert.Single(await h.Ledger.EntriesAsync("telegram", 1));
    }

    [Fact]
    public async Task An_offer_changed_in_its_index_or_menu_id_is_refused()
    {
        await Grant(1, 100);
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto, AnyPhoto]));
        var real = h.ButtonOn("Premium", Harness.User().ChatId)!.Data;
        var (menu, index) = (real[..16], real[17..]);
        await h.Say(new ButtonPressed(Harness.User(), "a", $"{menu}.99"));
        await h.Say(new ButtonPressed(Harness.User(), "b", $"{menu}.-1"));
        await h.Say(new ButtonPressed(Harness.User(), "c", $"{(menu[0] == 'A' ? 'B' : 'A')}{menu[1..]}.{index}"));
        Assert.All(h.Messenger.All<AnsweredButton>(), a => Assert.Equal("That button is out of date.", a.Text));
        Assert.Equal(100, await Balance());
        Assert.Empty(await h.Queue.ActiveJobsAsync("telegram", 1));
    }

    [Fact]
    public async Task Another_users_buttons_are_not_theirs_to_press()
    {
        await Grant(1, 100);
        await Grant(2, 100);
        await h.Say(new PhotoMessage(Harness.User(1), [AnyPhoto, AnyPhoto]));
        var hers = h.ButtonOn("Premium", Harness.User(1).ChatId)!.Data;
        await h.Say(new ButtonPressed(Harness.User(2), "thief", hers));
        Assert.Equal("That button is out of date.", LastAnswer);
        Assert.Equal((100, 100), (await Balance(1), await Balance(2)));
        Assert.Empty(await h.Queue.ActiveJobsAsync("telegram", 2));
        Assert.Empty(await h.Queue.ActiveJobsAsync("telegram", 1));

        // A result's follow-ups are bound to its owner too.
        await h.Say(new PhotoMessage(Harness.User(1), [AnyPhoto]));
        var preset = h.ButtonOn("The Great Wave", Harness.User(1).ChatId)!.Data;
        await h.Say(new ButtonPressed(Harness.User(2), "thief", preset));
        Assert.Equal("That button is out of date.", LastAnswer);
        Assert.DoesNotContain(await h.Queue.ActiveJobsAsync("telegram", 2), j => j.Kind == JobKind.Preset);
    }

    [Fact]
    public async Task A_tier_press_replayed_books_once()
    {
        await Grant(1, 100);
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto, AnyPhoto]));
        var premium = h.ButtonOn("Premium", Harness.User().ChatId)!.Data;
        await h.Say(new ButtonPressed(Harness.User(), "first", premium));
        await h.Say(new ButtonPressed(Harness.User(), "again", premium));
        await h.Say(new ButtonPressed(Harness.User(), "hd", h.ButtonOn("1000 steps", Harness.User().ChatId)!.Data));   // the same menu, another tier
        Assert.Equal(["That button is out of date.", "That button is out of date."], h.Messenger.All<AnsweredButton>().Skip(1).Select(a => a.Text));
        var job = Assert.Single(await h.Queue.ActiveJobsAsync("telegram", 1));
        Assert.Equal((Tier.Premium, 10L), (job.Tier, job.Price));
        Assert.Equal(90, await Balance());
    }

    [Fact]
    public async Task A_tier_menu_goes_stale_when_a_newer_request_is_made()
    {
        await Grant(1, 100);
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto, AnyPhoto]));
        var old = h.ButtonOn("Premium", Harness.User().ChatId)!.Data;
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto], "dream"));
        await h.Say(new ButtonPressed(Harness.User(), "old", old));
        Assert.Equal("That button is out of date.", LastAnswer);
        Assert.Empty(await h.Queue.ActiveJobsAsync("telegram", 1));
        await h.Press("Premium");
        Assert.Equal(JobKind.Dream, Assert.Single(await h.Queue.ActiveJobsAsync("telegram", 1)).Kind);
    }

    [Fact]
    public async Task A_preset_button_paints_the_photo_it_was_sent_for()
    {
        await h.Say(new PhotoMessage(Harness.User(), [Harness.MakePhoto(16, 16, 0x112233)]));
        var first = h.ButtonOn("The Scream", Harness.User().ChatId)!.Data;
        await h.Say(new PhotoMessage(Harness.User(), [Harness.MakePhoto(16, 16, 0x223344)], "dream"));
        await h.Say(new ButtonPressed(Harness.User(), "older menu", first));
        var preset = (await h.Queue.ActiveJobsAsync("telegram", 1)).Single(j => j.Kind == JobKind.Preset);
        Assert.Equal(0x112233, Harness.ColourOf(await h.Images.GetAsync(preset.ContentImage)));
    }

    [Fact]
    public async Task An_expired_offer_is_stale()
    {
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto]));
        var button = h.ButtonOn("The Great Wave", Harness.User().ChatId)!.Data;
        h.Clock.Now += TimeSpan.FromDays(8);
        await h.Say(new ButtonPressed(Harness.User(), "late", button));
        Assert.Equal("That button is out of date.", LastAnswer);
        Assert.Equal(1, await h.Offers.DeleteExpiredAsync(h.Clock.Now));
    }

    [Theory]
    [InlineData("grant telegram:5 -100")]
    [InlineData("grant telegram:5 0")]
    [InlineData("grant telegram:5 99999999999")]
    [InlineData("grant telegram:5 1e6")]
    [InlineData("grant mars:5 10")]
    [InlineData("revoke telegram:5 -10")]
    [InlineData("promo BAD!CODE 10")]
    [InlineData("promo GIFT -5")]
    [InlineData("promo GIFT 5 0")]
    [InlineData("promo GIFT 5 2 -1")]
    public async Task Admin_arguments_out_of_range_change_nothing(string argument)
    {
        await h.Say(new CommandMessage(Harness.User(99), "admin", argument));
        Assert.StartsWith("/admin stats", h.Messenger.All<SentText>()[^1].Text);
        Assert.Equal(0, await Balance(5));
        Assert.Empty(await h.Ledger.AuditLogAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("DROP TABLE promos;--")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Malformed_promo_codes_are_refused_plainly(string code)
    {
        await h.Say(new CommandMessage(Harness.User(), "promo", code));
        Assert.Matches("^(Send the code|There is no such promo code)", h.Messenger.All<SentText>()[^1].Text);
        Assert.Equal(0, await Balance());
    }

    [Fact]
    public void Web_chat_ids_are_never_admins()
    {
        var options = new BotOptions { Admins = ["web:99", "telegram:99"] };
        Assert.False(options.IsAdmin("web", 99));
        Assert.True(options.IsAdmin("telegram", 99));
    }

    [Fact]
    public void Prices_that_would_give_paid_work_away_stop_the_bot_at_start()
    {
        // What the host runs on start: each failure names its key.
        static IEnumerable<string> Problems(BillingOptions o) =>
            new ArtBot.Configuration.KeyedValidation<BillingOptions>(BillingOptions.Section, new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build())
                .Validate(null, o).Failures ?? [];
        Assert.Empty(Problems(new BillingOptions()));
        Assert.Contains(Problems(new BillingOptions { PremiumPrice = 0 }), f => f.StartsWith("Billing:PremiumPrice = 0: "));
        Assert.Contains(Problems(new BillingOptions { HdBasePrice = -10 }), f => f.StartsWith("Billing:HdBasePrice = -10: "));
        Assert.Contains(Problems(new BillingOptions { HdIterations = [300, -100000] }), f => f.StartsWith("Billing:HdIterations = 300,-100000: "));
        Assert.Contains(Problems(new BillingOptions { Packs = [new CreditPack("s", -50, 50)] }), f => f.StartsWith("Billing:Packs"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BillingOptions().PriceOf(Tier.Hd, -100000));
    }
}
