using ArtBot.Domain.Art;
using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Bot;

public enum StyleStrength { Low, Medium, High }

/// <summary>Where a user's conversation stands.</summary>
public enum ConversationMode { Idle, HasContent, AwaitingDreamPhoto }

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
    public ConversationMode Mode { get; set; }
    public string? ContentImage { get; set; }

    /// <summary>A Gatys or dream request waiting for the user to pick its tier.</summary>
    public PendingRequest? Pending { get; set; }

    /// <summary>A banned user's messages are ignored, after one notice.</summary>
    public bool Banned { get; set; }
    public bool BanNoticeSent { get; set; }

    public static string KeyOf(string platform, long userId) => $"{platform}:{userId}";
}

/// <summary>What a job will be once its tier is picked.</summary>
public sealed class PendingRequest
{
    public JobKind Kind { get; set; }
    public string Content { get; set; } = "";
    public string? Style { get; set; }
    public double? Strength { get; set; }
    public int? Steps { get; set; }
}

public interface IUserStore
{
    Task<int> CountAsync(CancellationToken cancellationToken = default);

    Task<UserProfile?> FindAsync(string platform, long userId, CancellationToken cancellationToken = default);

    Task SaveAsync(UserProfile user, CancellationToken cancellationToken = default);
}

/// <summary>Size and iteration limits of one tier.</summary>
public sealed record TierLimits(int MaxSide, int MaxIterations, bool SendFile = false);

/// <summary>Configuration section <c>Bot</c>.</summary>
public sealed record BotOptions
{
    public TierLimits Free { get; init; } = new(600, 200);
    public TierLimits Premium { get; init; } = new(1000, 500);
    public TierLimits Hd { get; init; } = new(1600, 1000, SendFile: true);

    /// <summary>Default Gatys iterations and dream steps before tier caps.</summary>
    public int StylizeIterations { get; init; } = 200;
    public int DreamSteps { get; init; } = 10;

    /// <summary>Side of each tile of the preset preview.</summary>
    public int GalleryTile { get; init; } = 160;

    public int MaxAttempts { get; init; } = 3;
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Progress edits at most this often per job.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Admins as "platform:user id" (telegram:123456, vk:789).</summary>
    public string[]? Admins { get; init; }

    public bool IsAdmin(string platform, long userId) => Admins?.Contains($"{platform}:{userId}", StringComparer.OrdinalIgnoreCase) == true;

    public TierLimits LimitsOf(Tier tier) => tier switch { Tier.Premium => Premium, Tier.Hd => Hd, _ => Free };
}

/// <summary>Wakes the dispatcher when a job is queued, so it need not wait for its next tick.</summary>
public interface IJobSignal
{
    void JobQueued();
}
