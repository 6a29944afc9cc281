using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;

namespace ArtBot.Bot.Tests;

/// <summary>The conversation on a real queue file; nothing renders here.</summary>
public sealed class ConversationTests : IDisposable
{
    private readonly Harness h = new();

    public void Dispose() => h.Dispose();

    private static readonly byte[] AnyPhoto = Harness.TinyPhoto;

    private async Task<IReadOnlyList<Job>> Active(long user = 1) => await h.Queue.ActiveJobsAsync("telegram", user);

    [Fact]
    public async Task Start_greets_in_the_clients_language()
    {
        await h.Say(new CommandMessage(Harness.User(1, "ru-RU"), "start"));
        await h.Say(new CommandMessage(Harness.User(2, "de"), "start"));
        var texts = h.Messenger.All<SentText>();
        Assert.StartsWith("Привет!", texts[0].Text);
        Assert.Equal(10, texts[0].ChatId);
        Assert.StartsWith("Hi!", texts[1].Text);
    }

    [Fact]
    public async Task A_photo_brings_the_preset_menu_and_queues_the_gallery_preview()
    {
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto]));
        var menu = Assert.Single(h.Messenger.All<SentText>());
        var buttons = menu.Keyboard!.Rows.SelectMany(r => r).ToList();
        Assert.Equal(11, buttons.Count);
        Assert.Equal("1. The Great Wave", buttons[0].Text);
        Assert.Contains(buttons, b => b.Text == "Dream");
        // Buttons carry an opaque reference to the offer, nothing a client could edit into another one.
        Assert.All(buttons, b => Assert.Matches(@"^[0-9A-Za-z]{16}\.\d+$", b.Data));
        var gallery = Assert.Single(await Active());
        Assert.Equal((JobKind.Gallery, JobClass.Light), (gallery.Kind, gallery.Class));
        Assert.Equal(1, h.Signals);
    }

    [Fact]
    public async Task Only_what_this_host_can_render_is_offered()
    {
        // A host with two presets' weights, no VGG and no ffmpeg.
        using var h = new Harness(capabilities: new ArtCapabilities(Animation: false, Gatys: false, Dream: true, new HashSet<string> { "wave", "udnie" }, ["gatys: vgg19 missing"]));
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto]));
        var buttons = Assert.Single(h.Messenger.All<SentText>()).Keyboard!.Rows.SelectMany(r => r).Select(b => b.Text).ToList();
        Assert.Equal(["1. The Great Wave", "2. Udnie", "Dream"], buttons);   // numbered as the preview sheet numbers them
        await h.Say(new AnimationMessage(Harness.User(), [1, 2, 3]));
        Assert.Equal("Sorry, animations are not available on this server. Send a photo instead: every style works for photos.", h.Messenger.All<SentText>()[^1].Text);
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto, AnyPhoto]));
        Assert.Equal("Sorry, painting in the style of your own picture is not available on this server right now. The preset styles work.", h.Messenger.All<SentText>()[^1].Text);
        Assert.Equal([JobKind.Gallery], (await h.Queue.ActiveJobsAsync("telegram", 1)).Select(j => j.Kind));   // the preview, nothing else
    }

    [Fact]
    public async Task Picking_a_preset_queues_a_fast_job_and_answers_the_button()
    {
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto]));
        await h.Press("The Scream", callbackId: "cb1");
        var preset = (await Active()).Single(j => j.Kind == JobKind.Preset);
        Assert.Equal("scream", preset.PresetId);
        Assert.Equal(JobClass.Light, preset.Class);
        Assert.Contains(h.Messenger.All<AnsweredButton>(), a => a.CallbackId == "cb1");
        Assert.Contains(h.Messenger.All<SentText>(), t => t.Text.StartsWith("Queued: you are #2"));
    }

    [Fact]
    public async Task Second_photo_is_the_style_and_a_free_heavy_job_waits_for_tonight()
    {
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto]));
        await h.Say(new PhotoMessage(Harness.User(), [Harness.MakePhoto(16, 16, 0x445566)]));
        var stylize = (await Active()).Single(j => j.Kind == JobKind.Stylize);
        Assert.Equal(JobClass.Heavy, stylize.Class);
        Assert.NotNull(stylize.StyleImage);
        Assert.Equal(Harness.ColourOf(AnyPhoto), Harness.ColourOf(await h.Images.GetAsync(stylize.ContentImage)));
        Assert.Equal(0x445566, Harness.ColourOf(await h.Images.GetAsync(stylize.StyleImage!)));
        Assert.Contains(h.Messenger.All<SentText>(), t => t.Text.Contains("tonight after 01:00"));
    }

    [Fact]
    public async Task An_album_of_two_is_content_and_style()
    {
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto, Harness.MakePhoto(16, 16, 0x998877)]));
        var job = Assert.Single(await Active());
        Assert.Equal(JobKind.Stylize, job.Kind);
        Assert.Equal(0x998877, Harness.ColourOf(await h.Images.GetAsync(job.StyleImage!)));
    }

    [Theory]
    [InlineData("dream")]
    [InlineData("Сон")]
    public async Task A_photo_captioned_dream_is_dreamt(string caption)
    {
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto], caption));
        Assert.Equal(JobKind.Dream, Assert.Single(await Active()).Kind);
    }

    [Fact]
    public async Task Dream_command_then_a_photo_is_a_dream()
    {
        await h.Say(new CommandMessage(Harness.User(), "dream"));
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto]));
        Assert.Equal(JobKind.Dream, Assert.Single(await Active()).Kind);
    }

    [Fact]
    public async Task Paid_users_are_told_they_go_first()
    {
        await h.Say(new PhotoMessage(Harness.User(1), [AnyPhoto]));
        await h.Press("The Great Wave", Harness.User(1));
        await h.Ledger.PostAsync(new LedgerEntry { Key = "grant-2", Platform = "telegram", UserId = 2, Kind = LedgerKind.AdminGrant, Amount = 100 });
        await h.Say(new PhotoMessage(Harness.User(2), [AnyPhoto], "dream"));
        await h.Press("Premium", Harness.User(2));
        var paid = Assert.Single(await Active(2));
        Assert.True(paid.Paid);
        Assert.Equal(1, await h.Queue.PositionAsync(paid));
        Assert.Contains(h.Messenger.All<SentText>(), t => t.ChatId == 20 && t.Text.StartsWith("Queued: you are #1"));
    }

    [Fact]
    public async Task Status_and_cancel_speak_about_the_users_own_jobs()
    {
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto]));
        await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto]));
        h.Messenger.Clear();
        await h.Say(new CommandMessage(Harness.User(), "status"));
        var status = Assert.Single(h.Messenger.All<SentText>()).Text;
        Assert.Contains("#1 in the queue (style preview)", status);
        Assert.Contains("runs tonight after 01:00 (painting in your style)", status);

        await h.Say(new CommandMessage(Harness.User(), "cancel"));
        Assert.Empty(await Active());
        await h.Say(new CommandMessage(Harness.User(), "cancel"));
        Assert.Equal("You have nothing in the queue.", h.Messenger.All<SentText>()[^1].Text);
    }

    [Fact]
    public async Task A_free_user_cannot_pile_up_heavy_jobs()
    {
        for (var i = 0; i < 3; i++) await h.Say(new PhotoMessage(Harness.User(), [AnyPhoto, AnyPhoto]));
        Assert.Equal(2, (await Active()).Count);
        Assert.Contains("already have 2 big jobs", h.Messenger.All<SentText>()[^1].Text);
    }

    [Fact]
    public async Task Settings_change_language_for_good_and_size_within_the_tier()
    {
        await h.Say(new CommandMessage(Harness.User(1, "en"), "settings"));
        await h.Press("Русский", Harness.User(1, "en"));
        await h.Press("384px", Harness.User(1, "en"));
        await h.Say(new CommandMessage(Harness.User(1, "en"), "help"));
        Assert.StartsWith("Команды:", h.Messenger.All<SentText>()[^1].Text);
        var sizes = h.Messenger.All<SentText>()[0].Keyboard!.Rows[0].Select(b => b.Text);
        Assert.Equal(["384px", "512px", "768px", "1024px", "1600px"], sizes); // up to what HD paints
        await h.Say(new PhotoMessage(Harness.User(1, "en"), [AnyPhoto], "dream"));
        Assert.Equal(384, (await Active()).Single().Size);
    }

    [Fact]
    public async Task A_chosen_size_is_capped_by_the_tier_of_each_job()
    {
        await h.Say(new CommandMessage(Harness.User(1), "settings"));
        await h.Press("1600px", Harness.User(1));
        await h.Say(new PhotoMessage(Harness.User(1), [AnyPhoto], "dream"));
        Assert.Equal(600, (await Active()).Single().Size);   // free: up to 600 px
        await h.Ledger.PostAsync(new LedgerEntry { Key = "grant", Platform = "telegram", UserId = 1, Kind = LedgerKind.AdminGrant, Amount = 50 });
        await h.Say(new PhotoMessage(Harness.User(1), [AnyPhoto], "dream"));
        await h.Press("Premium", Harness.User(1));
        Assert.Equal(1000, (await Active())[^1].Size);          // Premium: up to 1000 px
    }

    [Fact]
    public async Task Anything_else_gets_a_short_explanation()
    {
        await h.Say(new UnsupportedMessage(Harness.User(), Unsupported.Sticker));
        await h.Say(new TextMessage(Harness.User(), "hello?"));
        await h.Say(new CommandMessage(Harness.User(), "paint"));
        await h.Say(new ButtonPressed(Harness.User(), "old", "p:wave"));   // the data of an older version's button
        var texts = h.Messenger.All<SentText>().Select(t => t.Text).ToList();
        Assert.Equal("I can't use a sticker. Send a photo, please.", texts[0]);
        Assert.StartsWith("I work with photos", texts[1]);
        Assert.StartsWith("I don't know that command", texts[2]);
        Assert.Equal("That button is out of date.", h.Messenger.All<AnsweredButton>().Single().Text);
        Assert.Empty(await Active());
    }

    [Fact]
    public async Task A_user_who_chose_russian_gets_the_whole_explanation_in_russian()
    {
        await h.Say(new CommandMessage(Harness.User(1, "en"), "settings"));
        await h.Press("Русский", Harness.User(1, "en"));
        await h.Say(new UnsupportedMessage(Harness.User(1, "en"), Unsupported.Audio));
        Assert.Equal("Не могу использовать аудио. Пришлите, пожалуйста, фото.", h.Messenger.All<SentText>()[^1].Text);
    }
}
