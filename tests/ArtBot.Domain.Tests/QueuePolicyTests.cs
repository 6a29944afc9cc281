using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Tests;

public sealed class QueuePolicyTests
{
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
    private static readonly NightWindow Night = new(new TimeOnly(1, 0), new TimeOnly(7, 0), Moscow);

    // 14:00 and 02:30 in Moscow (UTC+3).
    private static readonly DateTimeOffset Day = new(2026, 11, 22, 11, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset InTheNight = new(2026, 11, 22, 23, 30, 0, TimeSpan.Zero);

    private static QueuePolicy Policy(bool idleServesHeavy = false) =>
        new(new QueuePolicyOptions { IdleCapacityServesHeavyByDay = idleServesHeavy }, Night);

    private static long nextId;

    private static Job NewJob(bool paid, JobClass jobClass, JobState state = JobState.Queued)
    {
        var job = new Job { Id = Interlocked.Increment(ref nextId), Paid = paid, Class = jobClass, Rank = QueuePolicy.RankOf(paid, jobClass) };
        if (state == JobState.Running) job.Claim(Day, TimeSpan.FromMinutes(1), Job.NewAttempt());
        return job;
    }

    [Fact]
    public void Night_window_is_read_in_its_own_time_zone_and_wraps_midnight()
    {
        Assert.False(Night.IsOpen(Day));
        Assert.True(Night.IsOpen(InTheNight));
        var late = new NightWindow(new TimeOnly(23, 0), new TimeOnly(5, 0), Moscow);
        Assert.True(late.IsOpen(new DateTimeOffset(2026, 11, 22, 21, 30, 0, TimeSpan.Zero))); // 00:30 Moscow
        Assert.False(late.IsOpen(new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero)));  // 06:00 Moscow
    }

    [Fact]
    public void Next_opening_is_tonight_at_one_moscow_time()
    {
        var opening = Night.NextOpening(Day);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 22, 0, 0, TimeSpan.Zero), opening.ToUniversalTime());
        Assert.Equal(InTheNight, Night.NextOpening(InTheNight));
    }

    [Theory]
    [InlineData(JobKind.Preset, 2048, null, JobClass.Light)]
    [InlineData(JobKind.Gallery, 256, null, JobClass.Light)]
    [InlineData(JobKind.Stylize, 384, 80, JobClass.Light)]
    [InlineData(JobKind.Stylize, 512, 300, JobClass.Heavy)]
    [InlineData(JobKind.Stylize, 1024, 50, JobClass.Heavy)]
    [InlineData(JobKind.Dream, 512, 10, JobClass.Light)]
    [InlineData(JobKind.Dream, 1024, 10, JobClass.Heavy)]
    public void Jobs_are_classified_by_kind_size_and_iterations(JobKind kind, int size, int? iterations, JobClass expected) =>
        Assert.Equal(expected, Policy().Classify(kind, size, iterations));

    [Fact]
    public void Paid_before_free_light_before_heavy_fifo_within_a_class()
    {
        var freeLight1 = NewJob(false, JobClass.Light);
        var freeHeavy = NewJob(false, JobClass.Heavy);
        var paidHeavy = NewJob(true, JobClass.Heavy);
        var freeLight2 = NewJob(false, JobClass.Light);
        var paidLight = NewJob(true, JobClass.Light);
        var queue = new List<Job> { freeLight1, freeHeavy, paidHeavy, freeLight2, paidLight };
        var policy = Policy();

        var order = new List<Job>();
        while (policy.PickNext(queue, InTheNight) is { } next)
        {
            order.Add(next);
            next.Claim(InTheNight, TimeSpan.FromMinutes(1), Job.NewAttempt());
        }
        Assert.Equal([paidLight, paidHeavy, freeLight1, freeLight2, freeHeavy], order);
    }

    [Fact]
    public void Free_heavy_job_waits_for_the_night_unless_idle_capacity_may_serve_it()
    {
        var freeHeavy = NewJob(false, JobClass.Heavy);
        var queue = new List<Job> { freeHeavy };
        Assert.Null(Policy(idleServesHeavy: false).PickNext(queue, Day));
        Assert.Same(freeHeavy, Policy(idleServesHeavy: false).PickNext(queue, InTheNight));
        Assert.Same(freeHeavy, Policy(idleServesHeavy: true).PickNext(queue, Day));
        Assert.Equal(Night.NextOpening(Day), Policy().HeldUntil(freeHeavy, 1, Day));
        Assert.Null(Policy().HeldUntil(NewJob(true, JobClass.Heavy), 1, Day));
    }

    [Fact]
    public void A_held_job_that_idle_capacity_starts_now_is_not_told_to_wait_for_the_night()
    {
        var freeHeavy = NewJob(false, JobClass.Heavy);
        Assert.Null(Policy(idleServesHeavy: true).HeldUntil(freeHeavy, 1, Day));                          // first in line: starts when a worker is free
        Assert.Equal(Night.NextOpening(Day), Policy(idleServesHeavy: true).HeldUntil(freeHeavy, 2, Day)); // work before it may fill the day
        Assert.Equal(Night.NextOpening(Day), Policy(idleServesHeavy: false).HeldUntil(freeHeavy, 1, Day));
    }

    [Fact]
    public void Idle_capacity_never_jumps_a_held_heavy_job_over_light_work()
    {
        var freeHeavy = NewJob(false, JobClass.Heavy);
        var freeLight = NewJob(false, JobClass.Light);
        Assert.Same(freeLight, Policy(idleServesHeavy: true).PickNext([freeHeavy, freeLight], Day));
    }

    [Fact]
    public void Position_counts_the_jobs_that_go_first()
    {
        var a = NewJob(false, JobClass.Light);
        var b = NewJob(false, JobClass.Light);
        var paid = NewJob(true, JobClass.Light);
        var running = NewJob(true, JobClass.Light, JobState.Running);
        var queue = new[] { a, b, paid, running };
        Assert.Equal(1, QueuePolicy.Position(paid, queue));
        Assert.Equal(2, QueuePolicy.Position(a, queue));
        Assert.Equal(3, QueuePolicy.Position(b, queue));
    }

    [Fact]
    public void Free_users_hold_a_limited_number_of_heavy_jobs()
    {
        var policy = Policy();
        Assert.True(policy.MayQueueHeavy(1, paid: false));
        Assert.False(policy.MayQueueHeavy(2, paid: false));
        Assert.True(policy.MayQueueHeavy(10, paid: true));
    }
}
