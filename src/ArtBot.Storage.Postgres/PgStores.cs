using System.Security.Cryptography;
using System.Text.Json;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using static ArtBot.Storage.Postgres.PostgresDatabase;

namespace ArtBot.Storage.Postgres;

/// <summary>Users' settings and conversation state; bans apart, so a profile saved by a message in flight cannot undo one.</summary>
public sealed class PgUserStore(PostgresDatabase database) : IUserStore
{
    public async Task<int> CountAsync(CancellationToken cancellationToken = default) =>
        (int)(long)(await database.ScalarAsync("select count(*) from users", cancellationToken))!;

    public Task<UserProfile?> FindAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var select = Command(c, null, "select u.data, coalesce(b.banned, false) from users u left join bans b on b.id = u.id where u.id = @id",
                ("id", UserProfile.KeyOf(platform, userId)));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return null;
            var user = JsonSerializer.Deserialize<UserProfile>(reader.GetString(0), Json)!;
            user.Banned = reader.GetBoolean(1);
            return user;
        }, cancellationToken);

    public Task SaveAsync(UserProfile user, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync("insert into users (id, data) values (@id, @data::jsonb) on conflict (id) do update set data = excluded.data", cancellationToken,
            ("id", user.Id), ("data", JsonSerializer.Serialize(user, Json)));

    public Task SetBannedAsync(string platform, long userId, bool banned, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            var key = UserProfile.KeyOf(platform, userId);
            await using (var ban = Command(c, t, "insert into bans (id, banned) values (@id, @b) on conflict (id) do update set banned = excluded.banned", ("id", key), ("b", banned)))
                await ban.ExecuteNonQueryAsync(cancellationToken);
            await using var notice = Command(c, t, "update users set data = jsonb_set(data, '{BanNoticeSent}', 'false') where id = @id", ("id", key));
            return await notice.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<bool> IsBannedAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        await database.ScalarAsync("select banned from bans where id = @id", cancellationToken, ("id", UserProfile.KeyOf(platform, userId))) is true;

    public Task DeleteAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync("delete from users where id = @id", cancellationToken, ("id", UserProfile.KeyOf(platform, userId)));
}

public sealed class PgCursorStore(PostgresDatabase database) : ICursorStore
{
    public async Task<long?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        await database.ScalarAsync("select value from cursors where id = @id", cancellationToken, ("id", key)) is long value ? value : null;

    public Task SetAsync(string key, long value, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync("insert into cursors (id, value) values (@id, @v) on conflict (id) do update set value = excluded.value", cancellationToken, ("id", key), ("v", value));
}

/// <summary>The offers of sent keyboards, until they expire.</summary>
public sealed class PgOfferStore(PostgresDatabase database) : IOfferStore
{
    public Task SaveAsync(OfferMenu menu, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            if (menu.OneShot)
                await using (var stale = Command(c, t, "update offers set used = true where platform = @p and user_id = @u and one_shot and not used", ("p", menu.Platform), ("u", menu.UserId)))
                    await stale.ExecuteNonQueryAsync(cancellationToken);
            await using var insert = Command(c, t, """
                insert into offers (id, platform, user_id, one_shot, used, expires_at, data) values (@id, @p, @u, @one, @used, @expires, @data::jsonb)
                """, ("id", menu.Id), ("p", menu.Platform), ("u", menu.UserId), ("one", menu.OneShot), ("used", menu.Used),
                ("expires", menu.ExpiresAt.ToUniversalTime()), ("data", JsonSerializer.Serialize(menu, Json)));
            return await insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<OfferMenu?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var select = Command(c, null, "select data, used from offers where id = @id", ("id", id));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return null;
            var menu = JsonSerializer.Deserialize<OfferMenu>(reader.GetString(0), Json)!;
            menu.Used = reader.GetBoolean(1);
            return menu;
        }, cancellationToken);

    public async Task<bool> UseAsync(string id, CancellationToken cancellationToken = default) =>
        await database.ExecuteAsync("update offers set used = true where id = @id and not used", cancellationToken, ("id", id)) == 1;

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync("delete from offers where expires_at <= @now", cancellationToken, ("now", now.ToUniversalTime()));

    public Task<int> DeleteUserAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync("delete from offers where platform = @p and user_id = @u", cancellationToken, ("p", platform), ("u", userId));
}

/// <summary>Uploaded photos and results, for every process to read.</summary>
public sealed class PgImageStore(PostgresDatabase database) : IImageStore
{
    public async Task<string> PutAsync(byte[] image, DateTimeOffset now, string owner, CancellationToken cancellationToken = default, bool keep = false)
    {
        var id = $"img/{Guid.NewGuid():N}";
        await database.ExecuteAsync("insert into images (id, stored, owner, size, keep, bytes) values (@id, @at, @owner, @size, @keep, @bytes)", cancellationToken,
            ("id", id), ("at", now.ToUniversalTime()), ("owner", owner), ("size", (long)image.Length), ("keep", keep), ("bytes", image));
        return id;
    }

    public Task<int> DeleteAsync(IEnumerable<string> ids, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync("delete from images where id = any(@ids)", cancellationToken, ("ids", ids.Distinct().ToArray()));

    public Task<int> DeleteOwnedAsync(string owner, CancellationToken cancellationToken = default) =>
        // starts_with, not LIKE: an owner's "_" or "%" is not a pattern.
        database.ExecuteAsync("delete from images where owner = @owner or starts_with(owner, @prefix)", cancellationToken, ("owner", owner), ("prefix", owner + "/"));

    public async Task<long> StoredBytesAsync(string owner, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        (long)(await database.ScalarAsync("select coalesce(sum(size), 0)::bigint from images where owner = @owner and stored >= @since", cancellationToken,
            ("owner", owner), ("since", since.ToUniversalTime())))!;

    public async Task<byte[]> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await database.ScalarAsync("select bytes from images where id = @id", cancellationToken, ("id", id)) as byte[]
        ?? throw new KeyNotFoundException($"image {id} is not stored (expired?)");

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync("delete from images where stored < @cutoff and not keep", cancellationToken, ("cutoff", cutoff.ToUniversalTime()));
}

/// <summary>Server keys made once and shared by every process.</summary>
public sealed class PgSecretStore(PostgresDatabase database) : ISecretStore
{
    public byte[] GetOrCreate(string name, int bytes = 32)
    {
        using var connection = database.DataSource.OpenConnection();
        using (var insert = Command(connection, null, "insert into secrets (id, value) values (@id, @v) on conflict (id) do nothing", ("id", name), ("v", RandomNumberGenerator.GetBytes(bytes))))
            insert.ExecuteNonQuery();
        using var select = Command(connection, null, "select value from secrets where id = @id", ("id", name));
        return (byte[])select.ExecuteScalar()!;
    }
}
