using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace ArtBot.Web;

/// <summary>Configuration section <c>Web</c>: the local web chat.</summary>
public sealed record WebOptions : IValidatableObject
{
    public const string Section = "Web";

    /// <summary>Null: on only when no other platform is configured; true: also beside Telegram/VK; false: never.</summary>
    public bool? Enabled { get; init; }

    /// <summary>Serve the chat on the web host; false: the host serves the gallery alone (beside Telegram or VK), and needs no access key.</summary>
    public bool Chat { get; init; } = true;

    /// <summary>Where Kestrel listens. Loopback by default; anything else needs <see cref="AccessKey"/>.</summary>
    [Required]
    public string Host { get; init; } = "127.0.0.1";

    [Range(0, 65535)]
    public int Port { get; init; } = 8080;

    /// <summary>Required when <see cref="Host"/> is not loopback: open the page once as /?key=… (from the environment, never logged).</summary>
    public string? AccessKey { get; init; }

    /// <summary>Largest upload per file, as on the messengers.</summary>
    [Range(1, 200_000_000)]
    public long MaxUploadBytes { get; init; } = 20 * 1024 * 1024;

    [Range(1, 10)]
    public int MaxFilesPerMessage { get; init; } = 10;

    /// <summary>Messages and button presses one browser may send a minute.</summary>
    [Range(1, 10_000)]
    public int MessagesPerMinute { get; init; } = 30;

    /// <summary>Messages kept per chat (the page shows them after a reload).</summary>
    [Range(10, 10_000)]
    public int HistoryPerChat { get; init; } = 200;

    /// <summary>Pictures kept per chat; older ones are dropped from memory (their messages stay).</summary>
    [Range(1, 1000)]
    public int ImagesPerChat { get; init; } = 20;

    /// <summary>Chats kept in memory; the least recently active is forgotten first.</summary>
    [Range(1, 1_000_000)]
    public int MaxChats { get; init; } = 2000;

    /// <summary>
    /// Signs the user cookie (base64, at least 32 bytes; from the environment). Unset: a key made
    /// once and kept in the database, so cookies survive restarts.
    /// </summary>
    public string? CookieKey { get; init; }

    /// <summary>
    /// Host names the page may be reached by besides <see cref="Host"/> and the loopback names (a
    /// public name behind a proxy). Any other Host or Origin header is refused: a page on another
    /// site that rebinds its DNS name to this address gets 403.
    /// </summary>
    public string[]? AllowedHosts { get; init; }

    /// <summary>New users (browsers) one network may make an hour: a web identity is made only by loading the page, and costs this.</summary>
    [Range(1, 100_000)]
    public int NewUsersPerHourPerNetwork { get; init; } = 10;

    /// <summary>New users one network may make in all (since the process started).</summary>
    [Range(1, 1_000_000)]
    public int NewUsersPerNetwork { get; init; } = 100;

    /// <summary>Messages and button presses one network may send a minute, whatever users it has.</summary>
    [Range(1, 100_000)]
    public int MessagesPerMinutePerNetwork { get; init; } = 90;

    /// <summary>Uploads read at once; more get 503 with Retry-After, so a flood of big uploads cannot fill the memory.</summary>
    [Range(1, 64)]
    public int ConcurrentUploads { get; init; } = 4;

    /// <summary>
    /// Reverse proxies (addresses, or networks as 10.0.0.0/8) whose X-Forwarded-For, -Proto and -Host
    /// are believed: the client's address is then the one they name. None by default: the address is the
    /// connection's, and no header anyone can send changes it.
    /// </summary>
    public string[]? KnownProxies { get; init; }

    public bool IsLoopback => Host is "localhost" || IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip);

    public string Url => $"http://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}/";

    /// <summary>On when <see cref="Enabled"/> says so, or when it is unset and no other platform is configured.</summary>
    public static bool IsEnabled(IConfiguration configuration, bool otherPlatforms) =>
        configuration.GetSection(Section).GetValue<bool?>(nameof(Enabled)) ?? !otherPlatforms;

    /// <summary>The web host runs and serves the chat (not the gallery alone).</summary>
    public static bool ChatEnabled(IConfiguration configuration, bool otherPlatforms) =>
        IsEnabled(configuration, otherPlatforms) && configuration.GetSection(Section).GetValue<bool?>(nameof(Chat)) != false;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Chat && !IsLoopback && string.IsNullOrWhiteSpace(AccessKey))
            yield return new ValidationResult($"Web:Host is {Host}, not loopback: set Web:AccessKey (ARTBOT_Web__AccessKey) so strangers cannot use the bot", [nameof(AccessKey)]);
        foreach (var proxy in KnownProxies ?? [])
            if (!IPAddress.TryParse(proxy, out _) && !System.Net.IPNetwork.TryParse(proxy, out _))
                yield return new ValidationResult($"Web:KnownProxies: '{proxy}' is neither an address nor a network (10.0.0.0/8)", [nameof(KnownProxies)]);
        if (CookieKey != null && (!TryKey(CookieKey, out var key) || key.Length < 32))
            yield return new ValidationResult("Web:CookieKey must be base64 of at least 32 bytes", [nameof(CookieKey)]);
    }

    internal static bool TryKey(string text, out byte[] key)
    {
        key = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, key, out var length)) return false;
        key = key[..length];
        return true;
    }
}
