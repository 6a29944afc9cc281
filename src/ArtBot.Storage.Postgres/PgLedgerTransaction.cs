using ArtBot.Domain.Billing;
using Npgsql;
using static ArtBot.Storage.Postgres.PostgresDatabase;

namespace ArtBot.Storage.Postgres;

/// <summary>
/// The ledger inside a transaction the caller holds, so a job's state and its credits are one
/// commit. The first touch of a user's credits takes a transaction-scoped advisory lock on that
/// user: two processes booking or settling for one user at once are served one after the other,
/// so a balance read here stays true until the commit.
/// </summary>
internal sealed class PgLedgerTransaction(NpgsqlConnection connection, NpgsqlTransaction? transaction) : ILedgerTransaction
{
    private readonly HashSet<(string, long)> locked = [];

    public async Task<long> BalanceAsync(string platform, long userId)
    {
        await LockAsync(platform, userId);
        return await BalanceAsync(connection, transaction, platform, userId, CancellationToken.None);
    }

    public Task<LedgerEntry?> FindAsync(string key) => FindAsync(connection, transaction, key, CancellationToken.None);

    public async Task<bool> PostAsync(LedgerEntry entry)
    {
        await LockAsync(entry.Platform, entry.UserId);
        return await PostAsync(connection, transaction, entry, CancellationToken.None);
    }

    private async Task LockAsync(string platform, long userId)
    {
        if (transaction == null || !locked.Add((platform, userId))) return;
        await LockUserAsync(connection, transaction, platform, userId, CancellationToken.None);
    }

    public static async Task LockUserAsync(NpgsqlConnection c, NpgsqlTransaction t, string platform, long userId, CancellationToken ct)
    {
        await using var command = Command(c, t, "select pg_advisory_xact_lock(hashtextextended(@k, 0))", ("k", $"user:{platform}:{userId}"));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <returns>False when the key was posted before (nothing written).</returns>
    public static async Task<bool> PostAsync(NpgsqlConnection c, NpgsqlTransaction? t, LedgerEntry entry, CancellationToken ct)
    {
        entry.Validate();
        await using var command = Command(c, t,
            "insert into ledger (key, platform, user_id, kind, amount, job_id, at, note) values (@key, @p, @u, @kind, @amount, @job, @at, @note) on conflict (key) do nothing returning id",
            ("key", entry.Key), ("p", entry.Platform), ("u", entry.UserId), ("kind", (int)entry.Kind), ("amount", entry.Amount), ("job", entry.JobId),
            ("at", entry.At.ToUniversalTime()), ("note", entry.Note));
        var id = await command.ExecuteScalarAsync(ct);
        if (id is not long value) return false;
        entry.Id = value;
        return true;
    }

    public static async Task<long> BalanceAsync(NpgsqlConnection c, NpgsqlTransaction? t, string platform, long userId, CancellationToken ct)
    {
        await using var command = Command(c, t, "select coalesce(sum(amount), 0)::bigint from ledger where platform = @p and user_id = @u", ("p", platform), ("u", userId));
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public static async Task<LedgerEntry?> FindAsync(NpgsqlConnection c, NpgsqlTransaction? t, string key, CancellationToken ct)
    {
        await using var command = Command(c, t, "select id, key, platform, user_id, kind, amount, job_id, at, note from ledger where key = @k", ("k", key));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public static LedgerEntry Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0), Key = r.GetString(1), Platform = r.GetString(2), UserId = r.GetInt64(3), Kind = (LedgerKind)r.GetInt32(4),
        Amount = r.GetInt64(5), JobId = r.IsDBNull(6) ? null : r.GetInt64(6), At = new DateTimeOffset(r.GetDateTime(7), TimeSpan.Zero),
        Note = r.IsDBNull(8) ? null : r.GetString(8),
    };
}
