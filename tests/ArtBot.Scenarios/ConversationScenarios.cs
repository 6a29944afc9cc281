using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Bot.Worker;
using Microsoft.Extensions.DependencyInjection;
using ArtBot.Domain.Queue;
using ArtBot.Storage;

namespace ArtBot.Scenarios;

/// <summary>
/// The conversation as a user lives it, written once for every platform: the real host (engine on
/// the real weights, LiteDB file, Quartz dispatcher, the platform's adapter) against the
/// platform's fake API, with small images and few iterations. Each platform's test project
/// derives a class from this one, so the adapters cannot drift apart.
/// </summary>
public abstract class ConversationScenarios<TPlatform> : IAsyncLifetime where TPlatform : IFakePlatform, new()
{
    protected static readonly TimeSpan Patience = BotUnderTest.Patience;
    private readonly BotUnderTest bot = new();

    protected TPlatform Chat { get; } = new();

    protected CapturingLoggerProvider Logs => bot.Logs;

    protected string Database => bot.Database;

    protected string GalleryUrl => bot.GalleryUrl;

    /// <summary>What a picture's buttons offer to do here ("send to a chat" is Telegram's alone, and tested there).</summary>
    protected static IReadOnlyList<string> Actions(Sent x) => x.ButtonLabels.Where(l => l != "Send to a chat").ToList();

    protected IServiceProvider BotServices => bot.Services;

    public Task InitializeAsync() => Chat.StartAsync();

    public async Task DisposeAsync()
    {
        await bot.DisposeAsync();
        await Chat.DisposeAsync();
    }

    protected Task StartBotAsync(bool idleServesHeavy = true, int lightMaxIterations = 100, long maxDownloadBytes = 20 * 1024 * 1024,
        IReadOnlyDictionary<string, string?>? settings = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configure = null)
    {
        var all = new Dictionary<string, string?>(Chat.Settings) { [Chat.MaxDownloadSetting] = maxDownloadBytes.ToString() };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        return bot.StartAsync(Chat, all, idleServesHeavy, lightMaxIterations, AdminId, configure);
    }

    protected Task StopBotAsync() => bot.StopAsync();

    protected async Task<IReadOnlyList<Sent>> WaitFor(Func<IReadOnlyList<Sent>, bool> condition, string what)
    {
        try
        {
            return await Chat.WaitForAsync(condition, Patience, what);
        }
        catch (TimeoutException e)
        {
            throw bot.Explain(e);
        }
    }

    protected const long AdminId = 99;

    private ArtBotDatabase? openDatabase;

    /// <summary>
    /// An admin action. Where the platform has admins, the admin sends the command and sees the
    /// answer. The web chat has none (anyone can be any browser): there the same command from the
    /// id listed as admin is refused as unknown, and the action is taken as an admin on another
    /// platform would, on the store, while the bot is stopped.
    /// </summary>
    protected async Task AsAdminAsync(string command, string answer, Func<LiteLedger, Task> elsewhere)
    {
        Chat.PushText(AdminId, "/admin " + command);
        if (Chat.Platform != "web")
        {
            await WaitFor(c => c.Any(x => x.ChatId == AdminId && x.Text == answer || x.ChatId == AdminId && x.Says(answer)), "the admin's answer");
            return;
        }
        await WaitFor(c => c.Any(x => x.ChatId == AdminId && x.Text == "I don't know that command. /help lists what I can do."), "the refusal of a web admin");
        await StopBotAsync();
        using (openDatabase = new ArtBotDatabase(Database)) await elsewhere(new LiteLedger(openDatabase));
        openDatabase = null;
        await StartBotAsync();
    }

    /// <summary>Credits as an admin grant, written to the ledger while the bot is stopped.</summary>
    protected async Task GrantAsync(long user, long credits)
    {
        using var database = new ArtBotDatabase(Database);
        await new LiteLedger(database).PostAsync(new LedgerEntry
        {
            Key = $"test:{user}:{Guid.NewGuid()}", Platform = Chat.Platform, UserId = user, Kind = LedgerKind.AdminGrant, Amount = credits,
        });
    }

    protected async Task<IReadOnlyList<LedgerEntry>> LedgerOfAsync(long user)
    {
        using var database = new ArtBotDatabase(Database);
        return await new LiteLedger(database).EntriesAsync(Chat.Platform, user);
    }

    protected static byte[] Photo(string name) => TestPaths.Photo(name);

    protected static byte[] Painting(string name) => TestPaths.Painting(name);

    protected static bool IsPreview(Sent x) => x.IsLivePreview;

    protected static bool IsPicture(Sent x) => x.IsPicture;

    [Fact]
    public async Task Photo_brings_the_menu_and_gallery_preview_then_a_preset_result()
    {
        await StartBotAsync();
        Chat.PushPhoto(7, Photo("tubingen.jpg"));
        var sent = await WaitFor(c => c.Any(x => x.Kind == SentKind.Photo), "the gallery preview");
        var menu = sent.First(c => c.Kind == SentKind.Text);
        Assert.Equal(7, menu.ChatId);
        Assert.Contains("1. The Great Wave", menu.ButtonLabels);
        var preview = sent.First(c => c.Kind == SentKind.Photo);
        Assert.Equal("Your photo in every style: pick one below.", preview.Text);
        Assert.True(preview.File!.Length > 1000);
        Assert.Contains("1. The Great Wave", preview.ButtonLabels);   // the sheet carries the preset menu itself

        Chat.PushButton(7, preview.DataOf("Udnie") ?? throw new InvalidOperationException("no Udnie under the preview"));
        sent = await WaitFor(c => c.Count(x => x.Kind == SentKind.Photo) == 2, "the preset result");
        Assert.Contains(sent, c => c.Kind == SentKind.ButtonAnswer);
        var result = sent.Last(c => c.Kind == SentKind.Photo);
        Assert.StartsWith("Style “Udnie”", result.Text);
        Assert.Equal(["Stronger", "Another style", "Dream this", "🌐 Share"], Actions(result));
    }

    [Fact]
    public async Task Two_photos_are_painted_by_gatys_with_one_progress_message()
    {
        await StartBotAsync();
        Chat.PushPhoto(8, Photo("dog.jpg"));
        await WaitFor(c => c.Any(x => x.Kind == SentKind.Photo), "the gallery preview");
        Chat.PushPhoto(8, Painting("starry_night.jpg"));
        var sent = await WaitFor(c => c.Any(x => x.Kind == SentKind.Photo && x.Says("Painted")), "the Gatys result");
        Assert.Contains(sent, c => c.Kind == SentKind.Text && c.Says("Queued: you are #"));
        var started = sent.Single(c => c.Text == "Started working on your picture.");
        var edits = sent.Where(c => c.Kind == SentKind.Edit && !IsPreview(c)).ToList();
        Assert.NotEmpty(edits);
        Assert.All(edits, e => Assert.Equal(started.MessageId, e.MessageId));
        Assert.Single(sent.Where(c => IsPreview(c)).Select(c => c.MessageId).Distinct());   // and one preview message beside it
    }

    [Fact]
    public async Task An_album_is_content_and_style_and_a_dream_caption_dreams()
    {
        await StartBotAsync();
        Chat.PushAlbum(9, Photo("person.jpg"), Painting("the_scream.jpg"));
        Chat.PushPhoto(9, Photo("dog.jpg"), caption: "сон", language: "ru");
        var sent = await WaitFor(c => c.Count(IsPicture) == 2, "both results");
        var captions = sent.Where(IsPicture).Select(c => c.Text!).ToList();
        Assert.Contains(captions, t => t.StartsWith("Painted"));
        Assert.Contains(captions, t => t.StartsWith("Сон"));
        Assert.DoesNotContain(sent, c => c.Says("Got your photo"));
    }

    [Fact]
    public async Task A_held_heavy_job_shows_in_status_and_cancel_removes_it()
    {
        await StartBotAsync(idleServesHeavy: false, lightMaxIterations: 2);
        Chat.PushAlbum(10, Photo("dog.jpg"), Painting("shipwreck.jpg"));
        await WaitFor(c => c.Any(x => x.Text?.Contains("tonight after 01:00") == true), "the night-window notice");
        Chat.PushText(10, "/status");
        await WaitFor(c => c.Any(x => x.Text?.Contains("in the queue, runs tonight after 01:00") == true), "the status");
        Chat.PushText(10, "/cancel");
        await WaitFor(c => c.Any(x => x.Text == "Cancelled."), "the cancellation");
        Chat.PushText(10, "/status");
        await WaitFor(c => c.Any(x => x.Text == "You have nothing in the queue. Send a photo!"), "an empty status");
    }

    [Fact]
    public async Task A_heavy_free_job_that_starts_now_by_day_is_not_told_to_wait_for_the_night()
    {
        await StartBotAsync(idleServesHeavy: true, lightMaxIterations: 2);
        Chat.PushAlbum(17, Photo("dog.jpg"), Painting("starry_night.jpg"));
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 17 && IsPicture(x)), "the picture");
        Assert.Contains(sent, c => c.ChatId == 17 && c.Text == "Queued: you are #1. I'll post progress here.");
        Assert.DoesNotContain(sent, c => c.Text?.Contains("tonight") == true);
    }

    [Fact]
    public async Task The_cancel_button_under_a_queued_job_cancels_that_job_only()
    {
        await StartBotAsync(idleServesHeavy: false, lightMaxIterations: 2);
        bool Held(Sent x) => x.ChatId == 18 && x.Text?.Contains("tonight after") == true;
        Chat.PushAlbum(18, Photo("dog.jpg"), Painting("starry_night.jpg"));
        await WaitFor(c => c.Count(Held) == 1, "the first held job");
        Chat.PushAlbum(18, Photo("person.jpg"), Painting("the_scream.jpg"));
        var sent = await WaitFor(c => c.Count(Held) == 2, "the second held job");
        var second = sent.Where(Held).ElementAt(1).DataOf("Cancel") ?? throw new InvalidOperationException("no Cancel button on the queue notice");

        Chat.PushButton(18, second);
        await WaitFor(c => c.Any(x => x.ChatId == 18 && x.Text == "Cancelled."), "the cancellation");
        Chat.PushText(18, "/status");
        sent = await WaitFor(c => c.Any(x => x.ChatId == 18 && x.Says("#1 in the queue")), "the status");
        var status = sent.Last(x => x.ChatId == 18 && x.Says("#1 in the queue")).Text!;
        Assert.Single(status.Split('\n'));   // the other job is still there, and only it
        Chat.PushButton(18, second);
        await WaitFor(c => c.Any(x => x.ChatId == 18 && x.Text == "That picture is already finished."), "the second press");
    }

    [Fact]
    public async Task The_progress_message_carries_a_cancel_button_until_the_picture_is_done()
    {
        await StartBotAsync();
        Chat.PushPhoto(19, Photo("dog.jpg"), caption: "dream");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 19 && IsPicture(x)), "the dream");
        var progress = sent.First(x => x.ChatId == 19 && x.Says("Started working"));
        Assert.NotNull(progress.DataOf("Cancel"));
        sent = await WaitFor(c => c.Any(x => x.ChatId == 19 && x.MessageId == progress.MessageId && x.Says("Done")), "the final edit");
        Assert.Empty(sent.Last(x => x.ChatId == 19 && x.MessageId == progress.MessageId).Buttons);
    }

    /// <summary>A photo, then a preset from its menu, as a person does it: the picture as sent.</summary>
    protected async Task<Sent> PresetPictureAsync(long user, string photo, string preset)
    {
        var before = Chat.Sent.Count(x => x.ChatId == user && x.Kind == SentKind.Photo);
        Chat.PushPhoto(user, Photo(photo));
        await WaitFor(c => c.Count(x => x.ChatId == user && x.Kind == SentKind.Photo) == before + 1, "the preview");
        Chat.Press(user, preset);
        var sent = await WaitFor(c => c.Count(x => x.ChatId == user && x.Kind == SentKind.Photo) == before + 2, $"the {preset} picture");
        return sent.Last(x => x.ChatId == user && x.Kind == SentKind.Photo);
    }

    /// <summary>The button labelled <paramref name="label"/> ("Share", "Share with the painting") pressed under a picture: the bot's answer.</summary>
    protected async Task<Sent> ShareAsync(long user, Sent picture, string label = "Share")
    {
        var before = Chat.Sent.Count(x => x.ChatId == user && x.Says("In the gallery now:"));
        Chat.PushButton(user, picture.DataOf(label) ?? throw new InvalidOperationException($"no '{label}' under the picture"));
        var sent = await WaitFor(c => c.Count(x => x.ChatId == user && x.Says("In the gallery now:")) == before + 1, "the share");
        return sent.Last(x => x.ChatId == user && x.Says("In the gallery now:"));
    }

    /// <summary>A picture's gallery address in what the bot said.</summary>
    protected static string LinkIn(Sent x) =>
        System.Text.RegularExpressions.Regex.Match(x.Text ?? "", @"https?://\S+/p/[a-z0-9]{10}") is { Success: true } m ? m.Value : throw new InvalidOperationException($"no gallery link in '{x.Text}'");

    [Fact]
    public async Task A_shared_picture_shows_in_the_gallery_is_liked_once_tops_the_week_and_is_gone_when_unshared_or_forgotten()
    {
        const long author = 41, fan = 42;
        await GrantAsync(author, 5);
        await StartBotAsync();
        using var visitor = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() });

        var result = await PresetPictureAsync(author, "tubingen.jpg", "Udnie");

        // Nothing is public before the press.
        Assert.DoesNotContain("/p/", await visitor.GetStringAsync(GalleryUrl + "gallery"));
        if (Chat.Platform != "web")
        {
            // Beside a messenger the host serves the gallery alone: its root is the gallery, and no chat answers.
            Assert.Equal("/gallery", (await visitor.GetAsync(GalleryUrl)).RequestMessage!.RequestUri!.AbsolutePath);
            Assert.False((await visitor.GetAsync(GalleryUrl + "api/messages")).IsSuccessStatusCode);
        }
        var link = LinkIn(await ShareAsync(author, result));
        var id = link[^10..];
        Assert.StartsWith(GalleryUrl, link);

        var page = await visitor.GetStringAsync(link);
        Assert.Contains("<meta property=\"og:image\" content=\"" + GalleryUrl + "g/" + id + "/full.jpg\"", page);
        Assert.Contains("Udnie", page);
        Assert.Contains("/p/" + id, await visitor.GetStringAsync(GalleryUrl + "gallery"));
        Assert.Contains("/p/" + id, await visitor.GetStringAsync(GalleryUrl + "gallery?order=best&lang=ru"));
        var image = await visitor.GetAsync($"{GalleryUrl}g/{id}/full.jpg");
        Assert.Equal("image/jpeg", image.Content.Headers.ContentType?.MediaType);
        Assert.True((await image.Content.ReadAsByteArrayAsync()).Length > 1000);
        var again = new HttpRequestMessage(HttpMethod.Get, $"{GalleryUrl}g/{id}/thumb.jpg");
        var thumbnail = await visitor.GetAsync($"{GalleryUrl}g/{id}/thumb.jpg");
        again.Headers.IfNoneMatch.Add(thumbnail.Headers.ETag!);
        Assert.Equal(System.Net.HttpStatusCode.NotModified, (await visitor.SendAsync(again)).StatusCode);

        // Ids the gallery never made reach no store, and nothing is counted for them.
        foreach (var forged in new[] { "zzzzzzzzzz", "..%2F..%2Fetc", "AAAAAAAAAA", id + "0" })
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await visitor.GetAsync($"{GalleryUrl}p/{forged}")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await visitor.GetAsync($"{GalleryUrl}g/{forged}/full.jpg")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await visitor.PostAsync($"{GalleryUrl}gallery/like/{forged}", null)).StatusCode);
        }
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await visitor.GetAsync($"{GalleryUrl}g/{id}/secret.jpg")).StatusCode);

        // A like from the page, twice, counts once; so does a like from a chat.
        Assert.Contains("\"likes\":1", await (await visitor.PostAsync($"{GalleryUrl}gallery/like/{id}", null)).Content.ReadAsStringAsync());
        Assert.Contains("\"counted\":false,\"likes\":1", await (await visitor.PostAsync($"{GalleryUrl}gallery/like/{id}", null)).Content.ReadAsStringAsync());
        Chat.PushText(fan, "/top");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == fan && IsPicture(x) && x.Says("♥ 1 · Udnie")), "the week's best");
        Assert.Contains(sent, x => x.ChatId == fan && x.Says("The week's best, 1 picture."));
        var heart = sent.Last(x => x.ChatId == fan && IsPicture(x)).DataOf("♥")!;
        Chat.PushButton(fan, heart);
        await WaitFor(c => c.Any(x => x.Text == "♥ Counted. Thank you!"), "the like");
        Chat.PushButton(fan, heart);
        await WaitFor(c => c.Any(x => x.Text == "You liked this one already."), "the second like");
        Chat.PushText(author, "/history");
        sent = await WaitFor(c => c.Any(x => x.ChatId == author && x.Says("Your last pictures:")), "the history");
        var history = sent.Last(x => x.ChatId == author && x.Says("Your last pictures:"));
        Assert.EndsWith(" · in the gallery, ♥ 2", history.Text);

        // Unshared: its page and pictures are gone.
        Chat.PushButton(author, history.DataOf("Unshare")!);
        await WaitFor(c => c.Any(x => x.ChatId == author && x.Text == "Taken out of the gallery: its page is gone."), "the unshare");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await visitor.GetAsync(link)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await visitor.GetAsync($"{GalleryUrl}g/{id}/full.jpg")).StatusCode);
        Assert.DoesNotContain("/p/" + id, await visitor.GetStringAsync(GalleryUrl + "gallery"));

        // Shared again, then the author asks to be forgotten.
        var second = LinkIn(await ShareAsync(author, result));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await visitor.GetAsync(second)).StatusCode);
        Chat.PushText(author, "/forget");
        await WaitFor(c => c.Any(x => x.ChatId == author && x.Says("This deletes your photos")), "the confirmation");
        Chat.Press(author, "Yes, delete my data");
        await WaitFor(c => c.Any(x => x.ChatId == author && x.Says("Done: your photos")), "the forgetting");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await visitor.GetAsync(second)).StatusCode);

        await StopBotAsync();
        using var database = new ArtBotDatabase(Database);
        var key = ArtBot.Domain.Bot.UserProfile.KeyOf(Chat.Platform, author);
        Assert.Empty(await new ArtBot.Storage.LiteGalleryStore(database).OfUserAsync(Chat.Platform, author));
        Assert.Equal(0, (await new LiteJobQueue(database).StatsAsync()).ByState.Values.Sum());   // the fan has none: every job was the author's
        Assert.Null(await new LiteUserStore(database).FindAsync(Chat.Platform, author));
        Assert.Null(await new LiteOfferStore(database).FindAsync(result.DataOf("Share")![..16]));
        var images = new LiteImageStore(database);
        foreach (var owner in new[] { key, key + "/gallery", key + "/chat", "web-net:127.0.0.1" })
            Assert.Equal(0, await images.StoredBytesAsync(owner, DateTimeOffset.MinValue));
        Assert.Contains(await new LiteLedger(database).EntriesAsync(Chat.Platform, author), e => e.Kind == LedgerKind.AdminGrant && e.Amount == 5);
    }

    [Fact]
    public async Task Export_sends_a_zip_of_the_users_own_pictures()
    {
        await StartBotAsync();
        Chat.PushText(43, "/export");
        await WaitFor(c => c.Any(x => x.ChatId == 43 && x.Text == "You have no pictures to export yet."), "the empty export");
        var picture = await PresetPictureAsync(43, "tubingen.jpg", "Udnie");
        Chat.PushPhoto(44, Photo("dog.jpg"));   // someone else's photo: not in 43's zip
        await WaitFor(c => c.Any(x => x.ChatId == 44 && x.Kind == SentKind.Photo), "the other preview");

        Chat.PushText(43, "/export");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 43 && x.Kind == SentKind.File && x.Says("Your pictures, 1 file.")), "the zip");
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(sent.Last(x => x.ChatId == 43 && x.Kind == SentKind.File).File!));
        var entry = Assert.Single(zip.Entries);   // the picture, not the preview sheet, not the photo
        Assert.Matches(@"^artbot-\d{4}-\d{2}-\d{2}-\d+\.jpg$", entry.Name);
        using var stream = new MemoryStream();
        await using (var open = entry.Open()) await open.CopyToAsync(stream);
        Assert.Equal(picture.File, stream.ToArray());
    }

    [Fact]
    public async Task Help_carries_the_everyday_commands_as_buttons()
    {
        await StartBotAsync();
        Chat.PushText(23, "/help");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 23 && x.Says("Commands:")), "the help");
        var help = sent.Last(x => x.ChatId == 23 && x.Says("Commands:"));
        Assert.Equal(["Status", "History", "Settings", "Balance", "Cancel all", "Help"], help.ButtonLabels);
        Chat.PushButton(23, help.DataOf("Status")!);
        await WaitFor(c => c.Any(x => x.ChatId == 23 && x.Text == "You have nothing in the queue. Send a photo!"), "the status");
    }

    [Fact]
    public async Task History_lists_the_pictures_and_sends_one_again()
    {
        await StartBotAsync();
        Chat.PushText(24, "/history");
        await WaitFor(c => c.Any(x => x.ChatId == 24 && x.Text == "No pictures yet. Send a photo!"), "the empty history");
        Chat.PushPhoto(24, Photo("dog.jpg"));
        await WaitFor(c => c.Any(x => x.ChatId == 24 && x.Kind == SentKind.Photo), "the preview");
        Chat.Press(24, "The Great Wave");
        var sent = await WaitFor(c => c.Count(x => x.ChatId == 24 && x.Kind == SentKind.Photo) == 2, "the picture");
        var picture = sent.Last(x => x.ChatId == 24 && x.Kind == SentKind.Photo);

        Chat.PushText(24, "/history");
        sent = await WaitFor(c => c.Any(x => x.ChatId == 24 && x.Says("Your last pictures:")), "the history");
        var history = sent.Last(x => x.ChatId == 24 && x.Says("Your last pictures:"));
        Assert.StartsWith("Your last pictures:\n1. style “The Great Wave”, ", history.Text);
        Assert.Single(history.Text!.Split('\n').Skip(1));   // the picture, not the preview sheet
        Assert.Equal(["1. Send again", "1. Another style"], history.ButtonLabels);

        Chat.PushButton(24, history.DataOf("Send again")!);
        sent = await WaitFor(c => c.Count(x => x.ChatId == 24 && x.Kind == SentKind.Photo) == 3, "the picture again");
        var again = sent.Last(x => x.ChatId == 24 && x.Kind == SentKind.Photo);
        Assert.Equal("From your history: style “The Great Wave”.", again.Text);
        Assert.Equal(picture.File, again.File);
        Assert.Equal(["Stronger", "Another style", "Dream this", "🌐 Share"], Actions(again));
    }

    [Fact]
    public async Task Three_photos_make_one_picture_from_two_paintings_mixed_as_chosen()
    {
        await StartBotAsync();
        Chat.PushAlbum(25, Photo("dog.jpg"), Painting("starry_night.jpg"), Painting("the_scream.jpg"));
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 25 && x.Says("Two paintings for one picture")), "the blend menu");
        var menu = sent.Last(x => x.ChatId == 25 && x.Says("Two paintings"));
        Assert.Equal(["30 / 70", "50 / 50", "70 / 30"], menu.ButtonLabels);
        Chat.PushButton(25, menu.DataOf("70 / 30")!);
        sent = await WaitFor(c => c.Any(x => x.ChatId == 25 && IsPicture(x)), "the blended picture");
        Assert.Contains(sent, x => x.ChatId == 25 && x.Says("Queued: you are #"));
        var picture = sent.Last(x => x.ChatId == 25 && IsPicture(x));
        Assert.StartsWith("Painted in the style of your picture", picture.Text);
        Assert.Equal(["Stronger", "Another style", "Dream this", "🌐 Share", "🌐 Share with the painting"], Actions(picture));   // already two paintings: no third
        Chat.PushButton(25, menu.DataOf("30 / 70")!);                                       // the menu was one-shot
        await WaitFor(c => c.Any(x => x.Kind == SentKind.ButtonAnswer && x.Text == "That button is out of date."), "the stale second press");

        // Shared with its painting ticked: the page shows the painting's thumbnail, never the photo.
        var link = LinkIn(await ShareAsync(25, picture, "Share with the painting"));
        using var visitor = new HttpClient();
        Assert.Contains($"/g/{link[^10..]}/painting.jpg", await visitor.GetStringAsync(link));
        var painting = await visitor.GetAsync($"{GalleryUrl}g/{link[^10..]}/painting.jpg");
        Assert.Equal("image/jpeg", painting.Content.Headers.ContentType?.MediaType);
        Assert.True((await painting.Content.ReadAsByteArrayAsync()).Length > 500);
    }

    [Fact]
    public async Task A_picture_shared_without_its_painting_never_shows_it()
    {
        await StartBotAsync();
        Chat.PushAlbum(27, Photo("dog.jpg"), Painting("starry_night.jpg"));
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 27 && IsPicture(x)), "the picture");
        var link = LinkIn(await ShareAsync(27, sent.Last(x => x.ChatId == 27 && IsPicture(x)), "🌐 Share"));
        using var visitor = new HttpClient();
        Assert.DoesNotContain("painting.jpg", await visitor.GetStringAsync(link));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await visitor.GetAsync($"{GalleryUrl}g/{link[^10..]}/painting.jpg")).StatusCode);
    }

    [Fact]
    public async Task A_second_painting_can_be_added_to_a_picture_from_one()
    {
        await StartBotAsync();
        Chat.PushAlbum(26, Photo("dog.jpg"), Painting("starry_night.jpg"));
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 26 && IsPicture(x)), "the picture");
        var picture = sent.Last(x => x.ChatId == 26 && IsPicture(x));
        Assert.Equal(["Stronger", "Another style", "Dream this", "+ painting", "🌐 Share", "🌐 Share with the painting"], Actions(picture));
        Chat.PushButton(26, picture.DataOf("+ painting")!);
        await WaitFor(c => c.Any(x => x.ChatId == 26 && x.Says("Send a second painting")), "the request for a second painting");
        Chat.PushPhoto(26, Painting("the_scream.jpg"));
        sent = await WaitFor(c => c.Any(x => x.ChatId == 26 && x.Says("Two paintings for one picture")), "the blend menu");
        Chat.PushButton(26, sent.Last(x => x.ChatId == 26 && x.Says("Two paintings")).DataOf("50 / 50")!);
        await WaitFor(c => c.Count(x => x.ChatId == 26 && IsPicture(x)) == 2, "the blended picture");
    }

    [Fact]
    public async Task A_painting_shows_as_it_forms_in_one_preview_message_unless_turned_off()
    {
        // Long enough that its fifths are seconds apart even on an idle machine, where channels-last
        // made 80 iterations so quick that the first preview's upload outlasted the render (each
        // fifth is seen, and the edits keep up with them), small enough to share the CPU.
        await StartBotAsync(settings: new Dictionary<string, string?>
        {
            ["Bot:Free:MaxSide"] = "96", ["Bot:Free:MaxIterations"] = "200", ["Bot:StylizeIterations"] = "200",
            // The tiers grow from free to HD (checked on start).
            ["Bot:Premium:MaxSide"] = "96", ["Bot:Premium:MaxIterations"] = "200", ["Bot:Hd:MaxSide"] = "96", ["Bot:Hd:MaxIterations"] = "200",
        });
        bool Preview(Sent x) => x.ChatId == 28 && x.Kind == SentKind.Photo && x.Says("As it forms:");
        Chat.PushAlbum(28, Photo("dog.jpg"), Painting("starry_night.jpg"));
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 28 && x.Kind == SentKind.Photo && x.Says("Painted")), "the picture");
        var preview = sent.Single(Preview);
        Assert.NotNull(preview.DataOf("Cancel"));
        sent = await WaitFor(c => c.Any(x => x.ChatId == 28 && x.MessageId == preview.MessageId && x.Text == "As it formed; the picture is below."), "the preview's last caption");
        var edits = sent.Where(x => x.ChatId == 28 && x.Kind == SentKind.Edit && x.MessageId == preview.MessageId).ToList();
        // The picture is swapped in place as it forms: one message, a newer picture in it (the web
        // page, polling, may see only the last state of the message).
        Assert.Contains(edits, e => e.File != null && !e.File.SequenceEqual(preview.File!));
        Assert.Empty(edits.Last().Buttons);

        // Off in /settings: only the result.
        Chat.PushText(28, "/settings");
        sent = await WaitFor(c => c.Any(x => x.ChatId == 28 && x.DataOf("Live preview: on") != null), "the settings");
        Chat.PushButton(28, sent.Last(x => x.ChatId == 28 && x.DataOf("Live preview: on") != null).DataOf("Live preview")!);
        await WaitFor(c => c.Any(x => x.ChatId == 28 && x.DataOf("Live preview: off") != null), "the setting turned off");
        Chat.PushAlbum(28, Photo("person.jpg"), Painting("the_scream.jpg"));
        sent = await WaitFor(c => c.Count(x => x.ChatId == 28 && x.Kind == SentKind.Photo && x.Says("Painted")) == 2, "the second picture");
        Assert.Single(sent, Preview);
    }

    [Fact]
    public async Task An_animation_comes_back_with_every_frame_painted_and_what_is_not_one_is_refused()
    {
        await StartBotAsync();
        Chat.PushAnimation(30, TestPaths.Gif());
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 30 && x.Says("Got your animation!")), "the animation menu");
        var menu = sent.Last(x => x.ChatId == 30 && x.Says("Got your animation!"));
        Assert.Equal("Got your animation! Pick a style: every frame is painted (free: the first 3 s at 360 px).", menu.Text);
        Assert.Contains("1. The Great Wave", menu.ButtonLabels);
        Chat.PushButton(30, menu.DataOf("The Great Wave")!);
        sent = await WaitFor(c => c.Any(x => x.ChatId == 30 && x.Kind == SentKind.Animation), "the painted animation");
        Assert.Contains(sent, x => x.ChatId == 30 && x.Says("Queued: you are #"));
        var clip = sent.Single(x => x.ChatId == 30 && x.Kind == SentKind.Animation);
        Assert.StartsWith("Style “The Great Wave”, animated", clip.Text);
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(clip.File!, 4, 4));   // H.264 in MP4
        Assert.Equal(["Another style", "🌐 Share"], Actions(clip));

        // Shared, the clip plays on its page (no thumbnail: the page loops it) and unfurls as a video.
        var link = LinkIn(await ShareAsync(30, clip));
        using (var visitor = new HttpClient())
        {
            var page = await visitor.GetStringAsync(link);
            Assert.Contains($"<video src=\"/g/{link[^10..]}/full.mp4\"", page);
            Assert.Contains($"<meta property=\"og:video\" content=\"{GalleryUrl}g/{link[^10..]}/full.mp4\"", page);
            var video = await visitor.GetAsync($"{GalleryUrl}g/{link[^10..]}/full.mp4");
            Assert.Equal("video/mp4", video.Content.Headers.ContentType?.MediaType);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await visitor.GetAsync($"{GalleryUrl}g/{link[^10..]}/thumb.jpg")).StatusCode);
        }

        Chat.PushAnimation(30, "GIF89a, but only in name"u8.ToArray());
        sent = await WaitFor(c => c.Count(x => x.ChatId == 30 && x.Says("Got your animation!")) == 2, "the second menu");
        Chat.PushButton(30, sent.Last(x => x.ChatId == 30 && x.Says("Got your animation!")).DataOf("The Great Wave")!);
        await WaitFor(c => c.Any(x => x.ChatId == 30 && x.Text == "Sorry, that did not work: it is not an animation or a video ffmpeg can read (GIF, MP4, WebM, MOV)"),
            "the refusal of the broken animation");
    }

    [Fact]
    public async Task Bad_inputs_get_a_short_explanation_and_nothing_crashes()
    {
        await StartBotAsync();
        var unsupported = Chat.PushUnsupported(11);
        Chat.PushText(11, "hello");
        Chat.PushPhoto(11, "not really a jpeg"u8.ToArray(), caption: "dream");
        var sent = await WaitFor(c => c.Any(x => x.Says("Sorry, that did not work")), "the refusal of the broken photo");
        Assert.Contains(sent, c => c.Text == unsupported);
        Assert.Contains(sent, c => c.Says("I work with photos"));
        Chat.PushText(11, "/help");
        await WaitFor(c => c.Any(x => x.Says("Commands:")), "the bot still answering");
    }

    [Fact]
    public async Task A_restart_loses_no_update_repeats_none_and_delivers_each_result_once()
    {
        // Before: two held jobs queued.
        await StartBotAsync(idleServesHeavy: false, lightMaxIterations: 2);
        Chat.PushAlbum(12, Photo("dog.jpg"), Painting("starry_night.jpg"));
        Chat.PushAlbum(13, Photo("person.jpg"), Painting("the_scream.jpg"));
        await WaitFor(c => c.Count(x => x.Text?.Contains("tonight after") == true) == 2, "two held jobs");
        await StopBotAsync();

        // The process "died" while working on one of them.
        using (var database = new ArtBotDatabase(Database))
        {
            var queue = new LiteJobQueue(database);
            var policy = new QueuePolicy(new QueuePolicyOptions { IdleCapacityServesHeavyByDay = true },
                new NightWindow(new TimeOnly(1, 0), new TimeOnly(7, 0), TimeZoneInfo.Utc));
            var now = DaytimeClock.Instance.GetUtcNow();
            Assert.NotNull(await queue.ClaimNextAsync(policy, now, j => j.Claim(now, TimeSpan.FromMinutes(5), Job.NewAttempt())));
        }
        var before = Chat.Sent.Count;

        await StartBotAsync(idleServesHeavy: true, lightMaxIterations: 2);
        var sent = await WaitFor(c => c.Count(x => IsPicture(x)) == 2, "both results after the restart");
        Assert.Equal(1, sent.Count(c => IsPicture(c) && c.ChatId == 12));
        Assert.Equal(1, sent.Count(c => IsPicture(c) && c.ChatId == 13));
        // No update was handled again: no second queue notice after the restart.
        Assert.DoesNotContain(sent.Skip(before), c => c.Text?.Contains("tonight after") == true);
    }

    [Fact]
    public async Task A_premium_request_runs_while_an_earlier_free_one_waits_and_is_charged_on_delivery()
    {
        await GrantAsync(16, 25);
        await StartBotAsync(idleServesHeavy: false, lightMaxIterations: 2);

        Chat.PushAlbum(15, Photo("dog.jpg"), Painting("starry_night.jpg"));
        await WaitFor(c => c.Any(x => x.ChatId == 15 && x.Text?.Contains("tonight after 01:00") == true), "the free user's night notice");
        Chat.PushAlbum(16, Photo("person.jpg"), Painting("the_scream.jpg"));
        var menu = (await WaitFor(c => c.Any(x => x.ChatId == 16 && x.Says("Pick the quality")), "the tier menu")).Last(x => x.ChatId == 16);
        Assert.Equal("Pick the quality. Your balance: 25 credits.", menu.Text);
        Assert.Equal(["Free · 64 px, 6 steps", "Premium · 64 px, 6 steps · 10 cr.", "HD · 64 px, 6 steps · 15 cr."], menu.ButtonLabels);
        Chat.Press(16, "Premium");

        var sent = await WaitFor(c => c.Any(x => IsPicture(x) && x.ChatId == 16), "the paid result");
        Assert.Contains(sent, c => c.ChatId == 16 && c.Text == "Queued: you are #1. I'll post progress here.\nReserved: 10 credits, charged only when you get the picture.");
        Assert.DoesNotContain(sent, c => IsPicture(c) && c.ChatId == 15);
        await StopBotAsync();
        var ledger = await LedgerOfAsync(16);
        Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], ledger.Select(e => e.Kind));
        Assert.Equal(15, ledger.Sum(e => e.Amount));
    }

    [Fact]
    public async Task A_file_that_is_no_picture_is_refused_before_anything_is_offered_or_reserved()
    {
        await GrantAsync(27, 30);
        await StartBotAsync();
        Chat.PushPhoto(27, "not really a jpeg"u8.ToArray(), caption: "dream");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 27 && x.Says("Sorry, that did not work")), "the refusal");
        Assert.Equal("Sorry, that did not work: it is not a picture (JPEG, PNG or WebP, please)", sent.Single(x => x.ChatId == 27).Text);
        Chat.PushText(27, "/balance");
        await WaitFor(c => c.Any(x => x.ChatId == 27 && x.Says("Balance: 30 credits (0 reserved")), "the balance");
    }

    [Fact]
    public async Task A_restart_between_delivery_and_bookkeeping_charges_exactly_once()
    {
        await GrantAsync(26, 30);
        // The worker "dies" after sending the picture, before noting it (it gets no further), and the process stops.
        await StartBotAsync(configure: s => s.AddSingleton<IJobObserver>(new BreakAt(JobStep.Sent)));
        Chat.PushPhoto(26, Photo("dog.jpg"), caption: "dream");
        await WaitFor(c => c.Any(x => x.ChatId == 26 && x.Says("Pick the quality")), "the tier menu");
        Chat.Press(26, "Premium");
        await WaitFor(c => c.Any(x => x.ChatId == 26 && IsPicture(x)), "the dream");
        await StopBotAsync();
        using (var database = new ArtBotDatabase(Database))
        {
            var job = await new LiteJobQueue(database).GetAsync(1);
            Assert.Equal((JobKind.Dream, true, JobState.Done, null), (job!.Kind, job.Paid, job.State, job.DeliveredAt));
        }
        // The next start delivers it again as it recovers (a platform that can drop a repeated send does) and charges it once.
        await StartBotAsync();
        await StopBotAsync();
        using (var database = new ArtBotDatabase(Database))
            Assert.NotNull((await new LiteJobQueue(database).GetAsync(1))!.DeliveredAt);
        var ledger = await LedgerOfAsync(26);
        Assert.Single(ledger, e => e.Kind == LedgerKind.Charge);
        Assert.Equal(20, ledger.Sum(e => e.Amount));
    }

    [Fact]
    public async Task Forged_stale_and_foreign_button_presses_change_nothing()
    {
        await GrantAsync(70, 1);
        await GrantAsync(71, 30);
        await StartBotAsync();
        Chat.PushAlbum(71, Photo("dog.jpg"), Painting("starry_night.jpg"));
        var theirs = (await WaitFor(c => c.Any(x => x.ChatId == 71 && x.Says("Pick the quality")), "the other user's tier menu")).Last(x => x.ChatId == 71);
        Chat.PushAlbum(70, Photo("person.jpg"), Painting("the_scream.jpg"));
        var mine = (await WaitFor(c => c.Any(x => x.ChatId == 70 && x.Says("Pick the quality")), "the tier menu")).Last(x => x.ChatId == 70);

        // Written by hand (the press that once minted credits), altered, someone else's, the shape of an offer but none.
        string[] forged = ["t:hd:-100000", "t:hd:0", "t:hd:abc", "t:premium", mine.DataOf("HD")![..17] + "9", theirs.DataOf("Premium")!, "AAAAAAAAAAAAAAAA.1"];
        foreach (var data in forged) Chat.PushButton(70, data);
        var sent = await WaitFor(c => c.Count(x => x.Kind == SentKind.ButtonAnswer && x.Text == "That button is out of date.") == forged.Length, "an answer to every forged press");
        Chat.Press(70, "HD");   // a real offer, more than the balance
        await WaitFor(c => c.Any(x => x.Kind == SentKind.ButtonAnswer && x.Text?.StartsWith("Not enough credits: that costs 15, you have 1.") == true), "the price refusal");
        Chat.PushText(70, "/balance");
        await WaitFor(c => c.Any(x => x.ChatId == 70 && x.Says("Balance: 1 credit (0 reserved")), "the unchanged balance");
        Assert.DoesNotContain(Chat.Sent, x => x.ChatId is 70 or 71 && (x.Says("Queued") || x.Kind == SentKind.Photo));
        await StopBotAsync();
        Assert.Equal([LedgerKind.AdminGrant], (await LedgerOfAsync(70)).Select(e => e.Kind));
        Assert.Equal([LedgerKind.AdminGrant], (await LedgerOfAsync(71)).Select(e => e.Kind));
        Assert.Contains(Logs.Lines, l => l.Contains("button refused"));
    }

    [Fact]
    public async Task A_promo_code_made_by_an_admin_is_redeemed_once_and_others_cannot_make_one()
    {
        await StartBotAsync();
        Chat.PushText(23, "/admin promo free100 100");
        await WaitFor(c => c.Any(x => x.ChatId == 23), "the answer to a non-admin");
        Assert.Equal("I don't know that command. /help lists what I can do.", Chat.Sent.Single(x => x.ChatId == 23).Text);
        await AsAdminAsync("promo gift 20 5", "promo code GIFT: 20 credits, 5 uses",
            ledger => ledger.CreatePromoAsync(new PromoCode { Id = "GIFT", Credits = 20, MaxUses = 5, ExpiresAt = DateTimeOffset.UtcNow.AddDays(30) }));
        Chat.PushText(22, "/promo gift");
        Chat.PushText(22, "/promo GIFT");
        Chat.PushText(22, "/balance");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 22 && x.Says("Balance:")), "the balance");
        Assert.Equal(["Promo code accepted: 20 credits added. Balance: 20.", "You have already used that promo code."],
            sent.Where(x => x.ChatId == 22 && x.Says("Promo") || x.ChatId == 22 && x.Says("You have")).Select(x => x.Text));
        Assert.StartsWith("Balance: 20 credits (0 reserved", sent.Last(x => x.ChatId == 22).Text);
        Chat.PushText(23, "/promo free100");
        await WaitFor(c => c.Any(x => x.ChatId == 23 && x.Text == "There is no such promo code."), "the refusal of a code that was never made");
    }

    [Fact]
    public async Task A_banned_user_is_told_once_and_then_ignored()
    {
        await StartBotAsync();
        await AsAdminAsync("ban 24", "banned " + Chat.Platform + ":24", _ => new LiteUserStore(openDatabase!).SetBannedAsync(Chat.Platform, 24, true));
        Chat.PushText(24, "/help");
        Chat.PushPhoto(24, Photo("dog.jpg"));
        Chat.PushText(25, "/help");
        await WaitFor(c => c.Any(x => x.ChatId == 25), "the next user's answer");
        Assert.Equal(["You can no longer use this bot."], Chat.Sent.Where(x => x.ChatId == 24).Select(x => x.Text));
    }

    [Fact]
    public async Task An_hd_job_also_sends_the_full_quality_file()
    {
        await GrantAsync(21, 40);
        await StartBotAsync();
        Chat.PushAlbum(21, Photo("dog.jpg"), Painting("starry_night.jpg"));
        await WaitFor(c => c.Any(x => x.ChatId == 21 && x.Says("Pick the quality")), "the tier menu");
        Chat.Press(21, "HD");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 21 && x.Kind == SentKind.File), "the full-quality file");
        var result = sent.Single(c => c.ChatId == 21 && c.Kind == SentKind.Photo && c.Says("Painted"));
        var file = sent.Single(c => c.ChatId == 21 && c.Kind == SentKind.File);
        Assert.Equal(result.Text, file.Text);
        Assert.True(file.File!.Length > 1000);
        Assert.Contains(sent, c => c.ChatId == 21 && c.Says("Queued") && c.Text!.Contains("Reserved: 15 credits"));
    }

    [Fact]
    public async Task Images_sent_as_files_are_accepted_and_other_files_explained()
    {
        await StartBotAsync();
        Chat.PushFile(17, Photo("dog.jpg"), "image/jpeg", "dog.jpg");
        await WaitFor(c => c.Any(x => x.ChatId == 17 && x.Says("Got your photo")), "the photo menu for a file");
        Chat.PushFile(17, "%PDF-1.4"u8.ToArray(), "application/pdf", "cv.pdf");
        await WaitFor(c => c.Any(x => x.ChatId == 17 && x.Text == "I can't use this file. Send a photo, please."), "the refusal of a PDF");
    }

    [Fact]
    public async Task A_photo_over_the_download_limit_is_refused_with_a_message()
    {
        await StartBotAsync(maxDownloadBytes: 50_000);
        Chat.PushPhoto(18, Photo("tubingen.jpg"));
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 18 && x.Says("I couldn't use that picture")), "the size refusal");
        Assert.Contains("larger than", sent.Single(c => c.ChatId == 18).Text);
    }

    [Fact]
    public async Task The_bot_token_never_reaches_a_log()
    {
        await StartBotAsync();
        Chat.PushPhoto(20, Photo("dog.jpg"));
        await WaitFor(c => c.Any(x => x.ChatId == 20 && x.Kind == SentKind.Photo), "the preview");
        await StopBotAsync();
        Assert.NotEmpty(Logs.Lines);
        foreach (var secret in Chat.Secrets)
            Assert.DoesNotContain(Logs.Lines, line => line.Contains(secret));
    }
}

/// <summary>The scenarios, plus what only a messenger's HTTP API does: refuse and fail sends.</summary>
public abstract class MessengerApiScenarios<TPlatform> : ConversationScenarios<TPlatform> where TPlatform : IFakeMessengerApi, new()
{
    [Fact]
    public async Task Server_errors_are_retried_with_backoff()
    {
        await StartBotAsync();
        Chat.FailSends(2);
        Chat.PushText(19, "/help");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 19 && x.Says("Commands:")), "the help after two 502s");
        Assert.Equal(2, Chat.ServerErrorsServed);
        Assert.Single(sent, c => c.ChatId == 19);
    }

    [Fact]
    public async Task A_rate_limit_storm_is_waited_out_and_the_answer_arrives_once()
    {
        await StartBotAsync();
        // What /metrics counts (artbot_platform_rate_limited_total): each answer the platform gave, once.
        var counted = 0L;
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) => { if (instrument == ArtBotMetrics.RateLimited) l.EnableMeasurementEvents(instrument); },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        listener.Start();
        Chat.RateLimitSends(3);
        Chat.PushText(14, "/help");
        var sent = await WaitFor(c => c.Any(x => x.Says("Commands:")), "the help after the storm");
        Assert.Equal(3, Chat.RateLimitsServed);
        Assert.Single(sent, c => c.Says("Commands:"));
        Assert.Equal(3, Interlocked.Read(ref counted));
    }

    [Fact]
    public async Task The_token_stays_out_of_logs_when_sends_fail()
    {
        await StartBotAsync();
        Chat.FailSends(1);
        Chat.PushText(20, "/help");
        await WaitFor(c => c.Any(x => x.ChatId == 20 && x.Says("Commands:")), "the help");
        await StopBotAsync();
        Assert.Contains(Logs.Lines, line => line.StartsWith("Warning"));
        foreach (var secret in Chat.Secrets)
            Assert.DoesNotContain(Logs.Lines, line => line.Contains(secret));
    }
}

/// <summary>A worker that gets no further than <paramref name="step"/> the first time a job reaches it, as if its process had died there.</summary>
internal sealed class BreakAt(JobStep step) : IJobObserver
{
    private int broken;

    public void Reached(JobStep reached, Job job)
    {
        if (reached == step && Interlocked.Exchange(ref broken, 1) == 0) throw new InvalidOperationException($"the worker stops at {step} (a test's crash)");
    }
}
