using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Fakes;
using ArtBot.Storage.Postgres;
using ArtBot.Storage.Tests;

namespace ArtBot.Telegram.Tests;

/// <summary>
/// One receiver and three workers, real processes on one PostgreSQL store, against the fake Bot API:
/// ten users ask for thirty jobs, some of them paid; one worker is killed (SIGKILL) as it starts to
/// render. Every job is delivered once and every paid one charged once, the dead worker's job
/// finished by another once its lease runs out.
/// </summary>
public sealed class ClusterTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);
    private readonly FakeTelegram chat = new();
    private readonly List<ChildBot> nodes = [];

    public Task InitializeAsync() => chat.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in nodes) await node.DisposeAsync();
        await chat.DisposeAsync();
    }

    private string Errors => string.Join("\n", nodes.Select((n, i) => $"node {i}:\n{n.Errors}"));

    [Fact]
    public async Task Thirty_jobs_on_three_workers_are_delivered_once_and_charged_once_though_one_worker_dies()
    {
        var store = cluster.NewSchema();
        var paid = new long[] { 101, 102, 103, 104 };
        using (var database = new PostgresDatabase(store))
            foreach (var user in paid)
                await new PgLedger(database).PostAsync(new LedgerEntry { Key = $"test:grant:{user}", Platform = "telegram", UserId = user, Kind = LedgerKind.AdminGrant, Amount = 25 });
        // The two workers that live have two jobs in flight each (Queue:RenderSlots), as GPU workers do.
        Dictionary<string, string?> Node(string role, int slots = 1) => new()
        {
            ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = store, ["Bot:Role"] = role, ["Queue:RenderSlots"] = $"{slots}",
            ["Bot:Lease"] = "00:00:06", ["Bot:SweepInterval"] = "00:00:02",
            ["Bot:Free:MaxSide"] = "64", ["Bot:Free:MaxIterations"] = "6", ["Bot:DreamSteps"] = "2", ["Bot:GalleryTile"] = "48",
        };
        // The receiver is configured as the GPU image configures every role (Engine:Device=cuda), on
        // this machine that has no GPU: a receiver never renders, so it must start no engine.
        nodes.Add(ChildBot.Start(chat, "unused-on-postgres.db", extra: new Dictionary<string, string?>(Node("receiver")) { ["Engine:Device"] = "cuda" }));
        nodes.Add(ChildBot.Start(chat, "unused-on-postgres.db", crashAt: "Rendering", extra: Node("worker")));
        nodes.Add(ChildBot.Start(chat, "unused-on-postgres.db", extra: Node("worker", slots: 2)));
        nodes.Add(ChildBot.Start(chat, "unused-on-postgres.db", extra: Node("worker", slots: 2)));

        var users = Enumerable.Range(101, 10).Select(u => (long)u).ToList();
        foreach (var user in users) chat.PushPhoto(user, TestPaths.Photo("dog.jpg"));   // a preview job each
        await Wait(c => users.All(u => c.Any(x => x.ChatId == u && x.Says("Got your photo"))), "every menu");
        foreach (var user in users)
        {
            chat.Press(user, "The Great Wave");                                              // a preset each
            chat.PushPhoto(user, TestPaths.Photo("person.jpg"), caption: "dream");             // a dream each
        }
        await Wait(c => paid.All(u => c.Any(x => x.ChatId == u && x.Says("Pick the quality"))), "the tier menus of the paying users");
        foreach (var user in paid) chat.Press(user, "Premium");

        await Wait(_ => users.All(u => Pictures(u) >= 3), "three pictures for every user");
        await nodes[1].WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("killed at Rendering", nodes[1].Errors);
        foreach (var node in nodes.Where(n => !n.HasExited)) await node.StopAsync(Patience);

        foreach (var user in users)
        {
            var captions = chat.Sent.Where(x => x.ChatId == user && x.IsPicture).Select(x => x.Text!.Split(',')[0].Split(' ')[0]).ToList();
            Assert.Equal(3, captions.Count);                 // the preview, the preset, the dream: once each
            Assert.Equal(3, captions.Distinct().Count());
        }
        using var check = new PostgresDatabase(store);
        var stats = await new PgJobQueue(check).StatsAsync();
        Assert.Equal(30, stats.ByState.GetValueOrDefault(JobState.Done));
        Assert.Equal(30, stats.ByState.Values.Sum());
        Assert.Empty(await new PgJobQueue(check).UnsettledAsync());
        foreach (var user in paid)
        {
            var ledger = await new PgLedger(check).EntriesAsync("telegram", user);
            Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], ledger.Select(e => e.Kind));
            Assert.Equal(15, ledger.Sum(e => e.Amount));
        }
    }

    private int Pictures(long user) => chat.Sent.Count(x => x.ChatId == user && x.IsPicture);

    private async Task Wait(Func<IReadOnlyList<Sent>, bool> condition, string what)
    {
        try
        {
            await chat.WaitForAsync(condition, Patience, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Errors}", e);
        }
    }
}
