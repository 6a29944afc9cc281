using System.ComponentModel.DataAnnotations;

namespace ArtBot.Domain.Queue;

/// <summary>Numbers of the queue policy, bound from configuration section <c>Queue</c> beside the host's own queue settings.</summary>
public sealed record QueuePolicyOptions
{
    /// <summary>A Gatys or dream job above this long side is heavy.</summary>
    [Range(16, 8192)]
    public int LightMaxSide { get; init; } = 512;

    /// <summary>A Gatys job above this many iterations is heavy (Gatys is heavy at any size above <see cref="LightMaxSide"/>).</summary>
    [Range(1, 100_000)]
    public int LightMaxIterations { get; init; } = 100;

    /// <summary>A dream above this many steps per octave is heavy.</summary>
    [Range(1, 100_000)]
    public int LightMaxDreamSteps { get; init; } = 10;

    /// <summary>Queued heavy jobs one free user may hold.</summary>
    [Range(0, 100)]
    public int FreeMaxQueuedHeavy { get; init; } = 2;

    /// <summary>When nothing else is waiting, free heavy jobs may run by day.</summary>
    public bool IdleCapacityServesHeavyByDay { get; init; } = true;
}

/// <summary>
/// Who goes next, and what to tell users about it. Pure: the clock and the queue's contents are
/// passed in, so the rules are tested with a fake <see cref="TimeProvider"/> and plain lists.
/// </summary>
public sealed class QueuePolicy(QueuePolicyOptions options, NightWindow night)
{
    public QueuePolicyOptions Options { get; } = options;
    public NightWindow Night { get; } = night;

    public JobClass Classify(JobKind kind, int size, int? iterations) => kind switch
    {
        // An animation is a preset over a few seconds of frames (Bot:Animation caps them).
        JobKind.Preset or JobKind.Gallery or JobKind.Animation => JobClass.Light,
        JobKind.Stylize => size > Options.LightMaxSide || (iterations ?? int.MaxValue) > Options.LightMaxIterations ? JobClass.Heavy : JobClass.Light,
        JobKind.Dream => size > Options.LightMaxSide || (iterations ?? 0) > Options.LightMaxDreamSteps ? JobClass.Heavy : JobClass.Light,
        _ => JobClass.Heavy,
    };

    /// <summary>0 paid light, 1 paid heavy, 2 free light, 3 free heavy: lower runs first.</summary>
    public static int RankOf(bool paid, JobClass jobClass) => (paid ? 0 : 2) + (jobClass == JobClass.Heavy ? 1 : 0);

    public const int Ranks = 4;

    /// <summary>Ranks 0 and 1 hold paid work.</summary>
    public static bool IsPaidRank(int rank) => rank < RankOf(paid: false, JobClass.Light);

    /// <summary>Free heavy jobs wait for the night window; everything else may run now.</summary>
    public bool MayRunNow(Job job, DateTimeOffset now) => MayRunRank(job.Rank, now);

    /// <summary>The same rule by rank, for stores that keep the queue as an index of (rank, id).</summary>
    public bool MayRunRank(int rank, DateTimeOffset now) => rank != RankOf(paid: false, JobClass.Heavy) || Night.IsOpen(now);

    /// <summary>
    /// The next job to run from <paramref name="queued"/> (in any order): the best-ranked, oldest
    /// one that may run now; if none may, a held free heavy job when idle capacity may serve it.
    /// </summary>
    public Job? PickNext(IEnumerable<Job> queued, DateTimeOffset now)
    {
        var ordered = queued.Where(j => j.State == JobState.Queued).OrderBy(j => j.Rank).ThenBy(j => j.Id).ToList();
        return ordered.FirstOrDefault(j => MayRunNow(j, now))
               ?? (Options.IdleCapacityServesHeavyByDay ? ordered.FirstOrDefault() : null);
    }

    /// <summary>Whether a free user may queue one more heavy job.</summary>
    public bool MayQueueHeavy(int queuedHeavyOfUser, bool paid) => paid || queuedHeavyOfUser < Options.FreeMaxQueuedHeavy;

    /// <summary>
    /// 1-based place of <paramref name="job"/> among <paramref name="queued"/>, counting the jobs
    /// that would be picked before it.
    /// </summary>
    public static int Position(Job job, IEnumerable<Job> queued) =>
        1 + queued.Count(j => j.Id != job.Id && j.State == JobState.Queued && (j.Rank < job.Rank || (j.Rank == job.Rank && j.Id < job.Id)));

    /// <summary>A moment as the users' clock shows it (HH:mm in the night window's zone).</summary>
    public string LocalClock(DateTimeOffset moment) =>
        TimeZoneInfo.ConvertTime(moment, Night.Zone).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// When the job is expected to start: null for "soon", or the night window's opening for a held
    /// job. A held job first in line starts as soon as a worker is free when idle capacity serves
    /// held jobs by day (nothing runnable waits before it), so it is not told to wait for the night.
    /// </summary>
    /// <param name="position">Its 1-based place among the queued jobs (<see cref="Position"/>).</param>
    public DateTimeOffset? HeldUntil(Job job, int position, DateTimeOffset now) =>
        MayRunNow(job, now) || (Options.IdleCapacityServesHeavyByDay && position == 1) ? null : Night.NextOpening(now);
}
