using System.ComponentModel.DataAnnotations;
using ArtBot.Domain.Art;
using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Bot;

public enum StyleStrength { Low, Medium, High }

/// <summary>Where a user's conversation stands.</summary>
public enum ConversationMode { Idle, HasContent, AwaitingDreamPhoto, AwaitingSecondPainting }

/// <summary>A user of one platform: settings and conversation state.</summary>
public sealed class UserProfile
{
    public string Id { get; set; } = "";
    public string Platform { get; set; } = "";
    public long UserId { get; set; }
    public Language Language { get; set; }
    public bool LanguageChosen { get; set; }
    public int? OutputSize { get; set; }
    public bool KeepColors { get; set; }
    public StyleStrength Strength { get; set; } = StyleStrength.Medium;

    /// <summary>Show Gatys and dream pictures as they form (about every 20 %), or only the result.</summary>
    public bool LivePreview { get; set; } = true;
    public ConversationMode Mode { get; set; }
    public string? ContentImage { get; set; }

    /// <summary>The first painting, while the user is asked for a second one to blend with it.</summary>
    public string? StyleImage { get; set; }

    /// <summary>
    /// A banned user's messages are ignored, after one notice. Read from the ban list when the
    /// profile is loaded and never written back with it: only <see cref="IUserStore.SetBannedAsync"/>
    /// changes it, so a message in flight cannot overwrite an admin's ban.
    /// </summary>
    public bool Banned { get; set; }
    public bool BanNoticeSent { get; set; }

    /// <summary>The network the user last wrote from, on a platform whose users cost nothing to make (the web chat).</summary>
    public string? Network { get; set; }

    /// <summary>Deleted on the user's request while this message was handled: not to be saved back.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Forgotten { get; set; }

    public static string KeyOf(string platform, long userId) => $"{platform}:{userId}";

    /// <summary>
    /// Where a network's ban is kept: the ban list is by platform and number, so a network's is under
    /// "<paramref name="platform"/>-net" and the first 63 bits of its SHA-256.
    /// </summary>
    public static (string Platform, long Id) NetworkBan(string platform, string network) =>
        ($"{platform}-net", (long)(BitConverter.ToUInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(network)), 0) >> 1));
}

public interface IUserStore
{
    Task<int> CountAsync(CancellationToken cancellationToken = default);

    Task<UserProfile?> FindAsync(string platform, long userId, CancellationToken cancellationToken = default);

    /// <summary>Saves settings and conversation state; the ban flag is not part of it.</summary>
    Task SaveAsync(UserProfile user, CancellationToken cancellationToken = default);

    /// <summary>Bans or unbans a user (who may never have written), and clears the notice flag.</summary>
    Task SetBannedAsync(string platform, long userId, bool banned, CancellationToken cancellationToken = default);

    Task<bool> IsBannedAsync(string platform, long userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the profile (settings, conversation state); a ban stays: it is the operator's record, not the user's data.</summary>
    Task DeleteAsync(string platform, long userId, CancellationToken cancellationToken = default);
}

/// <summary>Size and iteration limits of one tier; for animated presets, the long side and the seconds of the clip painted.</summary>
public sealed record TierLimits(
    [property: Range(16, 8192)] int MaxSide,
    [property: Range(1, 100_000)] int MaxIterations,
    bool SendFile = false,
    [property: Range(16, 4096)] int AnimationSide = 360,
    [property: Range(0.5, 60)] double AnimationSeconds = 3);

/// <summary>What a process does: receives from the platforms, renders, or both (split roles share a PostgreSQL store).</summary>
public enum BotRole { All, Receiver, Worker }

/// <summary>Configuration section <c>Bot</c>.</summary>
public sealed record BotOptions : IValidatableObject
{
    public const string Section = "Bot";

    /// <summary><c>all</c> receives and renders in one process; a <c>receiver</c> never renders; a <c>worker</c> never polls.</summary>
    public BotRole Role { get; init; } = BotRole.All;

    public TierLimits Free { get; init; } = new(600, 200);
    public TierLimits Premium { get; init; } = new(1000, 500, AnimationSide: 540, AnimationSeconds: 6);
    public TierLimits Hd { get; init; } = new(1600, 1000, SendFile: true, AnimationSide: 720, AnimationSeconds: 10);

    /// <summary>Default Gatys iterations and dream steps before tier caps.</summary>
    [Range(1, 100_000)]
    public int StylizeIterations { get; init; } = 200;

    [Range(1, 1000)]
    public int DreamSteps { get; init; } = 10;

    /// <summary>Frames a second of an animated preset (its size and length are the tier's).</summary>
    [Range(1, 60)]
    public int AnimationFps { get; init; } = 12;

    /// <summary>Side of each tile of the preset preview.</summary>
    [Range(16, 1024)]
    public int GalleryTile { get; init; } = 160;

    [Range(1, 20)]
    public int MaxAttempts { get; init; } = 3;

    /// <summary>A try that failed in a way that may pass waits this long before the next, doubling each time (with jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a claimed job is a worker's without word from it; the worker renews it every third of this while it works.</summary>
    [Range(typeof(TimeSpan), "00:00:03", "01:00:00")]
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the sweeper looks for dead workers' jobs, open reservations and undelivered results.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Progress edits at most this often per job.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Admins as "platform:user id" (telegram:123456, vk:789).</summary>
    public string[]? Admins { get; init; }

    /// <summary>Platforms whose user ids a stranger can choose (the web chat's): never admins, whatever the list says.</summary>
    public static readonly string[] AnonymousPlatforms = ["web"];

    public bool IsAdmin(string platform, long userId) =>
        !AnonymousPlatforms.Contains(platform, StringComparer.OrdinalIgnoreCase)
        && Admins?.Contains($"{platform}:{userId}", StringComparer.OrdinalIgnoreCase) == true;

    /// <summary>What one user, and everyone together, may ask for.</summary>
    public RequestLimits Limits { get; init; } = new();

    /// <summary>Result sends that fail are retried with growing pauses, this many times, then the job ends without a picture (credits returned).</summary>
    [Range(1, 50)]
    public int MaxDeliveryAttempts { get; init; } = 8;

    public TierLimits LimitsOf(Tier tier) => tier switch { Tier.Premium => Premium, Tier.Hd => Hd, _ => Free };

    /// <summary>The rules across fields: tiers grow from free to HD, a sweep comes within a lease, admins name a platform and an id.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!(Free.MaxSide <= Premium.MaxSide && Premium.MaxSide <= Hd.MaxSide))
            yield return new ValidationResult($"the tiers' long sides must grow from Free to Premium to Hd, not {Free.MaxSide}, {Premium.MaxSide}, {Hd.MaxSide}", [$"{nameof(Premium)}:{nameof(TierLimits.MaxSide)}"]);
        if (!(Free.MaxIterations <= Premium.MaxIterations && Premium.MaxIterations <= Hd.MaxIterations))
            yield return new ValidationResult($"the tiers' iterations must grow from Free to Premium to Hd, not {Free.MaxIterations}, {Premium.MaxIterations}, {Hd.MaxIterations}", [$"{nameof(Premium)}:{nameof(TierLimits.MaxIterations)}"]);
        if (SweepInterval > Lease)
            yield return new ValidationResult($"a sweep must come within a lease: {SweepInterval} is longer than Bot:Lease {Lease}", [nameof(SweepInterval)]);
        foreach (var admin in Admins ?? [])
            if (admin.Split(':') is not [var platform, var id] || platform.Length == 0 || !long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                yield return new ValidationResult($"an admin is platform:user id (telegram:123), not '{admin}'", [nameof(Admins)]);
    }
}

/// <summary>Configuration section <c>Bot:Limits</c>.</summary>
public sealed record RequestLimits
{
    /// <summary>Queued and running jobs one user may have (previews included).</summary>
    [Range(1, 1000)]
    public int MaxActiveJobsPerUser { get; init; } = 6;

    /// <summary>Photo messages one user may send a minute.</summary>
    [Range(1, 10_000)]
    public int UploadsPerMinute { get; init; } = 12;

    /// <summary>Queued free jobs of everyone together; past it new free work is refused until the queue drains.</summary>
    [Range(1, 10_000_000)]
    public int MaxQueueDepth { get; init; } = 20_000;

    /// <summary>Queued paid jobs of everyone together: a ceiling of their own, so free work never shuts a paying user out.</summary>
    [Range(1, 10_000_000)]
    public int MaxPaidQueueDepth { get; init; } = 2_000;

    /// <summary>Photo messages one network may send a minute, whatever users it makes (the web chat).</summary>
    [Range(1, 100_000)]
    public int UploadsPerMinutePerNetwork { get; init; } = 30;

    /// <summary>Queued and running free jobs of all the users of one network (the web chat).</summary>
    [Range(1, 100_000)]
    public int MaxActiveJobsPerNetwork { get; init; } = 12;

    /// <summary>Bytes of uploads one user (on the web: one network) may have stored in a day; photos are kept at the size jobs use, so this is dozens of them.</summary>
    [Range(1_000_000, 100_000_000_000)]
    public long StoredBytesPerDay { get; init; } = 64L * 1024 * 1024;
}

/// <summary>
/// Nudges from the conversation to the workers, wherever they run: a job was queued (wake the
/// dispatcher now rather than at its next tick), a running job's user asked to stop it (reach its
/// worker now rather than at its next lease renewal). A nudge only: the store is the truth.
/// </summary>
public interface IJobSignal
{
    void JobQueued();

    void CancelRequested(long jobId);
}

/// <summary>
/// The signals other processes sharing the store sent (PostgreSQL's LISTEN): each is passed to
/// <paramref name="handler"/> of this process until the token ends. A store of one process has none.
/// </summary>
public interface IJobSignalSource
{
    Task ListenAsync(IJobSignal handler, CancellationToken cancellationToken);
}
