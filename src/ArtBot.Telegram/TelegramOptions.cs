using System.ComponentModel.DataAnnotations;

namespace ArtBot.Telegram;

/// <summary>Configuration section <c>Telegram</c>. The token comes from the environment (<c>ARTBOT_Telegram__Token</c>) and is never logged.</summary>
public sealed record TelegramOptions : IValidatableObject
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

    /// <summary>
    /// The public HTTPS address Telegram posts updates to (through a TLS proxy in front of
    /// <see cref="WebhookHost"/>:<see cref="WebhookPort"/>, at this URL's path). Set: webhooks
    /// instead of polling. Removed again: the webhook this bot set is deleted and polling resumes.
    /// </summary>
    public string? WebhookUrl { get; init; }

    /// <summary>Telegram sends it in X-Telegram-Bot-Api-Secret-Token; a request without it is refused. From the environment.</summary>
    public string? WebhookSecret { get; init; }

    /// <summary>Where the webhook endpoint listens (the proxy's upstream).</summary>
    [Required]
    public string WebhookHost { get; init; } = "127.0.0.1";

    [Range(0, 65535)]
    public int WebhookPort { get; init; } = 8443;

    public bool Enabled => !string.IsNullOrWhiteSpace(Token);

    public bool UsesWebhook => !string.IsNullOrWhiteSpace(WebhookUrl);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!UsesWebhook) yield break;
        if (!Uri.TryCreate(WebhookUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
            yield return new ValidationResult("must be an absolute https URL (Telegram posts only to HTTPS)", [nameof(WebhookUrl)]);
        if (WebhookSecret is not { Length: >= 16 and <= 256 } secret || !secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            yield return new ValidationResult("must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - when Telegram:WebhookUrl is set", [nameof(WebhookSecret)]);
    }
}
