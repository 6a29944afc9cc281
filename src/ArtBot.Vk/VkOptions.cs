using System.ComponentModel.DataAnnotations;

namespace ArtBot.Vk;

/// <summary>
/// Configuration section <c>Vk</c>. The community token comes from the environment
/// (<c>ARTBOT_Vk__Token</c>) and is never logged.
/// </summary>
public sealed record VkOptions : IValidatableObject
{
    public const string Section = "Vk";

    public string? Token { get; init; }

    /// <summary>The community's id (positive), as in club123456.</summary>
    public long GroupId { get; init; }

    /// <summary>API base: api.vk.com, a proxy, or the tests' fake.</summary>
    [Required]
    public string BaseUrl { get; init; } = "https://api.vk.com";

    public string Version { get; init; } = "5.199";

    [Range(1, 20)]
    public int MaxRetries { get; init; } = 5;

    [Range(1, 90)]
    public int LongPollWaitSeconds { get; init; } = 25;

    /// <summary>
    /// Hosts photos may be downloaded from (a host matches itself and its subdomains): VK's own
    /// CDN only, so a message cannot make the bot fetch an arbitrary URL.
    /// </summary>
    public string[] DownloadHosts { get; init; } = ["userapi.com", "vk.com", "vk.me", "vkuserphoto.ru", "vk-cdn.net", "vkuseraudio.net", "vkuservideo.net"];

    [Range(1, 2_000_000_000)]
    public long MaxDownloadBytes { get; init; } = 20 * 1024 * 1024;

    /// <summary>How long photo messages of one conversation wait for the next: an album sent as several messages is handled as one.</summary>
    public TimeSpan AlbumWindow { get; init; } = TimeSpan.FromSeconds(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(Token);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && GroupId <= 0)
            yield return new ValidationResult("Vk:GroupId must be the community's id when Vk:Token is set", [nameof(GroupId)]);
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out _))
            yield return new ValidationResult("Vk:BaseUrl must be an absolute URL", [nameof(BaseUrl)]);
    }
}
