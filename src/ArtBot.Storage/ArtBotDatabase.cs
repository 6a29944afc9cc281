using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using LiteDB;

namespace ArtBot.Storage;

/// <summary>
/// The process's one LiteDB file, opened exclusively (direct mode): LiteDB's shared mode breaks
/// under concurrent threads, and two processes must not both drive the same queue. Every access
/// goes through <see cref="Gate"/>, which also makes read-modify-write sequences atomic.
/// </summary>
public sealed class ArtBotDatabase : IDisposable
{
    public ArtBotDatabase(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory != null) Directory.CreateDirectory(directory);
        var mapper = new BsonMapper();
        // Stored as UTC ticks: exact, ordered, and free of LiteDB's local-time conversion of DateTime.
        mapper.RegisterType<DateTimeOffset>(v => new BsonValue(v.UtcTicks), b => new DateTimeOffset(b.AsInt64, TimeSpan.Zero));
        mapper.Entity<Job>().Id(j => j.Id, autoId: true).Ignore(j => j.IsFinished);
        mapper.Entity<UserProfile>().Id(u => u.Id, autoId: false);
        mapper.Entity<LedgerEntry>().Id(e => e.Id, autoId: true);
        mapper.Entity<PromoCode>().Id(p => p.Id, autoId: false);
        mapper.Entity<AuditEntry>().Id(a => a.Id, autoId: true);
        Database = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }, mapper);
        Jobs.EnsureIndex(j => j.State);
        Jobs.EnsureIndex(j => j.UserId);
        // The key makes every posting idempotent; (platform, user) sums a balance.
        Ledger.EnsureIndex(e => e.Key, unique: true);
        Ledger.EnsureIndex(e => e.UserId);
    }

    internal LiteDatabase Database { get; }

    internal Lock Gate { get; } = new();

    internal ILiteCollection<Job> Jobs => Database.GetCollection<Job>("jobs");

    internal ILiteCollection<UserProfile> Users => Database.GetCollection<UserProfile>("users");

    internal ILiteCollection<LedgerEntry> Ledger => Database.GetCollection<LedgerEntry>("ledger");

    internal ILiteCollection<PromoCode> Promos => Database.GetCollection<PromoCode>("promos");

    internal ILiteCollection<AuditEntry> Audit => Database.GetCollection<AuditEntry>("audit");

    internal ILiteCollection<Cursor> Cursors => Database.GetCollection<Cursor>("cursors");

    /// <summary>The queue proper: one entry per queued job, keyed by rank then id, so the next job is the first key of a range.</summary>
    internal ILiteCollection<QueueEntry> Queue => Database.GetCollection<QueueEntry>("queue");

    public void Dispose() => Database.Dispose();
}

internal sealed class QueueEntry
{
    /// <summary>Spacing between ranks in <see cref="Id"/>; job ids stay far below it.</summary>
    public const long RankStride = 1_000_000_000_000;

    public long Id { get; set; }

    public long JobId { get; set; }

    public static long KeyOf(Job job) => job.Rank * RankStride + job.Id;
}
