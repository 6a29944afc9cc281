using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Bot.Worker;
using ArtBot.Domain.Queue;
using ArtBot.Engine;
using ArtBot.Storage;
using ArtBot.Storage.Postgres;
using ArtBot.Storage.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArtBot.Bot.Tests;

/// <summary>
/// A job's life where it goes wrong: a worker that stalls past its lease, a notice slower than the
/// worker, weights that vanish. On the real engine and weights, on LiteDB and on PostgreSQL.
/// </summary>
public sealed class JobLifeTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IDisposable
{
    private static readonly BotOptions Small = new()
    {
        ProgressInterval = TimeSpan.Zero, Free = new TierLimits(64, 8), Premium = new TierLimits(64, 8), DreamSteps = 2, GalleryTile = 48, Admins = ["telegram:99"],
    };

    private readonly List<IDisposable> owned = [];

    public void Dispose()
    {
        foreach (var item in owned) item.Dispose();
    }

    /// <summary>The stores of one provider: a LiteDB file (the harness's), or a fresh PostgreSQL schema.</summary>
    private BotPorts Ports(string provider, Harness h)
    {
        if (provider == "litedb") return new BotPorts(h.Queue, h.Images, h.Users, h.Ledger, h.Offers, h.Cursors);
        var database = new PostgresDatabase(cluster.NewSchema());
        owned.Add(database);
        return new BotPorts(new PgJobQueue(database), new PgImageStore(database), new PgUserStore(database), new PgLedger(database), new PgOfferStore(database), new PgCursorStore(database));
    }

    private static TestDomain Domain(Harness h, BotPorts ports, IArtEngine engine) => h.Compose(ports, engine);

    /// <summary>The real engine, whose dreams wait for the gate to open: a worker that stalls.</summary>
    private sealed class StalledEngine(IArtEngine engine, Task gate) : IArtEngine
    {
        private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Done when a dream has reached the gate: its worker writes nothing more until the gate opens.</summary>
        public Task Stalled => reached.Task;

        public PresetCatalog Presets => engine.Presets;
        public Task<ArtResult> PresetAsync(PresetRequest r, CancellationToken c = default) => engine.PresetAsync(r, c);
        public Task<ArtResult> StylizeAsync(StylizeRequest r, IProgress<RenderProgress>? p = null, CancellationToken c = default) => engine.StylizeAsync(r, p, c);
        public Task<ArtResult> GalleryAsync(GalleryRequest r, CancellationToken c = default) => engine.GalleryAsync(r, c);
        public Task<AnimationResult> AnimateAsync(AnimationRequest r, CancellationToken c = default) => engine.AnimateAsync(r, c);
        public Task<IReadOnlyList<Prediction>> ClassifyAsync(byte[] i, int t = 5, CancellationToken c = default) => engine.ClassifyAsync(i, t, c);

        public async Task<ArtResult> DreamAsync(DreamRequest r, IProgress<RenderProgress>? p = null, CancellationToken c = default)
        {
            reached.TrySetResult();
            await gate;
            return await engine.DreamAsync(r, p, CancellationToken.None);
        }
    }

    /// <summary>
    /// Worker A claims a paid dream and stalls; its lease runs out; worker B takes the job over,
    /// paints, delivers and is paid. Then A wakes up with its picture: every write it tries is
    /// refused, so it sends nothing, and the user has one picture and one charge.
    /// </summary>
    [Theory]
    [InlineData("litedb")]
    [InlineData("postgres")]
    public async Task A_stale_worker_that_wakes_after_another_delivered_sends_nothing_and_changes_nothing(string provider)
    {
        using var h = new Harness(Small);
        var ports = Ports(provider, h);
        var gate = new TaskCompletionSource();
        var stalledEngine = new StalledEngine(h.Engine, gate.Task);
        var stalled = Domain(h, ports, stalledEngine);
        var live = Domain(h, ports, h.Engine);
        await ports.Ledger.PostAsync(new LedgerEntry { Key = "test:grant", Platform = "telegram", UserId = 1, Kind = LedgerKind.AdminGrant, Amount = 25 });
        await stalled.Bot.HandleAsync(new PhotoMessage(Harness.User(), [Harness.Photo("dog.jpg")], "dream"), h.Messenger);
        await stalled.Bot.HandleAsync(new ButtonPressed(Harness.User(), "cb", h.ButtonOn("Premium", 10)!.Data), h.Messenger);

        var a = stalled.Worker.RunNextAsync(CancellationToken.None);
        var job = (await ports.Queue.ActiveJobsAsync("telegram", 1)).Single();
        // A has it and waits in the engine. Not merely "running": until then A still writes to the
        // job's row (its progress message), and PostgreSQL's sweep skips a row a live worker holds.
        Assert.Same(stalledEngine.Stalled, await Task.WhenAny(stalledEngine.Stalled, a));
        Assert.Equal(JobState.Running, (await ports.Queue.GetAsync(job.Id))!.State);

        h.Clock.Now += h.Options.Lease + TimeSpan.FromSeconds(1);
        await live.Sweeper.SweepAsync(CancellationToken.None);                 // A's lease ran out: back in the queue
        Assert.True(await live.Worker.RunNextAsync(CancellationToken.None));   // B paints and delivers it
        var delivered = (await ports.Queue.GetAsync(job.Id))!;
        Assert.Equal((JobState.Done, 2, true), (delivered.State, delivered.Attempts, delivered.DeliveredAt != null));
        var ledger = (await ports.Ledger.EntriesAsync("telegram", 1)).Select(e => (e.Kind, e.Amount)).ToList();

        gate.SetResult();
        Assert.True(await a);
        Assert.Single(h.Messenger.Pictures());
        Assert.Equal(ledger, (await ports.Ledger.EntriesAsync("telegram", 1)).Select(e => (e.Kind, e.Amount)));
        Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], ledger.Select(e => e.Kind));
        var after = (await ports.Queue.GetAsync(job.Id))!;
        Assert.Equal((JobState.Done, delivered.Attempt, delivered.ResultImage, delivered.DeliveredAt), (after.State, after.Attempt, after.ResultImage, after.DeliveredAt));
    }

    /// <summary>
    /// The platform is slow to take the "queued" notice, and a worker is ready at once: the job
    /// waits for its notice, so the user reads "queued" before "started" and the picture.
    /// </summary>
    [Fact]
    public async Task The_queued_notice_comes_before_the_start_even_when_the_worker_is_ready_at_once()
    {
        using var h = new Harness(Small);
        var release = new TaskCompletionSource();
        var emptyClaims = 0;
        h.Messenger.BeforeText = text => text.StartsWith("Queued", StringComparison.Ordinal) ? release.Task : Task.CompletedTask;
        var asking = h.Say(new PhotoMessage(Harness.User(), [Harness.Photo("dog.jpg")], "dream"));
        // The worker keeps asking while the notice is on its way: nothing may be taken yet.
        while (!asking.IsCompleted && emptyClaims < 5)
        {
            if (await h.Worker.RunNextAsync(CancellationToken.None)) Assert.Fail("a job was taken before its notice was sent");
            emptyClaims++;
        }
        release.SetResult();
        await asking;
        Assert.True(await h.Worker.RunNextAsync(CancellationToken.None));

        var said = h.Messenger.Log.ToList();
        var queued = said.FindIndex(s => s is SentText t && t.Text.StartsWith("Queued", StringComparison.Ordinal));
        var started = said.FindIndex(s => s is SentText t && t.Text.StartsWith("Started working", StringComparison.Ordinal));
        var picture = said.FindIndex(s => s is SentImage i && i.Caption.StartsWith("A dream", StringComparison.Ordinal));
        Assert.True(queued >= 0 && queued < started && started < picture, $"queued at {queued}, started at {started}, picture at {picture}");
    }

    /// <summary>
    /// The weights of a paid job's network are gone when it runs (deleted, or never there on this
    /// worker): it fails once, not three times, its credits come back, and the user reads what is
    /// not available, not "send it again".
    /// </summary>
    [Fact]
    public async Task Weights_missing_when_a_paid_job_runs_end_it_at_once_refunded_with_a_clear_message()
    {
        var models = Directory.CreateTempSubdirectory("artbot-models-").FullName;
        owned.Add(new Folder(models));
        CopyFolder(Path.Combine(Harness.Shared, "models", "darknet-tiny"), Path.Combine(models, "darknet-tiny"));
        using var h = new Harness(Small, models: models);
        Assert.True(h.Capabilities.Dream);
        await h.Ledger.PostAsync(new LedgerEntry { Key = "test:grant", Platform = "telegram", UserId = 1, Kind = LedgerKind.AdminGrant, Amount = 25 });
        await h.Say(new PhotoMessage(Harness.User(), [Harness.Photo("dog.jpg")], "dream"));
        await h.Press("Premium");
        Directory.Delete(Path.Combine(models, "darknet-tiny"), recursive: true);
        h.Messenger.Clear();

        Assert.True(await h.Worker.RunNextAsync(CancellationToken.None));
        Assert.False(await h.Worker.RunNextAsync(CancellationToken.None));   // not retried
        var job = (await h.Queue.GetAsync(1))!;
        Assert.Equal((JobState.Failed, 1), (job.State, job.Attempts));
        Assert.Equal(25, await h.Ledger.BalanceAsync("telegram", 1));
        Assert.Equal("Sorry, dreams are not available on this server right now. The preset styles work.\nReturned to you: 10 credits.",
            h.Messenger.All<SentText>().Last().Text);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    private sealed class Folder(string path) : IDisposable
    {
        public void Dispose() => Directory.Delete(path, recursive: true);
    }
}
