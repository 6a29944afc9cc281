using System.Text.Json;
using Npgsql;

namespace ArtBot.Storage.Postgres;

/// <summary>
/// One PostgreSQL database shared by every ArtBot process (a receiver and N workers). The schema is
/// created and migrated by the program: each step of <see cref="Migrations"/> runs once, in order,
/// recorded in <c>schema_version</c>, under an advisory lock so two processes starting together do
/// not race. Rows that the domain reads whole (a job, a profile, a menu of offers) are kept as JSON
/// beside the columns that are queried or locked.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    /// <summary>Every schema version, in order. Never edit a shipped step: add one.</summary>
    private static readonly string[] Migrations =
    [
        """
        create table jobs (
            id bigserial primary key,
            platform text not null,
            user_id bigint not null,
            rank int not null,
            state int not null,
            paid boolean not null,
            settled boolean not null default false,
            delivered boolean not null default false,
            has_result boolean not null default false,
            data jsonb not null);
        create index jobs_queue on jobs (rank, id) where state = 0;
        create index jobs_user on jobs (platform, user_id) where state in (0, 1);
        create index jobs_undelivered on jobs (id) where has_result and not delivered and state in (2, 4);
        create table ledger (
            id bigserial primary key,
            key text not null unique,
            platform text not null,
            user_id bigint not null,
            kind int not null,
            amount bigint not null,
            job_id bigint,
            at timestamptz not null,
            note text);
        create index ledger_user on ledger (platform, user_id);
        create table promos (id text primary key, credits bigint not null, max_uses int not null, uses int not null,
            expires_at timestamptz not null, created_by text not null, created_at timestamptz not null);
        create table audit (id bigserial primary key, at timestamptz not null, admin text not null, action text not null, detail text not null);
        create table users (id text primary key, data jsonb not null);
        create table bans (id text primary key, banned boolean not null);
        create table cursors (id text primary key, value bigint not null);
        create table offers (id text primary key, platform text not null, user_id bigint not null, one_shot boolean not null,
            used boolean not null, expires_at timestamptz not null, data jsonb not null);
        create index offers_user on offers (platform, user_id) where one_shot and not used;
        create table images (id text primary key, stored timestamptz not null, bytes bytea not null);
        create index images_stored on images (stored);
        create table secrets (id text primary key, value bytea not null);
        """,
        // 2: /history reads a user's pictures, newest first.
        """
        create index jobs_user_results on jobs (platform, user_id, id desc) where has_result;
        """,
        // 3: the job's life in the domain. A retry waits out its pause (not_before); "needs
        // settlement" and "awaits delivery" are the domain's own answers, saved with each change;
        // a booking (state 5) waits for its notice and is the user's active job.
        """
        alter table jobs add column not_before timestamptz,
            add column needs_settlement boolean not null default false,
            add column awaits_delivery boolean not null default false;
        update jobs set needs_settlement = paid and not settled and (delivered or state = 3 or (state = 4 and not has_result)),
            awaits_delivery = has_result and not delivered and state in (2, 4);
        drop index jobs_undelivered;
        create index jobs_awaiting_delivery on jobs (id) where awaits_delivery;
        create index jobs_unsettled on jobs (id) where needs_settlement;
        create index jobs_held on jobs (id) where state in (1, 5);
        drop index jobs_user;
        create index jobs_user on jobs (platform, user_id) where state in (0, 1, 5);
        """,
        // 4: a promo code kept to some platforms; each stored image's owner and size, for the per-user cap.
        """
        alter table promos add column platforms text;
        alter table images add column owner text not null default '', add column size bigint not null default 0;
        update images set size = octet_length(bytes);
        create index images_owner on images (owner, stored);
        """,
        // 5: the public gallery. An image may be kept past retention (a shared picture's copies);
        // an entry is a row per shared job, votes one per person per entry and kind.
        """
        alter table images add column keep boolean not null default false;
        create table gallery (
            id text primary key,
            platform text not null,
            user_id bigint not null,
            job_id bigint not null unique,
            shared_at timestamptz not null,
            likes int not null default 0,
            reports int not null default 0,
            hidden boolean not null default false,
            in_review boolean not null default false,
            data jsonb not null);
        create index gallery_newest on gallery (shared_at desc) where not hidden and not in_review;
        create index gallery_user on gallery (platform, user_id);
        create table gallery_votes (
            entry_id text not null references gallery (id) on delete cascade,
            person text not null,
            kind smallint not null,
            primary key (entry_id, kind, person));
        create index gallery_votes_person on gallery_votes (person);
        """,
    ];

    /// <summary>The advisory lock of schema changes: "ArtBot" in ASCII.</summary>
    private const long MigrationLock = 0x4172_7442_6F74;

    internal static readonly JsonSerializerOptions Json = new();

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        DataSource = NpgsqlDataSource.Create(builder);
        Migrate();
    }

    internal NpgsqlDataSource DataSource { get; }

    /// <summary>The schema version this database is at after start-up.</summary>
    public int SchemaVersion { get; private set; }

    private void Migrate()
    {
        using var connection = DataSource.OpenConnection();
        using (var lockCommand = new NpgsqlCommand($"select pg_advisory_lock({MigrationLock})", connection)) lockCommand.ExecuteNonQuery();
        try
        {
            using (var create = new NpgsqlCommand("create table if not exists schema_version (version int not null)", connection)) create.ExecuteNonQuery();
            using (var read = new NpgsqlCommand("select coalesce(max(version), 0) from schema_version", connection))
                SchemaVersion = Convert.ToInt32(read.ExecuteScalar());
            if (SchemaVersion > Migrations.Length)
                throw new InvalidOperationException($"the database is at schema version {SchemaVersion}, newer than this program's {Migrations.Length}: run the newer program");
            for (var version = SchemaVersion + 1; version <= Migrations.Length; version++)
            {
                using var transaction = connection.BeginTransaction();
                using (var step = new NpgsqlCommand(Migrations[version - 1], connection, transaction)) step.ExecuteNonQuery();
                using (var mark = new NpgsqlCommand("insert into schema_version (version) values (@v)", connection, transaction))
                {
                    mark.Parameters.AddWithValue("v", version);
                    mark.ExecuteNonQuery();
                }
                transaction.Commit();
                SchemaVersion = version;
            }
        }
        finally
        {
            using var unlock = new NpgsqlCommand($"select pg_advisory_unlock({MigrationLock})", connection);
            unlock.ExecuteNonQuery();
        }
    }

    /// <summary>Runs <paramref name="work"/> in one transaction: committed when it returns, rolled back when it throws.</summary>
    internal async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(ct);
        return result;
    }

    internal async Task<T> WithConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await DataSource.OpenConnectionAsync(ct);
        return await work(connection);
    }

    /// <summary>One statement on a connection of its own; the rows it touched.</summary>
    internal Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        WithConnectionAsync(async c =>
        {
            await using var command = Command(c, null, sql, parameters);
            return await command.ExecuteNonQueryAsync(ct);
        }, ct);

    /// <summary>One query's first value on a connection of its own; null when it found no row.</summary>
    internal Task<object?> ScalarAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        WithConnectionAsync(async c =>
        {
            await using var command = Command(c, null, sql, parameters);
            return await command.ExecuteScalarAsync(ct);
        }, ct);

    internal static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public void Dispose() => DataSource.Dispose();

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
