using System.Text.Json;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;
using Npgsql;
using static ArtBot.Storage.Postgres.PostgresDatabase;

namespace ArtBot.Storage.Postgres;

/// <summary>
/// <see cref="IJobQueue"/> on PostgreSQL for several workers: a job is a row (the job as JSON beside
/// the columns the queue orders, filters and locks by). The next job is claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> in the policy's order, so two workers never take one job and
/// neither waits for the other; every other change locks the row, applies the domain's transition
/// to the stored job and settles its credits in the same transaction.
/// </summary>
public sealed class PgJobQueue(PostgresDatabase database) : IJobQueue
{
    private const string Columns = "id, data";

    // The states as the rows store them, spelled from the domain's enum (and matching the partial indexes of migration 3).
    private static readonly string Active = In(JobState.Queued, JobState.Running, JobState.Booked);
    private static readonly string Held = In(JobState.Running, JobState.Booked);
    private static readonly string Pictures = In(JobState.Done, JobState.Cancelled);
    private static readonly int Queued = (int)JobState.Queued;

    private static string In(params JobState[] states) => $"state in ({string.Join(", ", states.Select(s => (int)s))})";

    public Task<Job?> EnqueueAsync(Job job, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync<Job?>(async (c, t) =>
        {
            var booked = await JobLedger.BookAsync(new PgLedgerTransaction(c, t), job, async () =>
            {
                await using (var insert = Command(c, t, "insert into jobs (platform, user_id, rank, state, paid, data) values (@p, @u, @r, @s, @paid, '{}') returning id",
                                 ("p", job.Platform), ("u", job.UserId), ("r", job.Rank), ("s", (int)job.State), ("paid", job.Paid)))
                    job.Id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
                await SaveAsync(c, t, job, cancellationToken);
            });
            return booked ? job : null;
        }, cancellationToken);

    public Task<Job?> ClaimNextAsync(QueuePolicy policy, DateTimeOffset now, Func<Job, JobChange> claim, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            var mayRun = Enumerable.Range(0, QueuePolicy.Ranks).Where(rank => policy.MayRunRank(rank, now)).ToArray();
            var job = await FirstQueuedAsync(c, t, mayRun, now, cancellationToken);
            if (job == null && policy.Options.IdleCapacityServesHeavyByDay)
                job = await FirstQueuedAsync(c, t, Enumerable.Range(0, QueuePolicy.Ranks).ToArray(), now, cancellationToken);
            if (job == null || !claim(job).Applied) return null;
            await SaveAsync(c, t, job, cancellationToken);
            return job;
        }, cancellationToken);

    private static async Task<Job?> FirstQueuedAsync(NpgsqlConnection c, NpgsqlTransaction t, int[] ranks, DateTimeOffset now, CancellationToken ct)
    {
        await using var select = Command(c, t,
            $"select {Columns} from jobs where state = @queued and rank = any(@ranks) and (not_before is null or not_before <= @now) order by rank, id limit 1 for update skip locked",
            ("queued", Queued), ("ranks", ranks), ("now", now.ToUniversalTime()));
        return await ReadOneAsync(select, ct);
    }

    public Task<Job?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var select = Command(c, null, $"select {Columns} from jobs where id = @id", ("id", id));
            return await ReadOneAsync(select, cancellationToken);
        }, cancellationToken);

    public Task<JobUpdate> UpdateAsync(long id, DateTimeOffset now, Func<Job, JobChange> transition, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            // Locked, not skipped: a worker claiming it now finishes its claim first, and the transition sees the claim.
            await using var select = Command(c, t, $"select {Columns} from jobs where id = @id for update", ("id", id));
            var job = await ReadOneAsync(select, cancellationToken) ?? throw new KeyNotFoundException($"job {id} is not stored");
            return await ApplyAsync(c, t, job, now, transition, cancellationToken);
        }, cancellationToken);

    public Task<IReadOnlyList<JobUpdate>> RecoverAsync(DateTimeOffset now, bool expiredOnly, Func<Job, JobChange> recover, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync<IReadOnlyList<JobUpdate>>(async (c, t) =>
        {
            var held = new List<Job>();
            // SKIP LOCKED: a job a live worker is saving right now is not a dead worker's.
            await using (var select = Command(c, t, $"select {Columns} from jobs where {Held} or awaits_delivery order by id for update skip locked"))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken)) held.Add(Read(reader));
            var updates = new List<JobUpdate>();
            foreach (var job in held.Where(j => j.Orphaned(now, expiredOnly)))
                if (await ApplyAsync(c, t, job, now, recover, cancellationToken) is { Applied: true } update) updates.Add(update);
            return updates;
        }, cancellationToken);

    /// <summary>The transition on the locked row's job; its settlement and its save in the caller's transaction.</summary>
    private static async Task<JobUpdate> ApplyAsync(NpgsqlConnection c, NpgsqlTransaction t, Job job, DateTimeOffset now, Func<Job, JobChange> transition, CancellationToken ct)
    {
        var change = transition(job);
        if (!change.Applied) return new JobUpdate(job, change, null);
        var settlement = change.Settle ? await JobLedger.SettleAsync(new PgLedgerTransaction(c, t), job, now) : null;
        await SaveAsync(c, t, job, ct);
        return new JobUpdate(job, change, settlement);
    }

    public async Task<IReadOnlyList<Job>> UnsettledAsync(CancellationToken cancellationToken = default) =>
        (await ListAsync($"select {Columns} from jobs where needs_settlement order by id", cancellationToken)).Where(j => j.NeedsSettlement).ToList();

    public async Task<IReadOnlyList<Job>> UndeliveredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        (await ListAsync($"select {Columns} from jobs where awaits_delivery order by id", cancellationToken)).Where(j => j.DeliveryDue(now)).ToList();

    public Task<int> PositionAsync(Job job, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var count = Command(c, null, "select count(*) from jobs where state = @queued and (rank < @r or (rank = @r and id < @id))",
                ("queued", Queued), ("r", job.Rank), ("id", job.Id));
            return (int)(long)(await count.ExecuteScalarAsync(cancellationToken))! + 1;
        }, cancellationToken);

    public Task<IReadOnlyList<Job>> ActiveJobsAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        ListAsync($"select {Columns} from jobs where platform = @p and user_id = @u and {Active} order by id", cancellationToken, ("p", platform), ("u", userId));

    public Task<int> ActiveCountAsync(string platform, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var count = Command(c, null, $"select count(*) from jobs where platform = @p and user_id = any(@u) and {Active}", ("p", platform), ("u", userIds.ToArray()));
            return (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    public async Task<IReadOnlyList<Job>> RecentResultsAsync(string platform, long userId, int limit, CancellationToken cancellationToken = default) =>
        (await ListAsync($"select {Columns} from jobs where platform = @p and user_id = @u and has_result and {Pictures} and (data->>'Kind')::int <> @g order by id desc limit @n",
            cancellationToken, ("p", platform), ("u", userId), ("g", (int)JobKind.Gallery), ("n", limit))).ToList();

    public Task<IReadOnlyList<Job>> ForgetAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        ListAsync($"delete from jobs where platform = @p and user_id = @u and not ({Active}) returning {Columns}", cancellationToken, ("p", platform), ("u", userId));

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
            await using (var count = Command(c, null, "select rank, count(*) from jobs where state = @queued group by rank", ("queued", Queued)))
            await using (var reader = await count.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken)) byRank[reader.GetInt32(0)] = (int)reader.GetInt64(1);
            await using var oldest = Command(c, null, "select data->>'CreatedAt' from jobs where state = @queued order by id limit 1", ("queued", Queued));
            var created = await oldest.ExecuteScalarAsync(cancellationToken) as string;
            return new QueueDepth(byRank, created == null ? null : DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture));
        }, cancellationToken);

    public Task<int> QueuedCountAsync(CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var count = Command(c, null, "select count(*) from jobs where state = @queued", ("queued", Queued));
            return (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    /// <summary>Workers in several processes: only a lease that ran out says a worker died.</summary>
    public bool SharedByProcesses => true;

    /// <summary>The row's columns follow the job: the queue index, the user, and the domain's answers the sweeper looks for.</summary>
    private static async Task SaveAsync(NpgsqlConnection c, NpgsqlTransaction t, Job job, CancellationToken ct)
    {
        await using var update = Command(c, t,
            """
            update jobs set rank = @r, state = @s, paid = @paid, settled = @settled, delivered = @delivered, has_result = @result, not_before = @notBefore,
                needs_settlement = @unsettled, awaits_delivery = @awaiting, data = @data::jsonb
            where id = @id
            """,
            ("r", job.Rank), ("s", (int)job.State), ("paid", job.Paid), ("settled", job.Settled), ("delivered", job.DeliveredAt != null),
            ("result", job.ResultImage != null), ("notBefore", job.NotBefore?.ToUniversalTime()), ("unsettled", job.NeedsSettlement),
            ("awaiting", job.AwaitsDelivery), ("data", JsonSerializer.Serialize(job, Json)), ("id", job.Id));
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
