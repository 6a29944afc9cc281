using ArtBot.Domain.Billing;

namespace ArtBot.Domain.Queue;

/// <summary>How deep the queue is, by rank, and how old its oldest job.</summary>
public sealed record QueueDepth(IReadOnlyDictionary<int, int> ByRank, DateTimeOffset? OldestQueuedAt);

/// <summary>A transition applied to the stored job: the job as saved, what the transition did, and the settlement it made (if any).</summary>
public sealed record JobUpdate(Job Job, JobChange Change, Settlement? Settlement)
{
    public bool Applied => Change.Applied;
}

/// <summary>Counts for the admins: jobs by state and class, queue depth, average wait before a job starts.</summary>
public sealed record QueueStats(
    IReadOnlyDictionary<JobState, int> ByState,
    IReadOnlyDictionary<JobClass, int> ByClass,
    int Depth,
    IReadOnlyDictionary<JobClass, TimeSpan> AverageWait);

/// <summary>
/// The persistent queue. It chooses, locks and saves; what a change does is the job's own
/// transition (<see cref="Job"/>), passed in and applied to the stored copy under the store's lock,
/// so a worker's stale copy never overwrites anything. A transition that says so settles the job's
/// credits in the same transaction (<see cref="JobLedger"/>). Priority is the job's explicit
/// <see cref="Job.Rank"/>; a job waiting out a retry pause (<see cref="Job.NotBefore"/>) is not chosen.
/// </summary>
public interface IJobQueue
{
    Task<QueueStats> StatsAsync(CancellationToken cancellationToken = default);

    /// <summary>Queued jobs by rank and when the oldest of them was booked: cheap, for health and metrics.</summary>
    Task<QueueDepth> DepthAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a job that <see cref="Job.Book"/> priced, gives it its id (its place in FIFO order)
    /// and, for a paid job, reserves its price, all in one transaction: no worker can ever claim a
    /// paid job whose credits are not held.
    /// </summary>
    /// <returns>Null (and nothing stored) when the user's balance does not cover the price.</returns>
    Task<Job?> EnqueueAsync(Job job, CancellationToken cancellationToken = default);

    /// <summary>Chooses the job <paramref name="policy"/> lets run next and applies <paramref name="claim"/> to it; null when none may run.</summary>
    Task<Job?> ClaimNextAsync(QueuePolicy policy, DateTimeOffset now, Func<Job, JobChange> claim, CancellationToken cancellationToken = default);

    Task<Job?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Applies <paramref name="transition"/> to the stored job under the store's lock, settles when it says so, and saves.</summary>
    /// <exception cref="KeyNotFoundException">No such job.</exception>
    Task<JobUpdate> UpdateAsync(long id, DateTimeOffset now, Func<Job, JobChange> transition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="recover"/> to every job whose holder is gone (<see cref="Job.Orphaned"/>),
    /// each with its settlement. With <paramref name="expiredOnly"/>, only lapsed leases and stale
    /// bookings (other processes may be alive); without, everything held (start-up of the one process a store allows).
    /// </summary>
    Task<IReadOnlyList<JobUpdate>> RecoverAsync(DateTimeOffset now, bool expiredOnly, Func<Job, JobChange> recover, CancellationToken cancellationToken = default);

    /// <summary>Jobs that <see cref="Job.NeedsSettlement"/>: what a crash between two steps of an older version left.</summary>
    Task<IReadOnlyList<Job>> UnsettledAsync(CancellationToken cancellationToken = default);

    /// <summary>Jobs with a picture not yet delivered and due for a try at <paramref name="now"/> (<see cref="Job.DeliveryDue"/>).</summary>
    Task<IReadOnlyList<Job>> UndeliveredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>1-based place among queued jobs in the order they will be considered.</summary>
    Task<int> PositionAsync(Job job, CancellationToken cancellationToken = default);

    /// <summary>A user's booked, queued and running jobs, oldest first.</summary>
    Task<IReadOnlyList<Job>> ActiveJobsAsync(string platform, long userId, CancellationToken cancellationToken = default);

    /// <summary>How many booked, queued and running jobs these users have together: one look, however many users a network made.</summary>
    Task<int> ActiveCountAsync(string platform, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// A user's newest pictures (finished, or stopped with a picture; not preview sheets), newest
    /// first, at most <paramref name="limit"/>: stored results, whether or not their send has been confirmed yet.
    /// </summary>
    Task<IReadOnlyList<Job>> RecentResultsAsync(string platform, long userId, int limit, CancellationToken cancellationToken = default);

    Task<int> QueuedCountAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a user's jobs that are over (none may be active: the caller checked); returns them, for their images.</summary>
    Task<IReadOnlyList<Job>> ForgetAsync(string platform, long userId, CancellationToken cancellationToken = default);

    /// <summary>True when several processes share this store: start-up then recovers only expired leases.</summary>
    bool SharedByProcesses { get; }
}

/// <summary>Uploaded photos and results, kept for the retention period.</summary>
public interface IImageStore
{
    /// <param name="owner">
    /// Whose allowance it counts against (<c>telegram:123</c>, <c>web-net:…</c>); results count against
    /// their job's user. A copy kept for a user but counted against nobody is owned by
    /// "<c>user key/what</c>" (<c>web:7/chat</c>), so <see cref="DeleteOwnedAsync"/> finds it.
    /// </param>
    /// <param name="keep">Kept past the retention period until deleted by id (a shared picture).</param>
    Task<string> PutAsync(byte[] image, DateTimeOffset now, string owner, CancellationToken cancellationToken = default, bool keep = false);

    Task<int> DeleteAsync(IEnumerable<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Deletes everything <paramref name="owner"/> stored, and what is kept for them ("owner/…"), kept or not.</summary>
    Task<int> DeleteOwnedAsync(string owner, CancellationToken cancellationToken = default);

    /// <summary>Bytes stored for <paramref name="owner"/> since <paramref name="since"/> (and still kept).</summary>
    Task<long> StoredBytesAsync(string owner, DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <exception cref="KeyNotFoundException">No such image (expired or never stored).</exception>
    Task<byte[]> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Deletes images stored before <paramref name="cutoff"/>, except kept ones; returns how many.</summary>
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
