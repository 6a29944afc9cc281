using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Bot;

/// <summary>Why the bot will not take a request now.</summary>
public enum Refusal { TooManyUploads, TooManyJobs, TooManyHeavy, QueueFull }

/// <summary>
/// Every limit on what users may ask for, in one place and the same on every platform: photos a
/// minute per user, active jobs per user, free heavy jobs per user (the queue policy's number) and
/// the depth of the whole queue.
/// </summary>
public sealed class RequestGate(IJobQueue queue, QueuePolicy policy, BotOptions options, TimeProvider time)
{
    private const int MaxTracked = 50_000;
    private readonly Dictionary<string, Queue<DateTimeOffset>> uploads = [];
    private readonly Lock gate = new();

    /// <summary>Counts one photo message; false when the user is over <see cref="RequestLimits.UploadsPerMinute"/>.</summary>
    public bool AdmitUpload(string platform, long userId)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            // Bounded: a flood of new ids cannot grow this without end.
            if (uploads.Count >= MaxTracked)
                foreach (var stale in uploads.Where(u => u.Value.Count == 0 || now - u.Value.Last() > TimeSpan.FromMinutes(1)).Select(u => u.Key).ToList())
                    uploads.Remove(stale);
            var key = UserProfile.KeyOf(platform, userId);
            if (!uploads.TryGetValue(key, out var times)) uploads[key] = times = new Queue<DateTimeOffset>();
            while (times.Count > 0 && now - times.Peek() >= TimeSpan.FromMinutes(1)) times.Dequeue();
            if (times.Count >= options.Limits.UploadsPerMinute) return false;
            times.Enqueue(now);
            return true;
        }
    }

    /// <summary>Whether this user may queue one more job of this class now.</summary>
    public async Task<(Refusal? Refusal, int Count)> AdmitJobAsync(string platform, long userId, JobClass jobClass, bool paid, CancellationToken ct)
    {
        if (await queue.QueuedCountAsync(ct) >= options.Limits.MaxQueueDepth) return (Refusal.QueueFull, 0);
        var active = await queue.ActiveJobsAsync(platform, userId, ct);
        if (active.Count >= options.Limits.MaxActiveJobsPerUser) return (Refusal.TooManyJobs, active.Count);
        if (jobClass == JobClass.Heavy && !paid)
        {
            var waiting = active.Count(j => j is { Class: JobClass.Heavy, State: JobState.Queued, Paid: false });
            if (!policy.MayQueueHeavy(waiting, paid)) return (Refusal.TooManyHeavy, waiting);
        }
        return (null, 0);
    }
}
