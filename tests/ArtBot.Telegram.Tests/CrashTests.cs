using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Fakes;
using ArtBot.Storage;

namespace ArtBot.Telegram.Tests;

/// <summary>
/// A paid job through process deaths: the bot runs as a child process, is killed hard (SIGKILL)
/// at each step of the job's life, and started again. The user gets the picture, is charged once,
/// and no reservation is left open. Telegram has no idempotency key for sends, so a death between
/// sending the picture and recording it sends it once more: the one case of at-least-once.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
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

    private async Task GrantAsync(long credits)
    {
        using var database = new ArtBotDatabase(Database);
        await new LiteLedger(database).PostAsync(new LedgerEntry
        {
            Key = $"test:grant:{Guid.NewGuid():N}", Platform = "telegram", UserId = User, Kind = LedgerKind.AdminGrant, Amount = credits,
        });
    }

    [Theory]
    [InlineData(nameof(Domain.Bot.JobStep.Booked), 1)]
    [InlineData(nameof(Domain.Bot.JobStep.Claimed), 1)]
    [InlineData(nameof(Domain.Bot.JobStep.Rendering), 1)]
    [InlineData(nameof(Domain.Bot.JobStep.ResultStored), 1)]
    [InlineData(nameof(Domain.Bot.JobStep.Sent), 2)]        // sent, then killed before it was recorded: Telegram shows it twice
    [InlineData(nameof(Domain.Bot.JobStep.Delivered), 1)]
    public async Task A_paid_job_killed_at_any_step_is_delivered_and_charged_once_after_a_restart(string step, int pictures)
    {
        await GrantAsync(25);
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
        using var database = new ArtBotDatabase(Database);
        var ledger = await new LiteLedger(database).EntriesAsync("telegram", User);
        Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], ledger.Select(e => e.Kind));
        Assert.Equal(15, ledger.Sum(e => e.Amount));
        Assert.Equal(0, await new LiteLedger(database).HeldAsync("telegram", User));
        var job = (await new LiteJobQueue(database).GetAsync(1))!;
        Assert.Equal((JobState.Done, true, true), (job.State, job.DeliveredAt != null, job.Settled));
        Assert.Empty(await new LiteJobQueue(database).UnsettledAsync());
    }

    [Fact]
    public async Task A_graceful_stop_mid_render_puts_the_paid_job_back_untouched_and_it_is_charged_once_later()
    {
        await GrantAsync(25);
        await using (var bot = ChildBot.Start(chat, Database, premiumIterations: 400))
        {
            await OrderPremiumAsync(bot);
            await Wait(bot, c => c.Any(x => x.ChatId == User && x.Kind == SentKind.Edit && x.Says("Working")), "progress of the render");
            var took = await bot.StopAsync(Patience);
            Assert.True(took < TimeSpan.FromSeconds(10), $"a stop took {took.TotalSeconds:0.0} s");
            Assert.Equal(0, bot.ExitCode);
        }
        Assert.Equal(0, Pictures);   // nothing partial reached the user
        using (var database = new ArtBotDatabase(Database))
        {
            var job = (await new LiteJobQueue(database).GetAsync(1))!;
            Assert.Equal((JobState.Queued, 0, false), (job.State, job.Attempts, job.CancelRequested));
            Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve], (await new LiteLedger(database).EntriesAsync("telegram", User)).Select(e => e.Kind));
        }

        await using (var bot = ChildBot.Start(chat, Database, premiumIterations: 400))
        {
            await Wait(bot, _ => Pictures == 1, "the picture after the restart");
            await bot.StopAsync(Patience);
        }
        using (var database = new ArtBotDatabase(Database))
        {
            var job = (await new LiteJobQueue(database).GetAsync(1))!;
            Assert.Equal((JobState.Done, 1), (job.State, job.Attempts));
            var ledger = await new LiteLedger(database).EntriesAsync("telegram", User);
            Assert.Equal([LedgerKind.AdminGrant, LedgerKind.Reserve, LedgerKind.Release, LedgerKind.Charge], ledger.Select(e => e.Kind));
            Assert.Equal(15, ledger.Sum(e => e.Amount));
        }
    }
}
