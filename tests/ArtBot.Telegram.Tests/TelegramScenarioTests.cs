using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using ArtBot.Host;
using ArtBot.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArtBot.Telegram.Tests;

/// <summary>
/// The real host (engine on the real weights, LiteDB file, Quartz dispatcher, Telegram adapter)
/// against the fake Bot API, with small images and few iterations.
/// </summary>
public sealed class TelegramScenarioTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly FakeTelegram telegram = new();
    private readonly string folder = Directory.CreateTempSubdirectory("artbot-tg-").FullName;
    private readonly CapturingLoggerProvider logs = new();
    private IHost? bot;

    private string Database => Path.Combine(folder, "artbot.db");

    public Task InitializeAsync() => telegram.StartAsync();

    public async Task DisposeAsync()
    {
        await StopBotAsync();
        await telegram.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private async Task StartBotAsync(bool idleServesHeavy = true, int lightMaxIterations = 100, long maxDownloadBytes = 20 * 1024 * 1024)
    {
        var overrides = new Dictionary<string, string?>
        {
            ["Telegram:Token"] = FakeTelegram.Token,
            ["Telegram:BaseUrl"] = telegram.Url,
            ["Telegram:PollTimeoutSeconds"] = "1",
            ["Telegram:MaxDownloadBytes"] = maxDownloadBytes.ToString(),
            ["Queue:DatabasePath"] = Database,
            ["Queue:DispatchIntervalSeconds"] = "1",
            ["Queue:IdleCapacityServesHeavyByDay"] = idleServesHeavy.ToString(),
            ["Queue:LightMaxIterations"] = lightMaxIterations.ToString(),
            ["Bot:Free:MaxSide"] = "64",
            ["Bot:Free:MaxIterations"] = "6",
            ["Bot:Premium:MaxSide"] = "64",
            ["Bot:Premium:MaxIterations"] = "6",
            ["Bot:StylizeIterations"] = "6",
            ["Bot:DreamSteps"] = "2",
            ["Bot:GalleryTile"] = "48",
            ["Bot:ProgressInterval"] = "00:00:00",
        };
        var builder = BotHost.CreateBuilder(overrides, LogLevel.Warning);
        builder.Logging.AddProvider(logs);
        builder.Logging.AddFilter<CapturingLoggerProvider>((_, _) => true);
        bot = builder.Build();
        await bot.StartAsync();
    }

    private async Task StopBotAsync()
    {
        if (bot == null) return;
        await bot.StopAsync();
        bot.Dispose();
        bot = null;
    }

    private static byte[] Photo(string name) => File.ReadAllBytes(Path.Combine(TestPaths.Shared, "images", "content", name));

    private static byte[] Painting(string name) => File.ReadAllBytes(Path.Combine(TestPaths.Shared, "images", "style", name));

    private Task<IReadOnlyList<Call>> WaitFor(Func<IReadOnlyList<Call>, bool> condition, string what) => telegram.WaitForAsync(condition, Patience, what);

    [Fact]
    public async Task Photo_brings_the_menu_and_gallery_preview_then_a_preset_result()
    {
        await StartBotAsync();
        telegram.PushPhoto(7, Photo("tubingen.jpg"));
        var calls = await WaitFor(c => c.Any(x => x.Method == "sendphoto"), "the gallery preview");
        var menu = calls.First(c => c.Method == "sendmessage");
        Assert.Equal(7, menu.ChatId);
        Assert.Contains("p:wave", menu.Buttons);
        var preview = calls.First(c => c.Method == "sendphoto");
        Assert.Equal("Your photo in every style: pick one below.", preview.Text);
        Assert.True(preview.File!.Length > 1000);

        telegram.PushButton(7, "p:udnie");
        calls = await WaitFor(c => c.Count(x => x.Method == "sendphoto") == 2, "the preset result");
        Assert.Contains(calls, c => c is { Method: "answercallbackquery" });
        var result = calls.Last(c => c.Method == "sendphoto");
        Assert.StartsWith("Style “Udnie”", result.Text);
        Assert.Equal(["x:2", "m:2", "r:2"], result.Buttons);
    }

    [Fact]
    public async Task Two_photos_are_painted_by_gatys_with_one_progress_message()
    {
        await StartBotAsync();
        telegram.PushPhoto(8, Photo("dog.jpg"));
        await WaitFor(c => c.Any(x => x.Method == "sendphoto"), "the gallery preview");
        telegram.PushPhoto(8, Painting("starry_night.jpg"));
        var calls = await WaitFor(c => c.Any(x => x.Method == "sendphoto" && x.Text!.StartsWith("Painted")), "the Gatys result");
        Assert.Contains(calls, c => c.Method == "sendmessage" && c.Text!.StartsWith("Queued: you are #"));
        var started = calls.Single(c => c.Text == "Started working on your picture.");
        Assert.All(calls.Where(c => c.Method == "editmessagetext"), e => Assert.Equal(started.MessageId, e.MessageId));
    }

    [Fact]
    public async Task An_album_is_content_and_style_and_a_dream_caption_dreams()
    {
        await StartBotAsync();
        telegram.PushPhoto(9, Photo("person.jpg"), album: "a1");
        telegram.PushPhoto(9, Painting("the_scream.jpg"), album: "a1");
        telegram.PushPhoto(9, Photo("dog.jpg"), caption: "сон", language: "ru");
        var calls = await WaitFor(c => c.Count(x => x.Method == "sendphoto") == 2, "both results");
        var captions = calls.Where(c => c.Method == "sendphoto").Select(c => c.Text!).ToList();
        Assert.Contains(captions, t => t.StartsWith("Painted"));
        Assert.Contains(captions, t => t.StartsWith("Сон"));
        Assert.DoesNotContain(calls, c => c.Text?.StartsWith("Got your photo") == true);
    }

    [Fact]
    public async Task A_held_heavy_job_shows_in_status_and_cancel_removes_it()
    {
        await StartBotAsync(idleServesHeavy: false, lightMaxIterations: 2);
        telegram.PushPhoto(10, Photo("dog.jpg"), album: "b");
        telegram.PushPhoto(10, Painting("shipwreck.jpg"), album: "b");
        await WaitFor(c => c.Any(x => x.Text?.Contains("tonight after 01:00") == true), "the night-window notice");
        telegram.PushText(10, "/status");
        var status = await WaitFor(c => c.Any(x => x.Text?.Contains("in the queue, runs tonight after 01:00") == true), "the status");
        telegram.PushText(10, "/cancel");
        await WaitFor(c => c.Any(x => x.Text == "Cancelled."), "the cancellation");
        telegram.PushText(10, "/status");
        await WaitFor(c => c.Any(x => x.Text == "You have nothing in the queue. Send a photo!"), "an empty status");
    }

    [Fact]
    public async Task Bad_inputs_get_a_short_explanation_and_nothing_crashes()
    {
        await StartBotAsync();
        telegram.PushSticker(11);
        telegram.PushText(11, "hello");
        telegram.PushPhoto(11, "not really a jpeg"u8.ToArray(), caption: "dream");
        var calls = await WaitFor(c => c.Any(x => x.Text?.StartsWith("Sorry, that did not work") == true), "the refusal of the broken photo");
        Assert.Contains(calls, c => c.Text == "I can't use a sticker. Send a photo, please.");
        Assert.Contains(calls, c => c.Text?.StartsWith("I work with photos") == true);
        telegram.PushText(11, "/help");
        await WaitFor(c => c.Any(x => x.Text?.StartsWith("Commands:") == true), "the bot still answering");
    }

    [Fact]
    public async Task A_restart_loses_no_update_repeats_none_and_delivers_each_result_once()
    {
        // Before: one held job queued, one photo menu answered.
        await StartBotAsync(idleServesHeavy: false, lightMaxIterations: 2);
        telegram.PushPhoto(12, Photo("dog.jpg"), album: "r");
        telegram.PushPhoto(12, Painting("starry_night.jpg"), album: "r");
        telegram.PushPhoto(13, Photo("person.jpg"), album: "s");
        telegram.PushPhoto(13, Painting("the_scream.jpg"), album: "s");
        await WaitFor(c => c.Count(x => x.Text?.Contains("tonight after") == true) == 2, "two held jobs");
        await StopBotAsync();

        // The process "died" while working on one of them.
        using (var database = new ArtBotDatabase(Database))
        {
            var queue = new LiteJobQueue(database);
            var policy = new QueuePolicy(new QueuePolicyOptions { IdleCapacityServesHeavyByDay = true },
                new NightWindow(new TimeOnly(1, 0), new TimeOnly(7, 0), TimeZoneInfo.Utc));
            Assert.NotNull(await queue.ClaimNextAsync(policy, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        }
        var before = telegram.Calls.Count;

        await StartBotAsync(idleServesHeavy: true, lightMaxIterations: 2);
        var calls = await WaitFor(c => c.Count(x => x.Method == "sendphoto") == 2, "both results after the restart");
        Assert.Equal(1, calls.Count(c => c.Method == "sendphoto" && c.ChatId == 12));
        Assert.Equal(1, calls.Count(c => c.Method == "sendphoto" && c.ChatId == 13));
        // No update was handled again: no second queue notice after the restart.
        Assert.DoesNotContain(calls.Skip(before), c => c.Text?.Contains("tonight after") == true);
    }

    [Fact]
    public async Task A_paid_request_runs_while_an_earlier_free_one_waits_for_the_night()
    {
        using (var database = new ArtBotDatabase(Database))
            await new LiteUserStore(database).SaveAsync(new UserProfile { Id = "telegram:16", Platform = "telegram", UserId = 16, Tier = Tier.Premium });
        await StartBotAsync(idleServesHeavy: false, lightMaxIterations: 2);

        telegram.PushPhoto(15, Photo("dog.jpg"), album: "free");
        telegram.PushPhoto(15, Painting("starry_night.jpg"), album: "free");
        await WaitFor(c => c.Any(x => x.ChatId == 15 && x.Text?.Contains("tonight after 01:00") == true), "the free user's night notice");
        telegram.PushPhoto(16, Photo("person.jpg"), album: "paid");
        telegram.PushPhoto(16, Painting("the_scream.jpg"), album: "paid");

        var calls = await WaitFor(c => c.Any(x => x.Method == "sendphoto" && x.ChatId == 16), "the paid result");
        Assert.Contains(calls, c => c.ChatId == 16 && c.Text == "Queued: you are #1. I'll post progress here.");
        Assert.DoesNotContain(calls, c => c.Method == "sendphoto" && c.ChatId == 15);
    }

    [Fact]
    public async Task Images_sent_as_documents_are_accepted_and_other_files_explained()
    {
        await StartBotAsync();
        telegram.PushDocument(17, Photo("dog.jpg"), "image/jpeg", "dog.jpg");
        await WaitFor(c => c.Any(x => x.ChatId == 17 && x.Text?.StartsWith("Got your photo") == true), "the photo menu for a document");
        telegram.PushDocument(17, "%PDF-1.4"u8.ToArray(), "application/pdf", "cv.pdf");
        await WaitFor(c => c.Any(x => x.ChatId == 17 && x.Text == "I can't use this file. Send a photo, please."), "the refusal of a PDF");
    }

    [Fact]
    public async Task A_photo_over_the_download_limit_is_refused_with_a_message()
    {
        await StartBotAsync(maxDownloadBytes: 50_000);
        telegram.PushPhoto(18, Photo("tubingen.jpg"));
        var calls = await WaitFor(c => c.Any(x => x.ChatId == 18 && x.Text?.StartsWith("I couldn't use that picture") == true), "the size refusal");
        Assert.Contains("larger than", calls.Single(c => c.ChatId == 18).Text);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff()
    {
        await StartBotAsync();
        telegram.Answer502(2);
        telegram.PushText(19, "/help");
        var calls = await WaitFor(c => c.Any(x => x.ChatId == 19 && x.Text?.StartsWith("Commands:") == true), "the help after two 502s");
        Assert.Equal(2, telegram.ServerErrorsServed);
        Assert.Single(calls, c => c.ChatId == 19);
    }

    [Fact]
    public async Task The_bot_token_never_reaches_a_log()
    {
        await StartBotAsync();
        telegram.Answer502(1);
        telegram.PushPhoto(20, Photo("dog.jpg"));
        await WaitFor(c => c.Any(x => x.ChatId == 20 && x.Method == "sendphoto"), "the preview");
        await StopBotAsync();
        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(logs.Lines, line => line.Contains(FakeTelegram.Token) || line.Contains(FakeTelegram.Token.Split(':')[1]));
    }

    [Fact]
    public async Task A_429_storm_is_waited_out_and_the_answer_arrives_once()
    {
        await StartBotAsync();
        telegram.Answer429(3);
        telegram.PushText(14, "/help");
        var calls = await WaitFor(c => c.Any(x => x.Text?.StartsWith("Commands:") == true), "the help after the storm");
        Assert.Equal(3, telegram.TooManyRequestsServed);
        Assert.Single(calls, c => c.Text?.StartsWith("Commands:") == true);
    }
}

internal static class TestPaths
{
    public static string Shared { get; } = Environment.GetEnvironmentVariable("ARTBOT_SHARED") is { Length: > 0 } s ? s : FindShared();

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ArtBot.sln"))) return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
        throw new InvalidOperationException("ArtBot.sln not found");
    }
}
