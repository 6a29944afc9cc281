using ArtBot.Domain.Bot;

namespace ArtBot.Storage;

public sealed class LiteCursorStore(ArtBotDatabase database) : ICursorStore
{
    public Task<long?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult(database.Cursors.FindById(key)?.Value);
    }

    public Task SetAsync(string key, long value, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) database.Cursors.Upsert(new Cursor { Id = key, Value = value });
        return Task.CompletedTask;
    }
}

internal sealed class Cursor
{
    public string Id { get; set; } = "";
    public long Value { get; set; }
}
