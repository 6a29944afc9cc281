using ArtBot.Domain.Queue;

namespace ArtBot.Storage;

/// <summary><see cref="IJobQueue"/> on LiteDB: jobs in one collection, the queue as an index of (rank, id) in another.</summary>
public sealed class LiteJobQueue(ArtBotDatabase database) : IJobQueue
{
    public Task<Job> EnqueueAsync(Job job, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            database.Database.BeginTrans();
            try
            {
                job.State = JobState.Queued;
                database.Jobs.Insert(job);
                database.Queue.Insert(new QueueEntry { Id = QueueEntry.KeyOf(job), JobId = job.Id });
                database.Database.Commit();
            }
            catch
            {
                database.Database.Rollback();
                throw;
            }
        }
        return Task.FromResult(job);
    }

    public Task<Job?> ClaimNextAsync(QueuePolicy policy, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var entry = FirstEntry(rank => policy.MayRunRank(rank, now));
            if (entry == null && policy.Options.IdleCapacityServesHeavyByDay) entry = FirstEntry(_ => true);
            if (entry == null) return Task.FromResult<Job?>(null);

            database.Database.BeginTrans();
            try
            {
                var job = database.Jobs.FindById(entry.JobId);
                database.Queue.Delete(entry.Id);
                job.State = JobState.Running;
                job.Attempts++;
                job.StartedAt = now;
                job.LeaseUntil = now + lease;
                database.Jobs.Update(job);
                database.Database.Commit();
                return Task.FromResult<Job?>(job);
            }
            catch
            {
                database.Database.Rollback();
                throw;
            }
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
            if (!database.Jobs.Update(job)) throw new KeyNotFoundException($"job {job.Id} is not stored");
        }
        return Task.CompletedTask;
    }

    public Task<bool> CancelQueuedAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var job = database.Jobs.FindById(id);
            if (job is not { State: JobState.Queued }) return Task.FromResult(false);
            database.Database.BeginTrans();
            database.Queue.Delete(QueueEntry.KeyOf(job));
            job.State = JobState.Cancelled;
            job.FinishedAt = now;
            database.Jobs.Update(job);
            database.Database.Commit();
            return Task.FromResult(true);
        }
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
                .Find(j => j.UserId == userId && j.Platform == platform && (j.State == JobState.Queued || j.State == JobState.Running))
                .OrderBy(j => j.Id)
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

    public Task<int> QueuedCountAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(database.Queue.Count());
    }

    public Task RequeueAsync(Job job, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            database.Database.BeginTrans();
            job.State = JobState.Queued;
            job.LeaseUntil = null;
            database.Jobs.Update(job);
            database.Queue.Upsert(new QueueEntry { Id = QueueEntry.KeyOf(job), JobId = job.Id });
            database.Database.Commit();
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Job>> UndeliveredAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            IReadOnlyList<Job> jobs = database.Jobs
                .Find(j => (j.State == JobState.Done || j.State == JobState.Cancelled) && j.ResultImage != null && j.DeliveredAt == null)
                .OrderBy(j => j.Id)
                .ToList();
            return Task.FromResult(jobs);
        }
    }

    public Task<RecoveryReport> RecoverAsync(int maxAttempts, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var requeued = new List<Job>();
            var failed = new List<Job>();
            database.Database.BeginTrans();
            foreach (var job in database.Jobs.Find(j => j.State == JobState.Running).ToList())
            {
                job.LeaseUntil = null;
                if (job.Attempts >= maxAttempts)
                {
                    job.State = JobState.Failed;
                    job.FinishedAt = now;
                    job.Error = $"interrupted {job.Attempts} times";
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
            database.Database.Commit();
            return Task.FromResult(new RecoveryReport(requeued, failed));
        }
    }
}
