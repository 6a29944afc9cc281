using System.Text.Json;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Gallery;
using Npgsql;
using static ArtBot.Storage.Postgres.PostgresDatabase;

namespace ArtBot.Storage.Postgres;

/// <summary>
/// Shared pictures on PostgreSQL: a row per entry (the entry as JSON beside the columns listed,
/// counted and moderated by), and a vote per person, entry and kind whose primary key makes a
/// second like a no-op. A vote and what it counts (by the entry's own rules) change in one
/// transaction, with the entry's row locked.
/// </summary>
public sealed class PgGalleryStore(PostgresDatabase database) : IGalleryStore
{
    private const string Columns = "data, likes, reports, hidden, in_review";
    private const short Like = 0, Report = 1;

    public Task<GalleryEntry> AddAsync(GalleryEntry entry, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            await using (var insert = Command(c, t, """
                insert into gallery (id, platform, user_id, job_id, shared_at, likes, reports, hidden, in_review, data)
                values (@id, @p, @u, @job, @at, @likes, @reports, @hidden, @review, @data::jsonb) on conflict (job_id) do nothing
                """, ("id", entry.Id), ("p", entry.Platform), ("u", entry.UserId), ("job", entry.JobId), ("at", entry.SharedAt.ToUniversalTime()),
                ("likes", entry.Likes), ("reports", entry.Reports), ("hidden", entry.Hidden), ("review", entry.InReview), ("data", JsonSerializer.Serialize(entry, Json))))
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1) return entry;
            await using var existing = Command(c, t, $"select {Columns} from gallery where job_id = @job", ("job", entry.JobId));
            return (await ReadAllAsync(existing, cancellationToken))[0];
        }, cancellationToken);

    public async Task<GalleryEntry?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"select {Columns} from gallery where id = @id", cancellationToken, ("id", id))).FirstOrDefault();

    public async Task<GalleryEntry?> OfJobAsync(long jobId, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"select {Columns} from gallery where job_id = @job", cancellationToken, ("job", jobId))).FirstOrDefault();

    public Task<IReadOnlyList<GalleryEntry>> OfUserAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        QueryAsync($"select {Columns} from gallery where platform = @p and user_id = @u order by shared_at desc", cancellationToken, ("p", platform), ("u", userId));

    public async Task<GalleryEntry?> RemoveAsync(string id, CancellationToken cancellationToken = default) =>
        // Its votes go with it (on delete cascade).
        (await QueryAsync($"delete from gallery where id = @id returning {Columns}", cancellationToken, ("id", id))).FirstOrDefault();

    public Task<IReadOnlyList<GalleryEntry>> ListAsync(GalleryOrder order, DateTimeOffset since, int skip, int take, CancellationToken cancellationToken = default) =>
        QueryAsync($"""
            select {Columns} from gallery g
            where not hidden and not in_review
              and not exists (select 1 from bans b where b.id = g.platform || ':' || g.user_id and b.banned)
              {(order == GalleryOrder.WeekBest ? "and shared_at >= @since order by likes desc, shared_at desc" : "order by shared_at desc")}, id
            offset @skip limit @take
            """, cancellationToken, ("since", since.ToUniversalTime()), ("skip", skip), ("take", take));

    public Task<GalleryVote> LikeAsync(string id, string person, CancellationToken cancellationToken = default) =>
        VoteAsync(id, person, Like, entry => entry.CountLike(), cancellationToken);

    public Task<GalleryVote> ReportAsync(string id, string person, int reviewAt, CancellationToken cancellationToken = default) =>
        VoteAsync(id, person, Report, entry => entry.CountReport(reviewAt), cancellationToken);

    private Task<GalleryVote> VoteAsync(string id, string person, short kind, Action<GalleryEntry> count, CancellationToken ct) =>
        database.InTransactionAsync(async (c, t) =>
        {
            // The entry's row first: votes on one picture count one after another, each on the count the last one saved.
            if (await LockedAsync(c, t, id, ct) is not { } entry) return GalleryVote.Missing;
            await using (var vote = Command(c, t, "insert into gallery_votes (entry_id, person, kind) values (@id, @person, @kind) on conflict do nothing",
                ("id", id), ("person", person), ("kind", kind)))
                if (await vote.ExecuteNonQueryAsync(ct) == 0) return GalleryVote.Repeated;
            count(entry);
            await SaveCountsAsync(c, t, entry, ct);
            return GalleryVote.Counted;
        }, ct);

    public Task<bool> SetHiddenAsync(string id, bool hidden, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            if (await LockedAsync(c, t, id, cancellationToken) is not { } entry) return false;
            entry.Decide(hidden);
            await SaveCountsAsync(c, t, entry, cancellationToken);
            if (!hidden)
                await using (var clear = Command(c, t, "delete from gallery_votes where entry_id = @id and kind = @kind", ("id", id), ("kind", Report)))
                    await clear.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>The entry, its row locked until the transaction ends (NO KEY UPDATE: the lock an update of its counts takes).</summary>
    private static async Task<GalleryEntry?> LockedAsync(NpgsqlConnection c, NpgsqlTransaction t, string id, CancellationToken ct)
    {
        await using var select = Command(c, t, $"select {Columns} from gallery where id = @id for no key update", ("id", id));
        return (await ReadAllAsync(select, ct)).FirstOrDefault();
    }

    /// <summary>Saves what votes and decisions change: the columns, which are the truth of it (the JSON keeps what was shared).</summary>
    private static async Task SaveCountsAsync(NpgsqlConnection c, NpgsqlTransaction t, GalleryEntry entry, CancellationToken ct)
    {
        await using var update = Command(c, t, "update gallery set likes = @likes, reports = @reports, hidden = @hidden, in_review = @review where id = @id",
            ("id", entry.Id), ("likes", entry.Likes), ("reports", entry.Reports), ("hidden", entry.Hidden), ("review", entry.InReview));
        await update.ExecuteNonQueryAsync(ct);
    }

    public Task<IReadOnlyList<GalleryEntry>> InReviewAsync(CancellationToken cancellationToken = default) =>
        QueryAsync($"select {Columns} from gallery where in_review order by shared_at", cancellationToken);

    public Task<IReadOnlyList<GalleryEntry>> ForgetAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            var person = UserProfile.KeyOf(platform, userId);
            await using (var votes = Command(c, t, """
                with gone as (delete from gallery_votes where person = @person returning entry_id, kind)
                update gallery g set likes = greatest(0, likes - (select count(*) from gone where entry_id = g.id and kind = 0)),
                    reports = greatest(0, reports - (select count(*) from gone where entry_id = g.id and kind = 1))
                where id in (select entry_id from gone)
                """, ("person", person)))
                await votes.ExecuteNonQueryAsync(cancellationToken);
            await using var own = Command(c, t, $"delete from gallery where platform = @p and user_id = @u returning {Columns}", ("p", platform), ("u", userId));
            return await ReadAllAsync(own, cancellationToken);
        }, cancellationToken);

    private Task<IReadOnlyList<GalleryEntry>> QueryAsync(string sql, CancellationToken ct, params (string, object?)[] parameters) =>
        database.WithConnectionAsync(async c =>
        {
            await using var select = Command(c, null, sql, parameters);
            return await ReadAllAsync(select, ct);
        }, ct);

    private static async Task<IReadOnlyList<GalleryEntry>> ReadAllAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var entries = new List<GalleryEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var entry = JsonSerializer.Deserialize<GalleryEntry>(reader.GetString(0), Json)!;
            // The columns are the truth of what changes after sharing.
            entry.Likes = reader.GetInt32(1);
            entry.Reports = reader.GetInt32(2);
            entry.Hidden = reader.GetBoolean(3);
            entry.InReview = reader.GetBoolean(4);
            entries.Add(entry);
        }
        return entries;
    }
}
