using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using System.Globalization;
using LiteDB;

namespace ArtBot.Storage;

/// <summary>Another process holds the database.</summary>
public sealed class DatabaseInUseException(string path, Exception inner)
    : IOException($"{path} is in use by another ArtBot process (lock file {path}.lock); stop it first, or give this one its own Queue:DatabasePath", inner)
{
    public string Path { get; } = path;
}

/// <summary>
/// The process's one LiteDB file, opened exclusively (direct mode): LiteDB's shared mode breaks
/// under concurrent threads, and two processes must not both drive the same queue. LiteDB does
/// not stop a second process on Linux, so the database holds an exclusive OS lock on
/// <c>FILE.lock</c> for its whole life: a second opener fails at once, naming the file. Every
/// access goes through <see cref="Gate"/>, which also makes read-modify-write sequences atomic.
/// </summary>
public sealed class ArtBotDatabase : IDisposable
{
    private readonly FileStream processLock;

    public ArtBotDatabase(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(path);
        if (directory != null) Directory.CreateDirectory(directory);
        try
        {
            // FileShare.None is an exclusive flock on Unix, released by the kernel if the process dies.
            processLock = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new DatabaseInUseException(path, e);
        }
        Path = path;
        var mapper = new BsonMapper();
        // Stored as UTC ticks: exact, ordered, and free of LiteDB's local-time conversion of DateTime.
        mapper.RegisterType<DateTimeOffset>(v => new BsonValue(v.UtcTicks), b => new DateTimeOffset(b.AsInt64, TimeSpan.Zero));
        // The job's derived views are computed from its fields, never stored beside them.
        mapper.Entity<Job>().Id(j => j.Id, autoId: true)
            .Ignore(j => j.IsFinished).Ignore(j => j.IsActive).Ignore(j => j.AwaitsDelivery).Ignore(j => j.NeedsSettlement).Ignore(j => j.Work);
        // The ban lives in its own collection: a profile saved by a message in flight cannot undo it.
        mapper.Entity<UserProfile>().Id(u => u.Id, autoId: false).Ignore(u => u.Banned).Ignore(u => u.Forgotten);
        mapper.Entity<LedgerEntry>().Id(e => e.Id, autoId: true);
        mapper.Entity<PromoCode>().Id(p => p.Id, autoId: false);
        mapper.Entity<AuditEntry>().Id(a => a.Id, autoId: true);
        mapper.Entity<OfferMenu>().Id(m => m.Id, autoId: false);
        mapper.Entity<ArtBot.Domain.Gallery.GalleryEntry>().Id(e => e.Id, autoId: false).Ignore(e => e.IsAnimation);
        mapper.Entity<GalleryVoteRow>().Id(v => v.Id, autoId: false);
        try
        {
            Database = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, Collation = Ordinal }, mapper);
            // LiteDB compares text ignoring case unless told otherwise, and a file keeps the collation it
            // was made with: one made before is rebuilt once, so "CHG-A1" and "chg-a1" are two keys.
            if (Database.Collation.SortOptions != CompareOptions.Ordinal) Database.Rebuild(new LiteDB.Engine.RebuildOptions { Collation = Ordinal });
        }
        catch
        {
            Database?.Dispose();
            processLock.Dispose();
            throw;
        }
        Jobs.EnsureIndex(j => j.State);
        Jobs.EnsureIndex(j => j.UserId);
        // The key makes every posting idempotent; (platform, user) sums a balance.
        Ledger.EnsureIndex(e => e.Key, unique: true);
        Ledger.EnsureIndex(e => e.UserId);
        Offers.EnsureIndex(m => m.UserId);
        Gallery.EnsureIndex(e => e.JobId, unique: true);
        Gallery.EnsureIndex(e => e.UserId);
        GalleryVotes.EnsureIndex(v => v.EntryId);
        GalleryVotes.EnsureIndex(v => v.Person);
    }

    public string Path { get; }

    /// <summary>Keys, ids and codes compare exactly, byte for byte, as on PostgreSQL.</summary>
    private static readonly Collation Ordinal = new(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal);

    internal LiteDatabase Database { get; }

    internal Lock Gate { get; } = new();

    internal ILiteCollection<Job> Jobs => Database.GetCollection<Job>("jobs");

    internal ILiteCollection<UserProfile> Users => Database.GetCollection<UserProfile>("users");

    internal ILiteCollection<Ban> Bans => Database.GetCollection<Ban>("bans");

    internal ILiteCollection<LedgerEntry> Ledger => Database.GetCollection<LedgerEntry>("ledger");

    internal ILiteCollection<PromoCode> Promos => Database.GetCollection<PromoCode>("promos");

    internal ILiteCollection<AuditEntry> Audit => Database.GetCollection<AuditEntry>("audit");

    internal ILiteCollection<Cursor> Cursors => Database.GetCollection<Cursor>("cursors");

    internal ILiteCollection<OfferMenu> Offers => Database.GetCollection<OfferMenu>("offers");

    internal ILiteCollection<Secret> Secrets => Database.GetCollection<Secret>("secrets");

    internal ILiteCollection<ArtBot.Domain.Gallery.GalleryEntry> Gallery => Database.GetCollection<ArtBot.Domain.Gallery.GalleryEntry>("gallery");

    internal ILiteCollection<GalleryVoteRow> GalleryVotes => Database.GetCollection<GalleryVoteRow>("gallery_votes");

    /// <summary>The queue proper: one entry per queued job, keyed by rank then id, so the next job is the first key of a range.</summary>
    internal ILiteCollection<QueueEntry> Queue => Database.GetCollection<QueueEntry>("queue");

    /// <summary>Runs <paramref name="work"/> as one LiteDB transaction under the gate: all of it is written, or none.</summary>
    internal T InTransaction<T>(Func<T> work)
    {
        lock (Gate)
        {
            Database.BeginTrans();
            try
            {
                var result = work();
                Database.Commit();
                return result;
            }
            catch
            {
                Database.Rollback();
                throw;
            }
        }
    }

    public void Dispose()
    {
        Database.Dispose();
        processLock.Dispose();
    }
}

internal sealed class QueueEntry
{
    /// <summary>Spacing between ranks in <see cref="Id"/>; job ids stay far below it.</summary>
    public const long RankStride = 1_000_000_000_000;

    public long Id { get; set; }

    public long JobId { get; set; }

    /// <summary>UTC ticks before which the job waits (a retry's pause); 0 for none.</summary>
    public long NotBefore { get; set; }

    public static long KeyOf(Job job) => job.Rank * RankStride + job.Id;
}

internal sealed class Ban
{
    public string Id { get; set; } = "";
    public bool Banned { get; set; }
}

internal sealed class Secret
{
    public string Id { get; set; } = "";
    public byte[] Value { get; set; } = [];
}
