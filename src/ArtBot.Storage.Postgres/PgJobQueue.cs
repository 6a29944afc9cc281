using System.Text.Json;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;
using Npgsql;
using static ArtBot.Storage.Postgres.PostgresDatabase;

namespace ArtBot.Storage.Postgres;

/// <summary>
/// <see cref="IJobQueue"/> on PostgreSQL for several workers: a job is a row (the job as JSON beside
/// the columns the queue orders, filters and locks by), claimed with <c>FOR UPDATE SKIP LOCKED</c>
/// in the policy's order, so two workers never take one job and neither waits for the other.
/// Booking, cancelling and settling each run in one transaction with the ledger.
/// </summary>
public sealed class PgJobQueue(PostgresDatabase database) : IJobQueue
{
    private const string Columns = "id, data";

    public Task<Job?> EnqueueAsync(Job job, long price = 0, CancellationToken cancellationToken = default)
    {
        if (job.Paid != price > 0) throw new ArgumentException($"a {(job.Paid ? "paid job needs a positive price" : "free job has no price")}, not {price}", nameof(price));
        return database.InTransactionAsync<Job?>(async (c, t) =>
        {
            if (job.Paid)
            {
                await PgLedgerBook.LockUserAsync(c, t, job.Platform, job.UserId, cancellationToken);
                if (await PgLedgerBook.BalanceAsync(c, t, job.Platform, job.UserId, cancellationToken) < price) return null;
            }
            job.State = JobState.Queued;
            job.Price = price;
            await using (var insert = Command(c, t, "insert into jobs (platform, user_id, rank, state, paid, data) values (@p, @u, @r, 0, @paid, '{}') returning id",
                             ("p", job.Platform), ("u", job.UserId), ("r", job.Rank), ("paid", job.Paid)))
                job.Id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
            await SaveAsync(c, t, job, cancellationToken);
            if (job.Paid) await PgLedgerBook.PostAsync(c, t, LedgerEntry.Reservation(job, price), cancellationToken);
            return job;
        }, cancellationToken);
    }

    public Task<Job?> ClaimNextAsync(QueuePolicy policy, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            var mayRun = Enumerable.Range(0, QueuePolicy.Ranks).Where(rank => policy.MayRunRank(rank, now)).ToArray();
            var job = await FirstQueuedAsync(c, t, mayRun, cancellationToken);
            if (job == null && policy.Options.IdleCapacityServesHeavyByDay)
                job = await FirstQueuedAsync(c, t, Enumerable.Range(0, QueuePolicy.Ranks).ToArray(), cancellationToken);
            if (job == null) return null;
            job.State = JobState.Running;
            job.Attempts++;
            job.StartedAt = now;
            job.LeaseUntil = now + lease;
            await SaveAsync(c, t, job, cancellationToken);
            return job;
        }, cancellationToken);

    private static async Task<Job?> FirstQueuedAsync(NpgsqlConnection c, NpgsqlTransaction t, int[] ranks, CancellationToken ct)
    {
        await using var select = Command(c, t,
            $"select {Columns} from jobs where state = 0 and rank = any(@ranks) order by rank, id limit 1 for update skip locked", ("ranks", ranks));
        return await ReadOneAsync(select, ct);
    }

    public Task<Job?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var select = Command(c, null, $"select {Columns} from jobs where id = @id", ("id", id));
            return await ReadOneAsync(select, cancellationToken);
        }, cancellationToken);

    public Task UpdateAsync(Job job, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            // A user's stop request is set beside the worker's copy: a progress write must not erase it.
            var stored = await LockAsync(c, t, job.Id, cancellationToken) ?? throw new KeyNotFoundException($"job {job.Id} is not stored");
            job.CancelRequested |= stored.CancelRequested;
            await SaveAsync(c, t, job, cancellationToken);
            return true;
        }, cancellationToken);

    public Task<CancelOutcome> CancelQueuedAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            // Locked, not skipped: a worker claiming it now finishes its claim first, and then it is not queued.
            var job = await LockAsync(c, t, id, cancellationToken);
            if (job is not { State: JobState.Queued }) return new CancelOutcome(false, null);
            job.State = JobState.Cancelled;
            job.FinishedAt = now;
            var settlement = job.Paid ? await SettleLockedAsync(c, t, job, now, cancellationToken) : null;
            await SaveAsync(c, t, job, cancellationToken);
            return new CancelOutcome(true, settlement);
        }, cancellationToken);

    public Task<bool> RequestCancelAsync(long id, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            var job = await LockAsync(c, t, id, cancellationToken);
            if (job is not { State: JobState.Running }) return false;
            job.CancelRequested = true;
            await SaveAsync(c, t, job, cancellationToken);
            return true;
        }, cancellationToken);

    public Task<Settlement?> MarkDeliveredAsync(Job job, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            var stored = await LockAsync(c, t, job.Id, cancellationToken) ?? throw new KeyNotFoundException($"job {job.Id} is not stored");
            if (stored.DeliveredAt != null) return null;
            job.DeliveredAt = at;
            job.NextDeliveryAt = null;
            var settlement = job.Paid && !stored.Settled ? await SettleLockedAsync(c, t, job, at, cancellationToken) : null;
            await SaveAsync(c, t, job, cancellationToken);
            return settlement;
        }, cancellationToken);

    public Task<Settlement?> EndWithoutResultAsync(Job job, JobState state, string error, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (state is not (JobState.Failed or JobState.Cancelled)) throw new ArgumentOutOfRangeException(nameof(state), state, "a job ends without a result as failed or cancelled");
        return database.InTransactionAsync(async (c, t) =>
        {
            var stored = await LockAsync(c, t, job.Id, cancellationToken) ?? throw new KeyNotFoundException($"job {job.Id} is not stored");
            job.State = state;
            job.Error = error;
            job.FinishedAt = at;
            job.LeaseUntil = null;
            job.DeliveredAt = null;
            var settlement = job.Paid && !stored.Settled ? await SettleLockedAsync(c, t, job, at, cancellationToken) : null;
            await SaveAsync(c, t, job, cancellationToken);
            return settlement;
        }, cancellationToken);
    }

    public Task ReturnAsync(Job job, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            job.State = JobState.Queued;
            job.Attempts = Math.Max(0, job.Attempts - 1);
            job.StartedAt = null;
            job.LeaseUntil = null;
            job.ProgressStep = job.ProgressTotal = 0;
            await SaveAsync(c, t, job, cancellationToken);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<Job>> UnsettledAsync(CancellationToken cancellationToken = default) =>
        ListAsync($"select {Columns} from jobs where paid and not settled and (delivered or state = 3 or (state = 4 and not has_result)) order by id", cancellationToken);

    public Task<Settlement?> SettleAsync(Job job, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            var stored = await LockAsync(c, t, job.Id, cancellationToken);
            if (stored is null || stored.Settled) return null;
            var settlement = await SettleLockedAsync(c, t, job, at, cancellationToken);
            await SaveAsync(c, t, job, cancellationToken);
            return settlement;
        }, cancellationToken);

    public Task<int> PositionAsync(Job job, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var count = Command(c, null, "select count(*) from jobs where state = 0 and (rank < @r or (rank = @r and id < @id))", ("r", job.Rank), ("id", job.Id));
            return (int)(long)(await count.ExecuteScalarAsync(cancellationToken))! + 1;
        }, cancellationToken);

    public Task<IReadOnlyList<Job>> ActiveJobsAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        ListAsync($"select {Columns} from jobs where platform = @p and user_id = @u and state in (0, 1) order by id", cancellationToken, ("p", platform), ("u", userId));

    public async Task<IReadOnlyList<Job>> RecentResultsAsync(string platform, long userId, int limit, CancellationToken cancellationToken = default) =>
        (await ListAsync($"select {Columns} from jobs where platform = @p and user_id = @u and has_result and state in (2, 4) and (data->>'Kind')::int <> @g order by id desc limit @n",
            cancellationToken, ("p", platform), ("u", userId), ("g", (int)JobKind.Gallery), ("n", limit))).ToList();

    public Task<QueueStats> StatsAsync(CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            var jobs = new List<Job>();
            await using (var all = Command(c, null, $"select {Columns} from jobs"))
            await using (var reader = await all.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken)) jobs.Add(Read(reader));
            return new QueueStats(
                jobs.GroupBy(j => j.State).ToDictionary(g => g.Key, g => g.Count()),
                jobs.GroupBy(j => j.Class).ToDictionary(g => g.Key, g => g.Count()),
                jobs.Count(j => j.State == JobState.Queued),
                jobs.Where(j => j.StartedAt != null).GroupBy(j => j.Class)
                    .ToDictionary(g => g.Key, g => TimeSpan.FromTicks((long)g.Average(j => (j.StartedAt!.Value - j.CreatedAt).Ticks))));
        }, cancellationToken);

    public Task<QueueDepth> DepthAsync(CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            var byRank = Enumerable.Range(0, QueuePolicy.Ranks).ToDictionary(rank => rank, _ => 0);
            await using (var count = Command(c, null, "select rank, count(*) from jobs where state = 0 group by rank"))
            await using (var reader = await count.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken)) byRank[reader.GetInt32(0)] = (int)reader.GetInt64(1);
            await using var oldest = Command(c, null, "select data->>'CreatedAt' from jobs where state = 0 order by id limit 1");
            var created = await oldest.ExecuteScalarAsync(cancellationToken) as string;
            return new QueueDepth(byRank, created == null ? null : DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture));
        }, cancellationToken);

    public Task<int> QueuedCountAsync(CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var count = Command(c, null, "select count(*) from jobs where state = 0");
            return (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    public Task RequeueAsync(Job job, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            job.State = JobState.Queued;
            job.LeaseUntil = null;
            await SaveAsync(c, t, job, cancellationToken);
            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<Job>> UndeliveredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        (await ListAsync($"select {Columns} from jobs where has_result and not delivered and state in (2, 4) order by id", cancellationToken))
            .Where(j => (j.NextDeliveryAt == null || j.NextDeliveryAt <= now) && (j.LeaseUntil == null || j.LeaseUntil < now)).ToList();

    /// <summary>Workers in several processes: only a lease that ran out says a worker died.</summary>
    public bool SharedByProcesses => true;

    public Task<bool> RenewLeaseAsync(long id, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            var job = await LockAsync(c, t, id, cancellationToken);
            if (job is null || job.IsFinished && job.DeliveredAt != null || job.State == JobState.Queued) return false;
            job.LeaseUntil = leaseUntil;
            await SaveAsync(c, t, job, cancellationToken);
            return true;
        }, cancellationToken);

    public Task<RecoveryReport> RecoverAsync(int maxAttempts, DateTimeOffset now, bool expiredOnly = false, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            var requeued = new List<Job>();
            var failed = new List<Job>();
            var running = new List<Job>();
            // SKIP LOCKED: a job a live worker is saving right now is not a dead worker's.
            await using (var select = Command(c, t, $"select {Columns} from jobs where state = 1 order by id for update skip locked"))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken)) running.Add(Read(reader));
            foreach (var job in running.Where(j => !expiredOnly || j.LeaseUntil < now))
            {
                job.LeaseUntil = null;
                if (job.Attempts >= maxAttempts)
                {
                    job.State = JobState.Failed;
                    job.FinishedAt = now;
                    job.Error = $"interrupted {job.Attempts} times";
                    if (job.Paid && !job.Settled) await SettleLockedAsync(c, t, job, now, cancellationToken);
                    failed.Add(job);
                }
                else
                {
                    job.State = JobState.Queued;
                    requeued.Add(job);
                }
                await SaveAsync(c, t, job, cancellationToken);
            }
            return new RecoveryReport(requeued, failed);
        }, cancellationToken);

    private static async Task<Settlement?> SettleLockedAsync(NpgsqlConnection c, NpgsqlTransaction t, Job job, DateTimeOffset at, CancellationToken ct)
    {
        await PgLedgerBook.LockUserAsync(c, t, job.Platform, job.UserId, ct);
        return await PgLedgerBook.SettleAsync(c, t, job, at, ct);
    }

    private static async Task<Job?> LockAsync(NpgsqlConnection c, NpgsqlTransaction t, long id, CancellationToken ct)
    {
        await using var select = Command(c, t, $"select {Columns} from jobs where id = @id for update", ("id", id));
        return await ReadOneAsync(select, ct);
    }

    /// <summary>The row's columns follow the job: the queue index, the user, the flags the sweeper looks for.</summary>
    private static async Task SaveAsync(NpgsqlConnection c, NpgsqlTransaction t, Job job, CancellationToken ct)
    {
        await using var update = Command(c, t,
            "update jobs set rank = @r, state = @s, paid = @paid, settled = @settled, delivered = @delivered, has_result = @result, data = @data::jsonb where id = @id",
            ("r", job.Rank), ("s", (int)job.State), ("paid", job.Paid), ("settled", job.Settled), ("delivered", job.DeliveredAt != null),
            ("result", job.ResultImage != null), ("data", JsonSerializer.Serialize(job, Json)), ("id", job.Id));
        if (await update.ExecuteNonQueryAsync(ct) != 1) throw new KeyNotFoundException($"job {job.Id} is not stored");
    }

    private async Task<IReadOnlyList<Job>> ListAsync(string sql, CancellationToken ct, params (string, object?)[] parameters) =>
        await database.WithConnectionAsync(async c =>
        {
            var jobs = new List<Job>();
            await using var select = Command(c, null, sql, parameters);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) jobs.Add(Read(reader));
            return (IReadOnlyList<Job>)jobs;
        }, ct);

    private static async Task<Job?> ReadOneAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static Job Read(NpgsqlDataReader reader)
    {
        var job = JsonSerializer.Deserialize<Job>(reader.GetString(1), Json)!;
        job.Id = reader.GetInt64(0);
        return job;
    }
}
