using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;

namespace ArtBot.Storage.Tests;

/// <summary>The queue on a real LiteDB file.</summary>
public sealed class LiteJobQueueTests : IDisposable
{
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
    private static readonly DateTimeOffset Day = new(2026, 11, 22, 11, 0, 0, TimeSpan.Zero);        // 14:00 Moscow
    private static readonly DateTimeOffset InTheNight = new(2026, 11, 22, 23, 30, 0, TimeSpan.Zero); // 02:30 Moscow
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private readonly string folder = Directory.CreateTempSubdirectory("artbot-db-").FullName;
    private ArtBotDatabase database;
    private LiteJobQueue queue;

    public LiteJobQueueTests()
    {
        database = new ArtBotDatabase(DbPath);
        queue = new LiteJobQueue(database);
    }

    private string DbPath => Path.Combine(folder, "artbot.db");

    public void Dispose()
    {
        database.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private static QueuePolicy Policy(bool idleServesHeavy = false) =>
        new(new QueuePolicyOptions { IdleCapacityServesHeavyByDay = idleServesHeavy }, new NightWindow(new TimeOnly(1, 0), new TimeOnly(7, 0), Moscow));

    private static Job NewJob(long user, bool paid, JobClass jobClass, JobKind kind = JobKind.Preset) => new()
    {
        Platform = "telegram",
        UserId = user,
        ChatId = user,
        Kind = kind,
        Paid = paid,
        Class = jobClass,
        Rank = QueuePolicy.RankOf(paid, jobClass),
        ContentImage = "img/x",
        CreatedAt = Day,
    };

    /// <summary>Books a job as the bot does: a paid one with 10 credits reserved, granted just before.</summary>
    private async Task<Job> Enqueue(Job job)
    {
        if (job.Paid)
            await new LiteLedger(database).PostAsync(new LedgerEntry
            {
                Key = $"grant:{Guid.NewGuid():N}", Platform = job.Platform, UserId = job.UserId, Kind = LedgerKind.AdminGrant, Amount = 10, At = Day,
            });
        return (await queue.BookAsync(job, job.Paid ? 10 : 0))!;
    }

    private Task<Job?> Claim(QueuePolicy policy, DateTimeOffset now) => queue.ClaimAsync(policy, now, Lease);

    private void Reopen()
    {
        database.Dispose();
        database = new ArtBotDatabase(DbPath);
        queue = new LiteJobQueue(database);
    }

    [Fact]
    public async Task Store_and_pure_policy_agree_on_a_random_queue()
    {
        var random = new Random(7);
        var jobs = new List<Job>();
        for (var i = 0; i < 200; i++)
            jobs.Add(await Enqueue(NewJob(i, random.Next(3) == 0, random.Next(2) == 0 ? JobClass.Light : JobClass.Heavy)));
        var policy = Policy();
        foreach (var now in new[] { Day, InTheNight })
        {
            var expected = policy.PickNext(jobs.Where(j => j.State == JobState.Queued), now);
            var claimed = await Claim(policy, now);
            Assert.Equal(expected?.Id, claimed?.Id);
            expected?.Claim(now, Lease, Job.NewAttempt());
        }
    }

    [Fact]
    public async Task Held_job_runs_once_the_window_opens()
    {
        var heavy = await Enqueue(NewJob(1, false, JobClass.Heavy, JobKind.Stylize));
        Assert.Null(await Claim(Policy(), Day));
        var claimed = await Claim(Policy(), InTheNight);
        Assert.Equal(heavy.Id, claimed?.Id);
        Assert.Equal(JobState.Running, claimed!.State);
        Assert.Equal(1, claimed.Attempts);
        Assert.Equal(InTheNight + Lease, claimed.LeaseUntil);
    }

    [Fact]
    public async Task Restart_requeues_the_interrupted_job_in_its_place_and_fails_it_after_max_attempts()
    {
        var first = await Enqueue(NewJob(1, false, JobClass.Light));
        var second = await Enqueue(NewJob(2, false, JobClass.Light));
        var running = await Claim(Policy(), Day);
        Assert.Equal(first.Id, running!.Id);

        Reopen(); // the process died with `first` running
        var report = await queue.RecoverAsync(Day, expiredOnly: false, j => j.Recover(Day, 2));
        Assert.Equal([(first.Id, JobEvent.Requeued)], report.Select(u => (u.Job.Id, u.Change.Event)));
        var again = await Claim(Policy(), Day);
        Assert.Equal(first.Id, again!.Id);      // it keeps its place ahead of `second`
        Assert.Equal(2, again.Attempts);

        Reopen(); // and died again
        report = await queue.RecoverAsync(Day, expiredOnly: false, j => j.Recover(Day, 2));
        Assert.Equal([(first.Id, JobState.Failed)], report.Select(u => (u.Job.Id, u.Job.State)));
        Assert.Equal(JobState.Failed, (await queue.GetAsync(first.Id))!.State);
        Assert.Equal(second.Id, (await Claim(Policy(), Day))!.Id);
    }

    [Fact]
    public async Task Cancelled_job_leaves_the_queue_and_positions_close_up()
    {
        var a = await Enqueue(NewJob(1, false, JobClass.Light));
        var b = await Enqueue(NewJob(2, false, JobClass.Light));
        var c = await Enqueue(NewJob(3, false, JobClass.Light));
        Assert.Equal(3, await queue.PositionAsync(c));

        Assert.True((await queue.UpdateAsync(b.Id, Day, j => j.RequestCancel(Day))).Applied);
        Assert.False((await queue.UpdateAsync(b.Id, Day, j => j.RequestCancel(Day))).Applied);
        Assert.Equal(2, await queue.PositionAsync(c));
        Assert.Equal(JobState.Cancelled, (await queue.GetAsync(b.Id))!.State);
        Assert.Equal([a.Id, c.Id], [(await Claim(Policy(), Day))!.Id, (await Claim(Policy(), Day))!.Id]);
    }

    [Fact]
    public async Task Active_jobs_are_a_users_queued_and_running_ones()
    {
        var a = await Enqueue(NewJob(7, false, JobClass.Light));
        var b = await Enqueue(NewJob(7, false, JobClass.Heavy));
        await Enqueue(NewJob(8, false, JobClass.Light));
        await Claim(Policy(), Day);
        var active = await queue.ActiveJobsAsync("telegram", 7);
        Assert.Equal([a.Id, b.Id], active.Select(j => j.Id));
        Assert.Equal([JobState.Running, JobState.Queued], active.Select(j => j.State));
        Assert.Empty(await queue.ActiveJobsAsync("vk", 7));
    }

    [Fact]
    public async Task Job_fields_survive_a_restart()
    {
        var job = new Job
        {
            Platform = "telegram", UserId = 42, ChatId = 42, Kind = JobKind.Stylize, Paid = true, Class = JobClass.Heavy, Rank = QueuePolicy.RankOf(true, JobClass.Heavy),
            ContentImage = "img/x", StyleImage = "img/style", Size = 768, Iterations = 400, PreserveColors = true, Language = ArtBot.Domain.Art.Language.Ru, CreatedAt = Day,
        };
        await Enqueue(job);
        var claimed = (await Claim(Policy(), InTheNight))!;
        await queue.ByAttemptAsync(claimed, InTheNight, (j, a) => j.Progress(a, new WorkDone(7, 400, 0.01)));
        Reopen();
        var stored = await queue.GetAsync(job.Id);
        Assert.NotNull(stored);
        Assert.Equal((JobKind.Stylize, "img/style", 768, 400, true, ArtBot.Domain.Art.Language.Ru, Day),
            (stored!.Kind, stored.StyleImage, stored.Size, stored.Iterations, stored.PreserveColors, stored.Language, stored.CreatedAt));
        Assert.Equal((JobState.Running, claimed.Attempt, 10L, 7, 0.01), (stored.State, stored.Attempt, stored.Price, stored.ProgressStep, stored.ProgressWork));
    }
}
