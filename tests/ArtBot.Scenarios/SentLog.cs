using System.Collections.Concurrent;

namespace ArtBot.Scenarios;

/// <summary>What a fake recorded, and a wait on it that wakes on every new record.</summary>
public sealed class SentLog
{
    private readonly ConcurrentQueue<Sent> sent = new();
    private readonly SemaphoreSlim changed = new(0);

    public IReadOnlyList<Sent> All => sent.ToList();

    public void Add(Sent item)
    {
        sent.Enqueue(item);
        changed.Release();
    }

    public async Task<IReadOnlyList<Sent>> WaitForAsync(Func<IReadOnlyList<Sent>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var snapshot = All;
            if (condition(snapshot)) return snapshot;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"waited {timeout.TotalSeconds} s for {what}; sent: {string.Join(" | ", snapshot.Select(c => $"{c.Kind} {c.ChatId} {c.Text}"))}");
            await changed.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }
}
