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

    /// <summary>
    /// Waits until <paramref name="condition"/> holds. <paramref name="patience"/> is the longest the
    /// bot may stay silent: every new record (a progress edit among them) starts it again, so a
    /// render slowed by a busy machine is waited for as long as it advances, and one that stalls
    /// fails after that much silence, saying what it had reached. Ten patiences end any wait.
    /// </summary>
    public async Task<IReadOnlyList<Sent>> WaitForAsync(Func<IReadOnlyList<Sent>, bool> condition, TimeSpan patience, string what)
    {
        var started = DateTime.UtcNow;
        var cap = started + patience * 10;
        var seen = -1;
        var silentSince = started;
        while (true)
        {
            var snapshot = All;
            if (condition(snapshot)) return snapshot;
            var now = DateTime.UtcNow;
            if (snapshot.Count != seen) (seen, silentSince) = (snapshot.Count, now);
            var left = Min(silentSince + patience, cap) - now;
            if (left <= TimeSpan.Zero)
            {
                var reason = now >= cap ? $"{(now - started).TotalSeconds:0} s in all" : $"{patience.TotalSeconds:0} s of silence ({(now - started).TotalSeconds:0} s in all)";
                var progress = snapshot.LastOrDefault(c => c.Says("Working") || c.Says("Рисую") || c.Says("Started working") || c.Says("Начал рисовать"));
                throw new TimeoutException($"waited {reason} for {what}; last progress: {(progress == null ? "none" : $"{progress.Kind} {progress.ChatId} {progress.Text}")}; " +
                                           $"sent: {string.Join(" | ", snapshot.Select(c => $"{c.Kind} {c.ChatId} {c.Text}"))}");
            }
            await changed.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
