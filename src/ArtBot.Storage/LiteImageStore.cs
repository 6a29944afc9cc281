using ArtBot.Domain.Queue;
using LiteDB;

namespace ArtBot.Storage;

/// <summary>Images in LiteDB's file storage, so a queued job's photos survive a restart with it.</summary>
public sealed class LiteImageStore(ArtBotDatabase database) : IImageStore
{
    private ILiteStorage<string> Files => database.Database.FileStorage;

    public Task<string> PutAsync(byte[] image, DateTimeOffset now, string owner, CancellationToken cancellationToken = default, bool keep = false)
    {
        var id = $"img/{Guid.NewGuid():N}";
        lock (database.Gate)
        {
            using var stream = new MemoryStream(image, writable: false);
            Files.Upload(id, id, stream, new BsonDocument { ["stored"] = now.UtcTicks, ["owner"] = owner, ["keep"] = keep });
        }
        return Task.FromResult(id);
    }

    public Task<long> StoredBytesAsync(string owner, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
            return Task.FromResult(Files.Find(Query.And(Query.EQ("metadata.owner", owner), Query.GTE("metadata.stored", since.UtcTicks))).Sum(f => f.Length));
    }

    public Task<byte[]> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            if (!Files.Exists(id)) throw new KeyNotFoundException($"image {id} is not stored (expired?)");
            using var stream = new MemoryStream();
            Files.Download(id, stream);
            return Task.FromResult(stream.ToArray());
        }
    }

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var old = Files.FindAll().Where(f => f.Metadata["stored"].AsInt64 < cutoff.UtcTicks && !Kept(f)).Select(f => f.Id).ToList();
            foreach (var id in old) Files.Delete(id);
            return Task.FromResult(old.Count);
        }
    }

    public Task<int> DeleteAsync(IEnumerable<string> ids, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(ids.Distinct().Count(Files.Delete));
    }

    public Task<int> DeleteOwnedAsync(string owner, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var owned = Files.FindAll().Where(f => f.Metadata["owner"] is { IsString: true, AsString: var o } && (o == owner || o.StartsWith(owner + "/", StringComparison.Ordinal)))
                .Select(f => f.Id).ToList();
            return Task.FromResult(owned.Count(Files.Delete));
        }
    }

    private static bool Kept(LiteFileInfo<string> file) => file.Metadata["keep"] is { IsBoolean: true, AsBoolean: true };
}
