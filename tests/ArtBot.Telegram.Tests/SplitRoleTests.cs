using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Fakes;
using ArtBot.Storage.Postgres;
using ArtBot.Storage.Tests;

namespace ArtBot.Telegram.Tests;

/// <summary>
/// What a receiver and a worker in separate processes on one PostgreSQL store owe the user, and
/// what a host without ffmpeg says: real processes (what `artbot run --role …` composes) against
/// the fake Bot API.
/// </summary>
public sealed class SplitRoleTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IAsyncLifetime
{
    private const long User = 31;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly FakeTelegram chat = new();
    private readonly List<ChildBot> nodes = [];
    private readonly string folder = Directory.CreateTempSubdirectory("artbot-split-").FullName;

    public Task InitializeAsync() => chat.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in nodes) await node.DisposeAsync();
        await chat.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private string Errors => string.Join("\n", nodes.Select((n, i) => $"node {i}:\n{n.Errors}"));

    private async Task<IReadOnlyList<Sent>> Wait(Func<IReadOnlyList<Sent>, bool> condition, string what)
    {
        try
        {
            return await chat.WaitForAsync(condition, Patience, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Errors}", e);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// /cancel reaches a worker in another process at once (NOTIFY), not at its next lease renewal
    /// (the shipped lease is renewed every 40 s): the render stops, the user gets the picture so
    /// far and pays for the share of the work that attempt did.
    /// </summary>
    [Fact]
    public async Task A_cancel_sent_to_the_receiver_stops_the_workers_render_within_two_seconds()
    {
        var store = cluster.NewSchema();
        using (var database = new PostgresDatabase(store))
            await new PgLedger(database).PostAsync(new LedgerEntry { Key = "test:grant", Platform = "telegram", UserId = User, Kind = LedgerKind.AdminGrant, Amount = 25 });
        Dictionary<string, string?> Node(string role) => new() { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = store, ["Bot:Role"] = role };
        nodes.Add(ChildBot.Start(chat, "unused-on-postgres.db", premiumIterations: 3000, extra: Node("receiver")));
        nodes.Add(ChildBot.Start(chat, "unused-on-postgres.db", premiumIterations: 3000, extra: Node("worker")));

        chat.PushAlbum(User, TestPaths.Photo("dog.jpg"), TestPaths.Painting("starry_night.jpg"));
        await Wait(c => c.Any(x => x.ChatId == User && x.Says("Pick the quality")), "the tier menu");
        chat.Press(User, "Premium");
        await Wait(c => c.Any(x => x.ChatId == User && x.Kind == SentKind.Edit && x.Says("Working: ") && !x.Says("Working: 0%")), "the render under way");
        chat.PushText(User, "/cancel");
        var stopping = (await Wait(c => c.Any(x => x.ChatId == User && x.Says("Stopping")), "the receiver's answer")).First(x => x.ChatId == User && x.Says("Stopping"));
        var picture = (await Wait(c => c.Any(x => x.ChatId == User && x.IsPicture), "the picture so far")).First(x => x.ChatId == User && x.IsPicture);
        Assert.True(picture.At - stopping.At < TimeSpan.FromSeconds(2), $"the worker stopped {(picture.At - stopping.At).TotalSeconds:0.0} s after the press");
        await Wait(c => c.Any(x => x.ChatId == User && x.Says("You stopped the picture")), "the charge for the work done");
        foreach (var node in nodes) await node.StopAsync(Patience);

        using var check = new PostgresDatabase(store);
        var job = (await new PgJobQueue(check).GetAsync(1))!;
        Assert.Equal(JobState.Cancelled, job.State);
        Assert.InRange(job.ProgressStep, 1, 2999);
        Assert.StartsWith($"Painted in the style of your picture, {job.ProgressStep} iterations", picture.Text);   // the steps actually painted
        var charge = -(await new PgLedger(check).EntriesAsync("telegram", User)).Single(e => e.Kind == LedgerKind.Charge).Amount;
        Assert.Equal((long)Math.Ceiling(10 * job.ProgressWork - 1e-9), charge);
        Assert.InRange(charge, 1, 9);
    }

    /// <summary>A host without ffmpeg on its PATH: a GIF gets a plain answer, nothing is queued, and /healthz names what is missing.</summary>
    [Fact]
    public async Task Without_ffmpeg_an_animation_is_refused_at_once_and_the_health_check_says_why()
    {
        var port = FreePort();
        var empty = Directory.CreateDirectory(Path.Combine(folder, "no-programs")).FullName;
        var database = Path.Combine(folder, "artbot.db");
        nodes.Add(ChildBot.Start(chat, database, extra: new Dictionary<string, string?> { ["PATH"] = empty, ["Ops:Port"] = port.ToString() }));
        chat.PushAnimation(User, File.ReadAllBytes(Path.Combine(TestPaths.RepoRoot, "docs", "webchat.png")));
        var answer = (await Wait(c => c.Any(x => x.ChatId == User), "the answer to the animation")).First(x => x.ChatId == User);
        Assert.Equal("Sorry, animations are not available on this server. Send a photo instead: every style works for photos.", answer.Text);

        using var http = new HttpClient();
        var health = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/healthz"))!;
        Assert.Equal("ready", (string?)health["status"]);                 // the rest works: no animation is no outage
        Assert.False((bool)health["capabilities"]!["animation"]!);
        Assert.Contains(health["capabilities"]!["missing"]!.AsArray(), m => ((string)m!).StartsWith("animation: ffmpeg is not installed", StringComparison.Ordinal));
        await nodes[0].StopAsync(Patience);
        using var store = new ArtBot.Storage.ArtBotDatabase(database);
        Assert.Empty(await new ArtBot.Storage.LiteJobQueue(store).ActiveJobsAsync("telegram", User));
        Assert.Equal(0, (await new ArtBot.Storage.LiteJobQueue(store).StatsAsync()).ByState.Values.Sum());
    }
}
