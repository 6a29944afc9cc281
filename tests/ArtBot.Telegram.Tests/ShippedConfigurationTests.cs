using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using ArtBot.Host;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Fakes;
using ArtBot.Storage.Postgres;
using ArtBot.Storage.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ArtBot.Telegram.Tests;

/// <summary>The configuration as shipped (config/artbot.json and the options' defaults), in the real host.</summary>
public sealed class ShippedConfigurationTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IAsyncLifetime
{
    private readonly FakeTelegram chat = new();

    public Task InitializeAsync() => chat.StartAsync();

    public async Task DisposeAsync() => await chat.DisposeAsync();

    /// <summary>
    /// A worker took a job and died. A worker started with nothing but the shipped configuration
    /// (and a clock the test moves: no test waits minutes) renders it again once three minutes
    /// have passed: the shipped lease (2 min) has run out and a sweep (every minute) has come.
    /// </summary>
    [Fact]
    public async Task A_worker_with_the_shipped_configuration_reruns_a_dead_workers_job_within_three_minutes()
    {
        const long user = 41;
        var store = cluster.NewSchema();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var overrides = new Dictionary<string, string?>(chat.Settings)
        {
            ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = store, ["Bot:Role"] = "worker", ["Ops:Port"] = "0",
        };
        var builder = BotHost.CreateBuilder(overrides, LogLevel.Warning);
        builder.Services.AddSingleton<TimeProvider>(clock);
        using var host = builder.Build();
        var lease = host.Services.GetRequiredService<BotOptions>().Lease;

        using (var database = new PostgresDatabase(store))
        {
            var photo = await new PgImageStore(database).PutAsync(TestPaths.Photo("dog.jpg"), clock.GetUtcNow(), "telegram:41");
            var job = new Job
            {
                Platform = "telegram", UserId = user, ChatId = user, Kind = JobKind.Preset, PresetId = "wave", ContentImage = photo, Size = 64,
                Class = JobClass.Light, Rank = QueuePolicy.RankOf(false, JobClass.Light), CreatedAt = clock.GetUtcNow(),
            };
            job.Book(0, announceFirst: false);
            var queue = new PgJobQueue(database);
            await queue.EnqueueAsync(job);
            var now = clock.GetUtcNow();
            Assert.NotNull(await queue.ClaimNextAsync(new QueuePolicy(new QueuePolicyOptions(), new NightWindow(new(1, 0), new(7, 0), TimeZoneInfo.Utc)), now,
                j => j.Claim(now, lease, "the worker that died")));
        }

        await host.StartAsync();
        try
        {
            clock.Advance(TimeSpan.FromMinutes(3));
            var picture = (await chat.WaitForAsync(c => c.Any(x => x.ChatId == user && x.IsPicture), TimeSpan.FromSeconds(60), "the re-run's picture"))
                .Single(x => x.ChatId == user && x.IsPicture);
            Assert.StartsWith("Style “The Great Wave”", picture.Text);
        }
        finally
        {
            await host.StopAsync();
        }
        Assert.Equal(TimeSpan.FromMinutes(2), lease);
    }
}
