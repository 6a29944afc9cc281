using ArtBot.Domain.Billing;

namespace ArtBot.Domain.Queue;

/// <summary>How deep the queue is, by rank, and how old its oldest job.</summary>
public sealed record QueueDepth(IReadOnlyDictionary<int, int> ByRank, DateTimeOffset? OldestQueuedAt);

/// <summary>What a user's /cancel did to one queued job.</summary>
/// <param name="Cancelled">False when the job was no longer queued (a worker claimed it first).</param>
public sealed record CancelOutcome(bool Cancelled, Settlement? Settlement);

/// <summary>What start-up recovery did with jobs a crash left running.</summary>
public sealed record RecoveryReport(IReadOnlyList<Job> Requeued, IReadOnlyList<Job> Failed);

/// <summary>Counts for the admins: jobs by state and class, queue depth, average wait before a job starts.</summary>
public sealed record QueueStats(
    IReadOnlyDictionary<JobState, int> ByState,
    IReadOnlyDictionary<JobClass, int> ByClass,
    int Depth,
    IReadOnlyDictionary<JobClass, TimeSpan> AverageWait);

/// <summary>
/// The persistent queue. Priority is the job's explicit <see cref="Job.Rank"/>; claiming is
/// atomic and leases the job, so a crash leaves it recognisably "running" for recovery. Every
/// change that ends a paid job settles its credits in the same transaction.
/// </summary>
public interface IJobQueue
{
    Task<QueueStats> StatsAsync(CancellationToken cancellationToken = default);

    /// <summary>Queued jobs by rank and when the oldest of them was booked: cheap, for health and metrics.</summary>
    Task<QueueDepth> DepthAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Books a job: stores it as queued, gives it its id (its place in FIFO order) and, for a paid
    /// job, reserves <paramref name="price"/> credits, all in one transaction. No worker can ever
    /// claim a paid job whose credits are not held.
    /// </summary>
    /// <returns>Null (and nothing stored) when the user's balance does not cover the price.</returns>
    /// <exception cref="ArgumentException">A paid job without a positive price, or a free one with a price.</exception>
    Task<Job?> EnqueueAsync(Job job, long price = 0, CancellationToken cancellationToken = default);

    /// <summary>Takes the job <paramref name="policy"/> lets run next, marks it running and leases it; null when none may run.</summary>
    Task<Job?> ClaimNextAsync(QueuePolicy policy, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default);

    Task<Job?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Saves a job's state, progress or result.</summary>
    Task UpdateAsync(Job job, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes a queued job from the queue, marks it cancelled and returns its credits, in one
    /// transaction against the workers' claims: a job a worker took first is not cancelled here.
    /// </summary>
    Task<CancelOutcome> CancelQueuedAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Marks a running job as stopped by its user, for a worker (in this process or another) to see.</summary>
    /// <returns>False when the job is not running.</returns>
    Task<bool> RequestCancelAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The result reached the user: marks the job delivered and settles a paid job by
    /// <see cref="Settlement.For"/>, in one transaction. A second call changes nothing.
    /// </summary>
    /// <returns>The settlement this call made; null for a free job or one settled before.</returns>
    Task<Settlement?> MarkDeliveredAsync(Job job, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The job ends without a picture (failed for good, never deliverable, its user banned): marks it and returns its credits in one transaction.</summary>
    /// <param name="state">Failed or Cancelled.</param>
    Task<Settlement?> EndWithoutResultAsync(Job job, JobState state, string error, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The process is stopping: the job goes back to its place as if never claimed (no attempt counted, nothing settled).</summary>
    Task ReturnAsync(Job job, CancellationToken cancellationToken = default);

    /// <summary>Paid jobs that ended (delivered, failed, cancelled) with their reservation still open: what a crash between two steps of an older version left.</summary>
    Task<IReadOnlyList<Job>> UnsettledAsync(CancellationToken cancellationToken = default);

    /// <summary>Settles an ended job by <see cref="Settlement.For"/>; null when nothing was open.</summary>
    Task<Settlement?> SettleAsync(Job job, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>1-based place among queued jobs in the order they will be considered.</summary>
    Task<int> PositionAsync(Job job, CancellationToken cancellationToken = default);

    /// <summary>A user's queued and running jobs, oldest first.</summary>
    Task<IReadOnlyList<Job>> ActiveJobsAsync(string platform, long userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// A user's newest pictures (finished, or stopped with a picture; not preview sheets), newest
    /// first, at most <paramref name="limit"/>: stored results, whether or not their send has been confirmed yet.
    /// </summary>
    Task<IReadOnlyList<Job>> RecentResultsAsync(string platform, long userId, int limit, CancellationToken cancellationToken = default);

    Task<int> QueuedCountAsync(CancellationToken cancellationToken = default);

    /// <summary>Puts a job that failed a try back in its place in the queue.</summary>
    Task RequeueAsync(Job job, CancellationToken cancellationToken = default);

    /// <summary>
    /// Jobs with a result (done, or cancelled with the best image so far) not yet delivered, due for
    /// a try at <paramref name="now"/> and not being delivered by a live worker (lease over).
    /// </summary>
    Task<IReadOnlyList<Job>> UndeliveredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Jobs whose worker died: each goes back to the queue with its attempt counted, or fails for
    /// good (its credits returned in the same transaction) once it has had <paramref name="maxAttempts"/>.
    /// With <paramref name="expiredOnly"/>, only running jobs whose lease ran out (other workers may
    /// be alive); without, every running job (start-up of the one process a store allows).
    /// </summary>
    Task<RecoveryReport> RecoverAsync(int maxAttempts, DateTimeOffset now, bool expiredOnly = false, CancellationToken cancellationToken = default);

    /// <summary>Extends a running job's lease, or the delivery lease of a finished one; false when the job is not this worker's any more (requeued after its lease ran out).</summary>
    Task<bool> RenewLeaseAsync(long id, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    /// <summary>True when several processes share this store: start-up then recovers only expired leases.</summary>
    bool SharedByProcesses { get; }
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

/// <summary>
/// Work that one node of a cluster does at a time (the sweeper, retention). A store of one process
/// always grants it; a shared store holds a lock that ends with its holder's connection.
/// </summary>
public interface IClusterLock
{
    /// <returns>The held lock (dispose to release), or null when another node holds it now.</returns>
    Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken = default);
}
