using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Bot;

/// <summary>Why the bot will not take a request now.</summary>
public enum Refusal { TooManyUploads, TooManyJobs, TooManyHeavy, QueueFull }

/// <summary>
/// Every limit on what users may ask for, in one place and the same on every platform: photos a
/// minute, active jobs, free heavy jobs (the queue policy's number), the depth of the queue (free
/// and paid work apart, so a flood of free work never shuts a paying user out), and promo codes.
/// A platform whose users cost nothing to make (the web chat) also names each request's network
/// (<see cref="ChatUser.Network"/>): its limits then hold for the network as well as for the user,
/// so minting users does not multiply them.
/// </summary>
public sealed class RequestGate(IJobQueue queue, QueuePolicy policy, BotOptions options, TimeProvider time)
{
    private const int MaxTracked = 50_000;
    private readonly Dictionary<string, Queue<DateTimeOffset>> uploads = [];
    private readonly Dictionary<string, HashSet<long>> usersOfNetwork = [];
    private readonly HashSet<(string Network, string Code)> promos = [];
    private readonly Lock gate = new();

    /// <summary>Counts one photo message; false when the user (or their network) is over its limit a minute.</summary>
    public bool AdmitUpload(ChatUser from)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            // Bounded: a flood of new ids cannot grow this without end.
            if (uploads.Count >= MaxTracked)
                foreach (var stale in uploads.Where(u => u.Value.Count == 0 || now - u.Value.Last() > TimeSpan.FromMinutes(1)).Select(u => u.Key).ToList())
                    uploads.Remove(stale);
            var user = Window(UserProfile.KeyOf(from.Platform, from.UserId), now);
            var network = from.Network is { } n ? Window($"network:{n}", now) : null;
            if (user.Count >= options.Limits.UploadsPerMinute || network?.Count >= options.Limits.UploadsPerMinutePerNetwork) return false;
            user.Enqueue(now);
            network?.Enqueue(now);
            Remember(from);
            return true;
        }
    }

    private Queue<DateTimeOffset> Window(string key, DateTimeOffset now)
    {
        if (!uploads.TryGetValue(key, out var times)) uploads[key] = times = new Queue<DateTimeOffset>();
        while (times.Count > 0 && now - times.Peek() >= TimeSpan.FromMinutes(1)) times.Dequeue();
        return times;
    }

    /// <summary>Whether this user may queue one more job of this class now.</summary>
    public async Task<(Refusal? Refusal, int Count)> AdmitJobAsync(ChatUser from, JobClass jobClass, bool paid, CancellationToken ct)
    {
        // Free and paid work have ceilings of their own: free work filling the queue never refuses a paid press.
        var depth = await queue.DepthAsync(ct);
        var waiting = depth.ByRank.Where(r => QueuePolicy.IsPaidRank(r.Key) == paid).Sum(r => r.Value);
        if (waiting >= (paid ? options.Limits.MaxPaidQueueDepth : options.Limits.MaxQueueDepth)) return (Refusal.QueueFull, 0);
        var active = await queue.ActiveJobsAsync(from.Platform, from.UserId, ct);
        if (active.Count >= options.Limits.MaxActiveJobsPerUser) return (Refusal.TooManyJobs, active.Count);
        if (from.Network != null && !paid)
        {
            var ofNetwork = await queue.ActiveCountAsync(from.Platform, UsersOf(from), ct);
            if (ofNetwork >= options.Limits.MaxActiveJobsPerNetwork) return (Refusal.TooManyJobs, ofNetwork);
        }
        if (jobClass == JobClass.Heavy && !paid)
        {
            var heavy = active.Count(j => j is { Class: JobClass.Heavy, State: JobState.Queued or JobState.Booked, Paid: false });
            if (!policy.MayQueueHeavy(heavy, paid)) return (Refusal.TooManyHeavy, heavy);
        }
        return (null, 0);
    }

    /// <summary>
    /// A promo code is redeemed once per network on a platform whose users cost nothing to make:
    /// twenty fresh browsers on one connection are one person. True when this network has redeemed it.
    /// </summary>
    public bool PromoRedeemedFrom(ChatUser from, string code)
    {
        if (from.Network == null) return false;
        lock (gate) return promos.Contains((from.Network, Normal(code)));
    }

    /// <summary>Notes a redemption on the request's network (<see cref="PromoRedeemedFrom"/>).</summary>
    public void PromoRedeemed(ChatUser from, string code)
    {
        if (from.Network == null) return;
        lock (gate)
        {
            if (promos.Count >= MaxTracked) promos.Clear();
            promos.Add((from.Network, Normal(code)));
        }
    }

    private static string Normal(string code) => code.Trim().ToUpperInvariant();

    /// <summary>The users seen on the request's network (bounded), this one among them.</summary>
    private IReadOnlyList<long> UsersOf(ChatUser from)
    {
        lock (gate)
        {
            Remember(from);
            return usersOfNetwork.TryGetValue(from.Network!, out var users) ? users.ToList() : [from.UserId];
        }
    }

    private void Remember(ChatUser from)
    {
        if (from.Network is not { } network) return;
        if (usersOfNetwork.Count >= MaxTracked) usersOfNetwork.Clear();
        if (!usersOfNetwork.TryGetValue(network, out var users)) usersOfNetwork[network] = users = [];
        if (users.Count < 1000) users.Add(from.UserId);
    }
}
