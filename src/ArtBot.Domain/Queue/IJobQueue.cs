namespace ArtBot.Domain.Queue;

/// <summary>What start-up recovery did with jobs a crash left running.</summary>
public sealed record RecoveryReport(IReadOnlyList<Job> Requeued, IReadOnlyList<Job> Failed);

/// <summary>
/// The persistent queue. Priority is the job's explicit <see cref="Job.Rank"/>; claiming is
/// atomic and leases the job, so a crash leaves it recognisably "running" for recovery.
/// </summary>
/// <summary>Counts for the admins: jobs by state and class, queue depth, average wait before a job starts.</summary>
public sealed record QueueStats(
    IReadOnlyDictionary<JobState, int> ByState,
    IReadOnlyDictionary<JobClass, int> ByClass,
    int Depth,
    IReadOnlyDictionary<JobClass, TimeSpan> AverageWait);

public interface IJobQueue
{
    Task<QueueStats> StatsAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a new job as queued and gives it its id (its place in FIFO order).</summary>
    Task<Job> EnqueueAsync(Job job, CancellationToken cancellationToken = default);

    /// <summary>Takes the job <paramref name="policy"/> lets run next, marks it running and leases it; null when none may run.</summary>
    Task<Job?> ClaimNextAsync(QueuePolicy policy, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default);

    Task<Job?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Saves a job's state, progress or result.</summary>
    Task UpdateAsync(Job job, CancellationToken cancellationToken = default);

    /// <summary>Removes a queued job from the queue and marks it cancelled; false if it was not queued.</summary>
    Task<bool> CancelQueuedAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>1-based place among queued jobs in the order they will be considered.</summary>
    Task<int> PositionAsync(Job job, CancellationToken cancellationToken = default);

    /// <summary>A user's queued and running jobs, oldest first.</summary>
    Task<IReadOnlyList<Job>> ActiveJobsAsync(string platform, long userId, CancellationToken cancellationToken = default);

    Task<int> QueuedCountAsync(CancellationToken cancellationToken = default);

    /// <summary>Puts a job that failed a try back in its place in the queue.</summary>
    Task RequeueAsync(Job job, CancellationToken cancellationToken = default);

    /// <summary>Jobs with a result (done, or cancelled with the best image so far) not yet delivered: a crash between the two.</summary>
    Task<IReadOnlyList<Job>> UndeliveredAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Start-up: jobs found running were interrupted; each goes back to the queue with its attempt
    /// counted, or fails for good once it has had <paramref name="maxAttempts"/>.
    /// </summary>
    Task<RecoveryReport> RecoverAsync(int maxAttempts, DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>Uploaded photos and results, kept for the retention period.</summary>
public interface IImageStore
{
    Task<string> PutAsync(byte[] image, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <exception cref="KeyNotFoundException">No such image (expired or never stored).</exception>
    Task<byte[]> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Deletes images stored before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);
}
