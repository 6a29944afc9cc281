using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;

namespace ArtBot.Storage;

/// <summary>
/// <see cref="IJobQueue"/> on LiteDB: jobs in one collection, the queue as an index of (rank, id)
/// in another, and the credit ledger beside them, so booking, claiming, cancelling and settling
/// are each one transaction under the database gate.
/// </summary>
public sealed class LiteJobQueue(ArtBotDatabase database) : IJobQueue
{
    public Task<Job?> EnqueueAsync(Job job, long price = 0, CancellationToken cancellationToken = default)
    {
        if (job.Paid != price > 0) throw new ArgumentException($"a {(job.Paid ? "paid job needs a positive price" : "free job has no price")}, not {price}", nameof(price));
        return Task.FromResult(database.InTransaction(() =>
        {
            if (job.Paid && LedgerBook.Balance(database, job.Platform, job.UserId) < price) return null;
            job.State = JobState.Queued;
            job.Price = price;
            database.Jobs.Insert(job);
            database.Queue.Insert(new QueueEntry { Id = QueueEntry.KeyOf(job), JobId = job.Id });
            if (job.Paid) LedgerBook.Post(database, LedgerEntry.Reservation(job, price));
            return job;
        }));
    }

    public Task<Job?> ClaimNextAsync(QueuePolicy policy, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var entry = FirstEntry(rank => policy.MayRunRank(rank, now));
            if (entry == null && policy.Options.IdleCapacityServesHeavyByDay) entry = FirstEntry(_ => true);
            if (entry == null) return Task.FromResult<Job?>(null);
            return Task.FromResult<Job?>(database.InTransaction(() =>
            {
                var job = database.Jobs.FindById(entry.JobId);
                database.Queue.Delete(entry.Id);
                job.State = JobState.Running;
                job.Attempts++;
                job.StartedAt = now;
                job.LeaseUntil = now + lease;
                database.Jobs.Update(job);
                return job;
            }));
        }
    }

    private QueueEntry? FirstEntry(Func<int, bool> mayRun)
    {
        for (var rank = 0; rank < QueuePolicy.Ranks; rank++)
        {
            if (!mayRun(rank)) continue;
            var (low, high) = (rank * QueueEntry.RankStride, (rank + 1) * QueueEntry.RankStride);
            var entry = database.Queue.Query().Where(e => e.Id >= low && e.Id < high).OrderBy(e => e.Id).Limit(1).FirstOrDefault();
            if (entry != null) return entry;
        }
        return null;
    }

    public Task<Job?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult<Job?>(database.Jobs.FindById(id));
    }

    public Task UpdateAsync(Job job, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            // A user's stop request is set beside the worker's copy: a progress write must not erase it.
            var stored = database.Jobs.FindById(job.Id) ?? throw new KeyNotFoundException($"job {job.Id} is not stored");
            job.CancelRequested |= stored.CancelRequested;
            database.Jobs.Update(job);
        }
        return Task.CompletedTask;
    }

    public Task<CancelOutcome> CancelQueuedAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.InTransaction(() =>
        {
            var job = database.Jobs.FindById(id);
            if (job is not { State: JobState.Queued }) return new CancelOutcome(false, null);
            database.Queue.Delete(QueueEntry.KeyOf(job));
            job.State = JobState.Cancelled;
            job.FinishedAt = now;
            var settlement = job.Paid ? LedgerBook.Settle(database, job, now) : null;
            database.Jobs.Update(job);
            return new CancelOutcome(true, settlement);
        }));

    public Task<bool> RequestCancelAsync(long id, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var job = database.Jobs.FindById(id);
            if (job is not { State: JobState.Running }) return Task.FromResult(false);
            job.CancelRequested = true;
            database.Jobs.Update(job);
            return Task.FromResult(true);
        }
    }

    public Task<Settlement?> MarkDeliveredAsync(Job job, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.InTransaction(() =>
        {
            var stored = database.Jobs.FindById(job.Id) ?? throw new KeyNotFoundException($"job {job.Id} is not stored");
            if (stored.DeliveredAt != null) return null;
            job.DeliveredAt = at;
            job.NextDeliveryAt = null;
            var settlement = job.Paid && !stored.Settled ? LedgerBook.Settle(database, job, at) : null;
            database.Jobs.Update(job);
            return settlement;
        }));

    public Task<Settlement?> EndWithoutResultAsync(Job job, JobState state, string error, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (state is not (JobState.Failed or JobState.Cancelled)) throw new ArgumentOutOfRangeException(nameof(state), state, "a job ends without a result as failed or cancelled");
        return Task.FromResult(database.InTransaction(() =>
        {
            var stored = database.Jobs.FindById(job.Id) ?? throw new KeyNotFoundException($"job {job.Id} is not stored");
            if (stored.State == JobState.Queued) database.Queue.Delete(QueueEntry.KeyOf(stored));
            job.State = state;
            job.Error = error;
            job.FinishedAt = at;
            job.LeaseUntil = null;
            job.DeliveredAt = null;
            var settlement = job.Paid && !stored.Settled ? LedgerBook.Settle(database, job, at) : null;
            database.Jobs.Update(job);
            return settlement;
        }));
    }

    public Task ReturnAsync(Job job, CancellationToken cancellationToken = default)
    {
        database.InTransaction(() =>
        {
            job.State = JobState.Queued;
            job.Attempts = Math.Max(0, job.Attempts - 1);
            job.StartedAt = null;
            job.LeaseUntil = null;
            job.ProgressStep = job.ProgressTotal = 0;
            database.Jobs.Update(job);
            database.Queue.Upsert(new QueueEntry { Id = QueueEntry.KeyOf(job), JobId = job.Id });
            return true;
        });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Job>> UnsettledAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            IReadOnlyList<Job> jobs = database.Jobs
                .Find(j => j.Paid && !j.Settled && (j.DeliveredAt != null || j.State == JobState.Failed || (j.State == JobState.Cancelled && j.ResultImage == null)))
                .ToList();
            return Task.FromResult(jobs);
        }
    }

    public Task<Settlement?> SettleAsync(Job job, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.InTransaction(() =>
        {
            var settlement = LedgerBook.Settle(database, job, at);
            database.Jobs.Update(job);
            return settlement;
        }));

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
                .Find(j => j.UserId == userId && j.Platform == platform && (j.State == JobState.Queued || j.State == JobState.Running))
                .OrderBy(j => j.Id)
                .ToList();
            return Task.FromResult(jobs);
        }
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
            var oldest = Enumerable.Range(0, QueuePolicy.Ranks).Select(rank => FirstEntry(r => r == rank)?.JobId).OfType<long>().DefaultIfEmpty().Min();
            return Task.FromResult(new QueueDepth(byRank, oldest == 0 ? null : database.Jobs.FindById(oldest)?.CreatedAt));
        }
    }

    public Task<int> QueuedCountAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(database.Queue.Count());
    }

    public Task RequeueAsync(Job job, CancellationToken cancellationToken = default)
    {
        database.InTransaction(() =>
        {
            job.State = JobState.Queued;
            job.LeaseUntil = null;
            database.Jobs.Update(job);
            database.Queue.Upsert(new QueueEntry { Id = QueueEntry.KeyOf(job), JobId = job.Id });
            return true;
        });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Job>> UndeliveredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            IReadOnlyList<Job> jobs = database.Jobs
                .Find(j => (j.State == JobState.Done || j.State == JobState.Cancelled) && j.ResultImage != null && j.DeliveredAt == null)
                .Where(j => (j.NextDeliveryAt == null || j.NextDeliveryAt <= now) && (j.LeaseUntil == null || j.LeaseUntil < now))
                .OrderBy(j => j.Id)
                .ToList();
            return Task.FromResult(jobs);
        }
    }

    /// <summary>One process per file (the lock): every job found running at start-up was that process's.</summary>
    public bool SharedByProcesses => false;

    public Task<bool> RenewLeaseAsync(long id, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var job = database.Jobs.FindById(id);
            if (job is null || job.IsFinished && job.DeliveredAt != null || job.State == JobState.Queued) return Task.FromResult(false);
            job.LeaseUntil = leaseUntil;
            return Task.FromResult(database.Jobs.Update(job));
        }
    }

    public Task<RecoveryReport> RecoverAsync(int maxAttempts, DateTimeOffset now, bool expiredOnly = false, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.InTransaction(() =>
        {
            var requeued = new List<Job>();
            var failed = new List<Job>();
            foreach (var job in database.Jobs.Find(j => j.State == JobState.Running).OrderBy(j => j.Id).Where(j => !expiredOnly || j.LeaseUntil < now).ToList())
            {
                job.LeaseUntil = null;
                if (job.Attempts >= maxAttempts)
                {
                    job.State = JobState.Failed;
                    job.FinishedAt = now;
                    job.Error = $"interrupted {job.Attempts} times";
                    if (job.Paid && !job.Settled) LedgerBook.Settle(database, job, now);
                    failed.Add(job);
                }
                else
                {
                    job.State = JobState.Queued;
                    database.Queue.Upsert(new QueueEntry { Id = QueueEntry.KeyOf(job), JobId = job.Id });
                    requeued.Add(job);
                }
                database.Jobs.Update(job);
            }
            if (!expiredOnly)
                // Results the process had not delivered yet: the sweeper's now, not a dead worker's.
                foreach (var job in database.Jobs.Find(j => j.ResultImage != null && j.DeliveredAt == null && j.LeaseUntil != null).ToList())
                {
                    job.LeaseUntil = null;
                    database.Jobs.Update(job);
                }
            return new RecoveryReport(requeued, failed);
        }));
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
