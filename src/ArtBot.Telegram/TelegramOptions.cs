using System.ComponentModel.DataAnnotations;

namespace ArtBot.Telegram;

/// <summary>Configuration section <c>Telegram</c>. The token comes from the environment (<c>ARTBOT_Telegram__Token</c>) and is never logged.</summary>
public sealed record TelegramOptions
{
    public const string Section = "Telegram";

    public string? Token { get; init; }

    /// <summary>Bot API base URL: a local Bot API server, or the tests' fake. Null: api.telegram.org.</summary>
    public string? BaseUrl { get; init; }

    [Range(0, 50)]
    public int PollTimeoutSeconds { get; init; } = 25;

    /// <summary>The Bot API refuses to hand bots files over 20 MB.</summary>
    [Range(1, 2_000_000_000)]
    public long MaxDownloadBytes { get; init; } = 20 * 1024 * 1024;

    /// <summary>Photos above this are sent as documents (Telegram's photo limit is 10 MB).</summary>
    public long MaxPhotoBytes { get; init; } = 10 * 1024 * 1024;

    [Range(1, 20)]
    public int MaxRetries { get; init; } = 5;

    /// <summary>How long an album's photos wait for the next one: Telegram sends each as its own update, not always in one poll.</summary>
    public TimeSpan AlbumWindow { get; init; } = TimeSpan.FromSeconds(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(Token);
}
