using ArtBot.Domain.Billing;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Fakes;
using ArtBot.Storage.Postgres;
using ArtBot.Storage.Tests;

namespace ArtBot.Telegram.Tests;

/// <summary>
/// The whole bot on PostgreSQL (Storage:Provider=postgres) against the fake Bot API: the schema made
/// by the program, a preset, and a paid Gatys job booked, delivered and charged in that database.
/// </summary>
public sealed class PostgresScenarios(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IAsyncLifetime
{
    private readonly FakeTelegram chat = new();
    private readonly BotUnderTest bot = new();
    private string connection = "";

    public async Task InitializeAsync()
    {
        await chat.StartAsync();
        connection = cluster.NewSchema();
    }

    public async Task DisposeAsync()
    {
        await bot.DisposeAsync();
        await chat.DisposeAsync();
    }

    private async Task<IReadOnlyList<Sent>> WaitFor(Func<IReadOnlyList<Sent>, bool> condition, string what)
    {
        try
        {
            return await chat.WaitForAsync(condition, BotUnderTest.Patience, what);
        }
        catch (TimeoutException e)
        {
            throw bot.Explain(e);
        }
    }

    [Fact]
    public async Task A_preset_and_a_paid_job_run_on_postgres_and_the_money_is_kept_there()
    {
        using (var database = new PostgresDatabase(connection))
            await new PgLedger(database).PostAsync(new LedgerEntry { Key = "test:grant", Platform = "telegram", UserId = 80, Kind = LedgerKind.AdminGrant, Amount = 25 });
        var settings = new Dictionary<string, string?>(chat.Settings) { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = connection };
        await bot.StartAsync(chat, settings);

        chat.PushPhoto(80, TestPaths.Photo("tubingen.jpg"));
        await WaitFor(c => c.Any(x => x.ChatId == 80 && x.Says("Got your photo")), "the menu");
        chat.Press(80, "The Great Wave");
        await WaitFor(c => c.Any(x => x.ChatId == 80 && x.Kind == SentKind.Photo && x.Says("Style “The Great Wave”")), "the preset");

        chat.PushPhoto(80, TestPaths.Painting("starry_night.jpg"));
        await WaitFor(c => c.Any(x => x.ChatId == 80 && x.Says("Pick the quality")), "the tier menu");
        chat.Press(80, "Premium");
        await WaitFor(c => c.Any(x => x.ChatId == 80 && x.Kind == SentKind.Photo && x.Says("Painted")), "the paid picture");
        await bot.StopAsync();

        using var store = new PostgresDatabase(connection);
        var ledger = await new PgLedger(store).EntriesAsync("telegram", 80);
        Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], ledger.Select(e => e.Kind));
        Assert.Equal(15, ledger.Sum(e => e.Amount));
        Assert.Equal(3, (await new PgJobQueue(store).StatsAsync()).ByState[Domain.Queue.JobState.Done]);   // preview, preset, Gatys
    }
}
