using System.Collections.Concurrent;

namespace ArtBot.Domain.Bot;

/// <summary>Each platform receiver says when it last heard from its platform, or what went wrong; /healthz reads it.</summary>
public sealed class PlatformStatus(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Contact> contacts = new();

    public sealed record Contact(bool Ok, DateTimeOffset At, string? Problem);

    public void Connected(string platform) => contacts[platform] = new Contact(true, time.GetUtcNow(), null);

    public void Failed(string platform, string problem) => contacts[platform] = new Contact(false, time.GetUtcNow(), problem);

    public IReadOnlyDictionary<string, Contact> Snapshot() => new Dictionary<string, Contact>(contacts);
}
