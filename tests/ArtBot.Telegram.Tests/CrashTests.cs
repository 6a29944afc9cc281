using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Fakes;
using ArtBot.Storage;
using ArtBot.Storage.Postgres;
using ArtBot.Storage.Tests;

namespace ArtBot.Telegram.Tests;

/// <summary>
/// A paid job through process deaths: the bot runs as a child process, is killed hard (SIGKILL)
/// at each step of the job's life, and started again. The user gets the picture, is charged once,
/// and no reservation is left open. Telegram has no idempotency key for sends, so a death between
/// sending the picture and recording it sends it once more: the one case of at-least-once.
/// </summary>
public sealed class CrashTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IAsyncLifetime
{
    private const long User = 16;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly FakeTelegram chat = new();
    private readonly string folder = Directory.CreateTempSubdirectory("artbot-crash-").FullName;

    private string Database => Path.Combine(folder, "artbot.db");

    public Task InitializeAsync() => chat.StartAsync();

    public async Task DisposeAsync()
    {
        await chat.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private int Pictures => chat.Sent.Count(s => s.ChatId == User && s.IsPicture);

    /// <summary>Credits, then an album and "Premium" (10 credits), as the user would.</summary>
    private async Task OrderPremiumAsync(ChildBot bot)
    {
        chat.PushAlbum(User, TestPaths.Photo("dog.jpg"), TestPaths.Painting("starry_night.jpg"));
        await Wait(bot, c => c.Any(x => x.ChatId == User && x.Says("Pick the quality")), "the tier menu");
        chat.Press(User, "Premium");
    }

    private async Task<IReadOnlyList<Sent>> Wait(ChildBot bot, Func<IReadOnlyList<Sent>, bool> condition, string what)
    {
        try
        {
            return await chat.WaitForAsync(condition, Patience, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nbot said:\n{bot.Errors}", e);
        }
    }

    /// <summary>The store a test's bots share: this test's LiteDB file, or a PostgreSQL schema of its own.</summary>
    private sealed record Store(IReadOnlyDictionary<string, string?> Settings, Func<IJobQueue> Queue, Func<ILedger> Ledger, IDisposable Owner) : IDisposable
    {
        public void Dispose() => Owner.Dispose();
    }

    /// <summary>Opens the store for a look between two processes (a LiteDB file is one process's while it runs).</summary>
    private Store Open(string provider)
    {
        if (provider == "litedb")
        {
            var database = new ArtBotDatabase(Database);
            return new Store(new Dictionary<string, string?>(), () => new LiteJobQueue(database), () => new LiteLedger(database), database);
        }
        var postgres = new PostgresDatabase(schema ??= cluster.NewSchema());
        return new Store(new Dictionary<string, string?>(), () => new PgJobQueue(postgres), () => new PgLedger(postgres), postgres);
    }

    private string? schema;

    /// <summary>What every process of a test is started with: its store, and on PostgreSQL a short lease (only a lapsed lease frees a dead worker's job there).</summary>
    private Dictionary<string, string?> Settings(string provider) => provider == "litedb"
        ? new()
        : new()
        {
            ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = schema ??= cluster.NewSchema(),
            ["Bot:Lease"] = "00:00:06", ["Bot:SweepInterval"] = "00:00:02",
        };

    private async Task GrantAsync(string provider, long credits)
    {
        using var store = Open(provider);
        await store.Ledger().PostAsync(new LedgerEntry
        {
            Key = $"test:grant:{Guid.NewGuid():N}", Platform = "telegram", UserId = User, Kind = LedgerKind.AdminGrant, Amount = credits,
        });
    }

    [Theory]
    [InlineData(nameof(Domain.Bot.Worker.JobStep.Booked), 1)]
    [InlineData(nameof(Domain.Bot.Worker.JobStep.Claimed), 1)]
    [InlineData(nameof(Domain.Bot.Worker.JobStep.Rendering), 1)]
    [InlineData(nameof(Domain.Bot.Worker.JobStep.ResultStored), 1)]
    [InlineData(nameof(Domain.Bot.Worker.JobStep.Sent), 2)]        // sent, then killed before it was recorded: Telegram shows it twice
    [InlineData(nameof(Domain.Bot.Worker.JobStep.Delivered), 1)]
    public async Task A_paid_job_killed_at_any_step_is_delivered_and_charged_once_after_a_restart(string step, int pictures)
    {
        await GrantAsync("litedb", 25);
        await using (var doomed = ChildBot.Start(chat, Database, crashAt: step))
        {
            await OrderPremiumAsync(doomed);
            await doomed.WaitForExitAsync(Patience);
            Assert.Contains($"killed at {step}", doomed.Errors);
        }

        var polls = chat.Polls;
        await using (var bot = ChildBot.Start(chat, Database))
        {
            await Wait(bot, _ => chat.Polls > polls + 1 && Pictures >= pictures, $"{pictures} picture(s) after the restart");
            // A graceful stop lets the worker finish the step in hand, so the store is final.
            await bot.StopAsync(Patience);
        }

        Assert.Equal(pictures, Pictures);
        using var store = Open("litedb");
        var ledger = await store.Ledger().EntriesAsync("telegram", User);
        Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], ledger.Select(e => e.Kind));
        Assert.Equal(15, ledger.Sum(e => e.Amount));
        Assert.Equal(0, await store.Ledger().HeldAsync("telegram", User));
        var job = (await store.Queue().GetAsync(1))!;
        Assert.Equal((JobState.Done, true, true), (job.State, job.DeliveredAt != null, job.Settled));
        Assert.Empty(await store.Queue().UnsettledAsync());
    }

    /// <summary>
    /// Killed part-way through a paid picture (its attempt had painted a share of it), started
    /// again: a cancel before the new attempt's first step costs nothing, whatever the dead attempt
    /// had done; a re-run that finishes is charged once, in full, for the attempt that painted it.
    /// </summary>
    [Theory]
    [InlineData("litedb", true)]
    [InlineData("litedb", false)]
    [InlineData("postgres", true)]
    [InlineData("postgres", false)]
    public async Task A_job_killed_mid_render_is_charged_only_for_the_attempt_that_paints_it(string provider, bool cancelBeforeFirstStep)
    {
        const int iterations = 600;
        await GrantAsync(provider, 25);
        await using (var doomed = ChildBot.Start(chat, Database, premiumIterations: iterations, extra: Settings(provider)))
        {
            await OrderPremiumAsync(doomed);
            await Wait(doomed, c => c.Any(x => x.ChatId == User && Percent(x) >= 20), "a fifth of the render");
            await doomed.KillAsync();
        }
        using (var store = Open(provider))
        {
            var dead = (await store.Queue().GetAsync(1))!;
            Assert.Equal((JobState.Running, 1), (dead.State, dead.Attempts));
            // The edit rounds the share it shows; the store has what the attempt reported with it.
            Assert.True(dead.ProgressWork >= 0.15, $"the dead attempt stored {dead.ProgressWork:P1}");
        }

        var release = Path.Combine(folder, "release");
        var extra = new Dictionary<string, string?>(Settings(provider));
        if (cancelBeforeFirstStep) (extra["ARTBOT_HOLD_AT"], extra["ARTBOT_HOLD_UNTIL"]) = ("Rendering", release);
        var started = chat.Sent.Count(x => x.ChatId == User && x.Says("Started working"));
        await using (var bot = ChildBot.Start(chat, Database, premiumIterations: iterations, extra: extra))
        {
            if (cancelBeforeFirstStep)
            {
                // The re-run has its progress message and waits before its first step; the user stops it there.
                await Wait(bot, c => c.Count(x => x.ChatId == User && x.Says("Started working")) > started && bot.Errors.Contains("holding at Rendering"), "the re-run at its first step");
                chat.PushText(User, "/cancel");
                await Wait(bot, c => c.Any(x => x.ChatId == User && x.Says("Stopping")), "the stop");
                await File.WriteAllTextAsync(release, "go");
                await Wait(bot, c => c.Any(x => x.ChatId == User && x.Says("Cancelled.")), "the job cancelled before its first step");
            }
            else await Wait(bot, _ => Pictures == 1, "the picture of the re-run");
            await bot.StopAsync(Patience);
        }

        using var after = Open(provider);
        var job = (await after.Queue().GetAsync(1))!;
        var ledger = await after.Ledger().EntriesAsync("telegram", User);
        Assert.Equal(0, await after.Ledger().HeldAsync("telegram", User));
        if (cancelBeforeFirstStep)
        {
            Assert.Equal(0, Pictures);
            Assert.Equal((JobState.Cancelled, 2), (job.State, job.Attempts));
            Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release], ledger.Select(e => e.Kind));
            Assert.Equal(25, ledger.Sum(e => e.Amount));
            Assert.Contains(chat.Sent, x => x.ChatId == User && x.Text == "Cancelled.\nReturned to you: 10 credits.");
        }
        else
        {
            Assert.Equal((JobState.Done, 2, true), (job.State, job.Attempts, job.DeliveredAt != null));
            Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], ledger.Select(e => e.Kind));
            Assert.Equal(15, ledger.Sum(e => e.Amount));
            Assert.StartsWith($"Painted in the style of your picture, {iterations} iterations", chat.Sent.Single(x => x.ChatId == User && x.IsPicture).Text);
        }
    }

    /// <summary>The percentage a progress edit shows ("Working: 42% …"), or -1.</summary>
    private static int Percent(Sent sent) =>
        sent is { Kind: SentKind.Edit, Text: { } text } && text.StartsWith("Working: ", StringComparison.Ordinal) && int.TryParse(text["Working: ".Length..text.IndexOf('%')], out var percent)
            ? percent
            : -1;

    [Fact]
    public async Task A_graceful_stop_mid_render_puts_the_paid_job_back_untouched_and_it_is_charged_once_later()
    {
        await GrantAsync("litedb", 25);
        await using (var bot = ChildBot.Start(chat, Database, premiumIterations: 400))
        {
            await OrderPremiumAsync(bot);
            await Wait(bot, c => c.Any(x => x.ChatId == User && x.Kind == SentKind.Edit && x.Says("Working")), "progress of the render");
            var took = await bot.StopAsync(Patience);
            Assert.True(took < TimeSpan.FromSeconds(10), $"a stop took {took.TotalSeconds:0.0} s");
            Assert.Equal(0, bot.ExitCode);
        }
        Assert.Equal(0, Pictures);   // nothing partial reached the user
        using (var store = Open("litedb"))
        {
            var job = (await store.Queue().GetAsync(1))!;
            Assert.Equal((JobState.Queued, 0, false, 0.0), (job.State, job.Attempts, job.CancelRequested, job.ProgressWork));
            Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve], (await store.Ledger().EntriesAsync("telegram", User)).Select(e => e.Kind));
        }

        await using (var bot = ChildBot.Start(chat, Database, premiumIterations: 400))
        {
            await Wait(bot, _ => Pictures == 1, "the picture after the restart");
            await bot.StopAsync(Patience);
        }
        using (var store = Open("litedb"))
        {
            var job = (await store.Queue().GetAsync(1))!;
            Assert.Equal((JobState.Done, 1), (job.State, job.Attempts));
            var ledger = await store.Ledger().EntriesAsync("telegram", User);
            Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], ledger.Select(e => e.Kind));
            Assert.Equal(15, ledger.Sum(e => e.Amount));
        }
    }

    [Fact]
    public async Task A_service_that_dies_ends_the_process_with_a_failure_code_and_one_line()
    {
        await using var bot = ChildBot.Start(chat, Database, extra: new Dictionary<string, string?> { ["ARTBOT_TEST_BROKEN_SERVICE"] = "the platform went away" });
        await bot.WaitForExitAsync(Patience);
        Assert.Equal(1, bot.ExitCode);
        Assert.Contains("artbot run: BrokenService stopped: InvalidOperationException: the platform went away", bot.Errors.Split('\n'));
    }
}
