using ArtBot.Domain.Billing;
using static ArtBot.Storage.Postgres.PostgresDatabase;

namespace ArtBot.Storage.Postgres;

/// <summary>The ledger, promo codes and the audit log on PostgreSQL; every check and its writes are one transaction.</summary>
public sealed class PgLedger(PostgresDatabase database) : ILedger
{
    public Task<bool> PostAsync(LedgerEntry entry, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync((c, t) => PgLedgerTransaction.PostAsync(c, t, entry, cancellationToken), cancellationToken);

    public Task<long> BalanceAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(c => PgLedgerTransaction.BalanceAsync(c, null, platform, userId, cancellationToken), cancellationToken);

    public Task<long> HeldAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var held = Command(c, null, """
                select coalesce(-sum(r.amount), 0)::bigint from ledger r
                where r.platform = @p and r.user_id = @u and r.kind = @reserve
                  and not exists (select 1 from ledger x where x.key = 'job:' || r.job_id || ':release')
                """, ("p", platform), ("u", userId), ("reserve", (int)LedgerKind.Reserve));
            return (long)(await held.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    public Task<LedgerEntry?> FindAsync(string key, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(c => PgLedgerTransaction.FindAsync(c, null, key, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<LedgerEntry>> EntriesAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            var entries = new List<LedgerEntry>();
            await using var select = Command(c, null, "select id, key, platform, user_id, kind, amount, job_id, at, note from ledger where platform = @p and user_id = @u order by id",
                ("p", platform), ("u", userId));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) entries.Add(PgLedgerTransaction.Read(reader));
            return (IReadOnlyList<LedgerEntry>)entries;
        }, cancellationToken);

    public Task<bool> CreatePromoAsync(PromoCode promo, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            promo.Id = promo.Id.ToUpperInvariant();
            await using var insert = Command(c, null, """
                insert into promos (id, credits, max_uses, uses, expires_at, created_by, created_at, platforms)
                values (@id, @credits, @max, @uses, @expires, @by, @at, @platforms) on conflict (id) do nothing
                """, ("id", promo.Id), ("credits", promo.Credits), ("max", promo.MaxUses), ("uses", promo.Uses),
                ("expires", promo.ExpiresAt.ToUniversalTime()), ("by", promo.CreatedBy), ("at", promo.CreatedAt.ToUniversalTime()), ("platforms", promo.Platforms));
            return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<(PromoOutcome Outcome, long Credits)> RedeemAsync(string code, string platform, long userId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (c, t) =>
        {
            var id = code.Trim().ToUpperInvariant();
            long credits;
            int uses, maxUses;
            DateTimeOffset expires;
            string? platforms;
            await using (var select = Command(c, t, "select credits, uses, max_uses, expires_at, platforms from promos where id = @id for update", ("id", id)))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken)) return (PromoOutcome.Unknown, 0L);
                (credits, uses, maxUses, expires) = (reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero));
                platforms = reader.IsDBNull(4) ? null : reader.GetString(4);
            }
            var key = $"promo:{id}:{platform}:{userId}";
            if (await PgLedgerTransaction.FindAsync(c, t, key, cancellationToken) != null) return (PromoOutcome.AlreadyRedeemed, 0L);
            if (!new PromoCode { Platforms = platforms }.AllowedOn(platform)) return (PromoOutcome.NotHere, 0L);
            if (at >= expires) return (PromoOutcome.Expired, 0L);
            if (uses >= maxUses) return (PromoOutcome.UsedUp, 0L);
            await using (var use = Command(c, t, "update promos set uses = uses + 1 where id = @id", ("id", id))) await use.ExecuteNonQueryAsync(cancellationToken);
            await PgLedgerTransaction.PostAsync(c, t, new LedgerEntry { Key = key, Platform = platform, UserId = userId, Kind = LedgerKind.Promo, Amount = credits, At = at, Note = id }, cancellationToken);
            return (PromoOutcome.Redeemed, credits);
        }, cancellationToken);

    public Task<long> CreditsSoldAsync(CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var sum = Command(c, null, "select coalesce(sum(amount), 0)::bigint from ledger where kind in (@purchase, @refund)",
                ("purchase", (int)LedgerKind.Purchase), ("refund", (int)LedgerKind.Refund));
            return (long)(await sum.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    public Task AuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            await using var insert = Command(c, null, "insert into audit (at, admin, action, detail) values (@at, @admin, @action, @detail) returning id",
                ("at", entry.At.ToUniversalTime()), ("admin", entry.Admin), ("action", entry.Action), ("detail", entry.Detail));
            entry.Id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> AuditLogAsync(CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync(async c =>
        {
            var log = new List<AuditEntry>();
            await using var select = Command(c, null, "select id, at, admin, action, detail from audit order by id");
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                log.Add(new AuditEntry { Id = reader.GetInt64(0), At = new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero), Admin = reader.GetString(2), Action = reader.GetString(3), Detail = reader.GetString(4) });
            return (IReadOnlyList<AuditEntry>)log;
        }, cancellationToken);
}
