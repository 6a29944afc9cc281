using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;

namespace ArtBot.Storage;

/// <summary>
/// <see cref="IJobQueue"/> on LiteDB: jobs in one collection, the claimable ones as an index of
/// (rank, id) in another, and the credit ledger beside them. Each change is one transaction under
/// the database gate: the stored job is read, the domain's transition applied to it, its credits
/// settled when the transition says so, and the job saved with its queue entry.
/// </summary>
public sealed class LiteJobQueue(ArtBotDatabase database) : IJobQueue
{
    public Task<Job?> EnqueueAsync(Job job, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.InTransaction(() =>
        {
            var booked = LiteLedgerTransaction.Run(JobLedger.BookAsync(new LiteLedgerTransaction(database), job, () =>
            {
                database.Jobs.Insert(job);
                Save(job);
                return Task.CompletedTask;
            }));
            return booked ? job : null;
        }));

    public Task<Job?> ClaimNextAsync(QueuePolicy policy, DateTimeOffset now, Func<Job, JobChange> claim, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.InTransaction(() =>
        {
            while (true)
            {
                var entry = FirstEntry(rank => policy.MayRunRank(rank, now), now);
                if (entry == null && policy.Options.IdleCapacityServesHeavyByDay) entry = FirstEntry(_ => true, now);
                if (entry == null) return null;
                var job = database.Jobs.FindById(entry.JobId);
                if (job != null && claim(job).Applied)
                {
                    Save(job);
                    return job;
                }
                // An entry whose job moved on without it (a file from an older version): dropped, and the next one looked at.
                database.Queue.Delete(entry.Id);
            }
        }));

    /// <summary>The first claimable entry of the first rank <paramref name="mayRun"/> allows: one index seek per rank.</summary>
    private QueueEntry? FirstEntry(Func<int, bool> mayRun, DateTimeOffset? now)
    {
        var ticks = now?.UtcTicks ?? long.MaxValue;
        for (var rank = 0; rank < QueuePolicy.Ranks; rank++)
        {
            if (!mayRun(rank)) continue;
            var (low, high) = (rank * QueueEntry.RankStride, (rank + 1) * QueueEntry.RankStride);
            var entry = database.Queue.Query().Where(e => e.Id >= low && e.Id < high && e.NotBefore <= ticks).OrderBy(e => e.Id).Limit(1).FirstOrDefault();
            if (entry != null) return entry;
        }
        return null;
    }

    public Task<Job?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult<Job?>(database.Jobs.FindById(id));
    }

    public Task<JobUpdate> UpdateAsync(long id, DateTimeOffset now, Func<Job, JobChange> transition, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.InTransaction(() => Apply(database.Jobs.FindById(id) ?? throw new KeyNotFoundException($"job {id} is not stored"), now, transition)));

    public Task<IReadOnlyList<JobUpdate>> RecoverAsync(DateTimeOffset now, bool expiredOnly, Func<Job, JobChange> recover, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<JobUpdate>>(database.InTransaction(() =>
            database.Jobs.Find(j => j.State == JobState.Running || j.State == JobState.Booked || (j.ResultImage != null && j.DeliveredAt == null))
                .Where(j => j.Orphaned(now, expiredOnly))
                .OrderBy(j => j.Id)
                .ToList()
                .Select(job => Apply(job, now, recover))
                .Where(update => update.Applied)
                .ToList()));

    /// <summary>The transition on the stored job; its settlement and its save in the caller's transaction.</summary>
    private JobUpdate Apply(Job job, DateTimeOffset now, Func<Job, JobChange> transition)
    {
        var change = transition(job);
        if (!change.Applied) return new JobUpdate(job, change, null);
        var settlement = change.Settle ? LiteLedgerTransaction.Run(JobLedger.SettleAsync(new LiteLedgerTransaction(database), job, now)) : null;
        Save(job);
        return new JobUpdate(job, change, settlement);
    }

    /// <summary>The job, and its entry in the queue index exactly while it is claimable.</summary>
    private void Save(Job job)
    {
        database.Jobs.Update(job);
        if (job.State == JobState.Queued)
            database.Queue.Upsert(new QueueEntry { Id = QueueEntry.KeyOf(job), JobId = job.Id, NotBefore = job.NotBefore?.UtcTicks ?? 0 });
        else
            database.Queue.Delete(QueueEntry.KeyOf(job));
    }

    public Task<IReadOnlyList<Job>> UnsettledAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
            return Task.FromResult<IReadOnlyList<Job>>(database.Jobs.Find(j => j.Paid && !j.Settled).Where(j => j.NeedsSettlement).OrderBy(j => j.Id).ToList());
    }

    public Task<int> PositionAsync(Job job, CancellationToken cancellationToken = default)
    {
        var key = QueueEntry.KeyOf(job);
        lock (database.Gate) return Task.FromResult(database.Queue.Count(e => e.Id < key) + 1);
    }

    public Task<IReadOnlyList<Job>> ActiveJobsAsync(string platform, long userId, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            IReadOnlyList<Job> jobs = database.Jobs
                .Find(j => j.UserId == userId && j.Platform == platform && (j.State == JobState.Queued || j.State == JobState.Running || j.State == JobState.Booked))
                .OrderBy(j => j.Id)
                .ToList();
            return Task.FromResult(jobs);
        }
    }

    public Task<int> ActiveCountAsync(string platform, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken = default)
    {
        // The user id index per user, counted under one hold of the gate, no job read whole.
        lock (database.Gate)
            return Task.FromResult(userIds.Distinct().Sum(user => database.Jobs.Count(j =>
                j.UserId == user && j.Platform == platform && (j.State == JobState.Queued || j.State == JobState.Running || j.State == JobState.Booked))));
    }

    public Task<IReadOnlyList<Job>> RecentResultsAsync(string platform, long userId, int limit, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            IReadOnlyList<Job> jobs = database.Jobs
                .Find(j => j.UserId == userId && j.Platform == platform)
                .Where(j => j.ResultImage != null && (j.State is JobState.Done or JobState.Cancelled) && j.Kind != JobKind.Gallery)
                .OrderByDescending(j => j.Id)
                .Take(limit)
                .ToList();
            return Task.FromResult(jobs);
        }
    }

    public Task<QueueStats> StatsAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var jobs = database.Jobs.FindAll().Select(j => (j.State, j.Class, j.CreatedAt, j.StartedAt)).ToList();
            var stats = new QueueStats(
                jobs.GroupBy(j => j.State).ToDictionary(g => g.Key, g => g.Count()),
                jobs.GroupBy(j => j.Class).ToDictionary(g => g.Key, g => g.Count()),
                database.Queue.Count(),
                jobs.Where(j => j.StartedAt != null).GroupBy(j => j.Class)
                    .ToDictionary(g => g.Key, g => TimeSpan.FromTicks((long)g.Average(j => (j.StartedAt!.Value - j.CreatedAt).Ticks))));
            return Task.FromResult(stats);
        }
    }

    public Task<QueueDepth> DepthAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var byRank = Enumerable.Range(0, QueuePolicy.Ranks).ToDictionary(rank => rank, rank =>
                database.Queue.Count(e => e.Id >= rank * QueueEntry.RankStride && e.Id < (rank + 1) * QueueEntry.RankStride));
            // Ids grow with time and each rank is FIFO: the oldest booking is the first of some rank,
            // four index seeks instead of a scan of the queue on every scrape.
            var oldest = Enumerable.Range(0, QueuePolicy.Ranks).Select(rank => FirstEntry(r => r == rank, null)?.JobId).OfType<long>().DefaultIfEmpty().Min();
            return Task.FromResult(new QueueDepth(byRank, oldest == 0 ? null : database.Jobs.FindById(oldest)?.CreatedAt));
        }
    }

    public Task<IReadOnlyList<Job>> ForgetAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Job>>(database.InTransaction(() =>
        {
            var over = database.Jobs.Find(j => j.UserId == userId && j.Platform == platform).Where(j => !j.IsActive).ToList();
            foreach (var job in over) database.Jobs.Delete(job.Id);
            return over;
        }));

    public Task<int> QueuedCountAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(database.Queue.Count());
    }

    public Task<IReadOnlyList<Job>> UndeliveredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
            return Task.FromResult<IReadOnlyList<Job>>(database.Jobs.Find(j => j.ResultImage != null && j.DeliveredAt == null).Where(j => j.DeliveryDue(now)).OrderBy(j => j.Id).ToList());
    }

    /// <summary>One process per file (the lock): every job found running at start-up was that process's.</summary>
    public bool SharedByProcesses => false;
}

/// <summary>One process per LiteDB file (the process lock): every cluster-wide task is this process's.</summary>
public sealed class SingleProcessLock : IClusterLock
{
    private static readonly IAsyncDisposable Held = new Nothing();

    public Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult<IAsyncDisposable?>(Held);

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
