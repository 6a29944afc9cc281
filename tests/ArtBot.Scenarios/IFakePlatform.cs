namespace ArtBot.Scenarios;

public enum SentKind { Text, Photo, File, Edit, ButtonAnswer, Invoice, PreCheckoutAnswer, Animation, InlineAnswer }

/// <summary>
/// One thing the bot did on a fake platform, in the platform's neutral terms: a message, a photo,
/// a file, an edit or a button answer. <see cref="Buttons"/> holds the domain data of the inline
/// buttons shown (the first page, where a platform pages them).
/// </summary>
public sealed record Sent(SentKind Kind, long ChatId, string? Text, IReadOnlyList<string> Buttons, byte[]? File, long MessageId, IReadOnlyList<string>? Labels = null)
{
    /// <summary>When the fake received it.</summary>
    public DateTime At { get; init; } = DateTime.UtcNow;

    public bool Says(string start) => Text?.StartsWith(start, StringComparison.Ordinal) == true;

    /// <summary>A live preview (one photo message edited as a Gatys picture or a dream forms), not a result.</summary>
    public bool IsLivePreview => Text is { } t && (t.StartsWith("As it form", StringComparison.Ordinal) || t.StartsWith("Как рисуется", StringComparison.Ordinal)
                                                   || t.StartsWith("Так рисовалось", StringComparison.Ordinal));

    /// <summary>A picture sent as a result (or a preview sheet), not a live preview.</summary>
    public bool IsPicture => Kind == SentKind.Photo && !IsLivePreview;

    /// <summary>The labels of the buttons, in the order of <see cref="Buttons"/>.</summary>
    public IReadOnlyList<string> ButtonLabels => Labels ?? [];

    /// <summary>The data of the button whose label holds <paramref name="label"/>, if it is on this message.</summary>
    public string? DataOf(string label) =>
        ButtonLabels.Select((l, i) => (l, i)).Where(x => x.l.Contains(label, StringComparison.Ordinal)).Select(x => Buttons[x.i]).FirstOrDefault();
}

public static class FakePlatformExtensions
{
    /// <summary>The user presses the button labelled (in part) <paramref name="label"/> on the newest message that shows one, as a person would.</summary>
    public static void Press(this IFakePlatform chat, long user, string label, string language = "en")
    {
        var data = chat.Sent.Reverse().Where(s => s.ChatId == user).Select(s => s.DataOf(label)).FirstOrDefault(d => d != null)
                   ?? throw new InvalidOperationException($"no button '{label}' was shown to {user}");
        chat.PushButton(user, data, language);
    }
}

/// <summary>
/// A fake chat platform API on 127.0.0.1 that the real host talks to. Users are numbers; each
/// writes in a private chat whose id is the user's.
/// </summary>
public interface IFakePlatform : IAsyncDisposable
{
    string Platform { get; }

    /// <summary>The bot's credential: must never reach a log.</summary>
    IReadOnlyList<string> Secrets { get; }

    Task StartAsync();

    /// <summary>Configuration that points the host at this fake.</summary>
    IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>The setting that caps a download, in bytes.</summary>
    string MaxDownloadSetting { get; }

    /// <summary>How many times the bot has asked for updates: once it has, pushed updates reach it.</summary>
    int Polls { get; }

    void PushText(long user, string text, string language = "en");

    void PushPhoto(long user, byte[] photo, string? caption = null, string language = "en");

    /// <summary>An animation as the platform carries one: Telegram's animation, a VK gif document, a web upload.</summary>
    void PushAnimation(long user, byte[] video, string mimeType = "image/gif");

    /// <summary>Photos sent together: content, then the style (and a second painting to blend).</summary>
    void PushAlbum(long user, byte[] content, byte[] style, byte[]? secondStyle = null);

    void PushFile(long user, byte[] content, string mimeType, string name);

    /// <summary>Something the platform carries that is not a photo (a sticker, a voice note).</summary>
    /// <returns>What the bot should answer.</returns>
    string PushUnsupported(long user);

    void PushButton(long user, string data, string language = "en");

    IReadOnlyList<Sent> Sent { get; }

    /// <summary>Waits, up to <paramref name="timeout"/>, until what was sent satisfies <paramref name="condition"/>.</summary>
    Task<IReadOnlyList<Sent>> WaitForAsync(Func<IReadOnlyList<Sent>, bool> condition, TimeSpan timeout, string what);
}

/// <summary>A messenger's HTTP API, which can refuse or fail a send.</summary>
public interface IFakeMessengerApi : IFakePlatform
{
    /// <summary>The next <paramref name="count"/> sends are refused as too frequent (Telegram 429, VK error 6).</summary>
    void RateLimitSends(int count);

    int RateLimitsServed { get; }

    /// <summary>The next <paramref name="count"/> sends answer 502 Bad Gateway.</summary>
    void FailSends(int count);

    int ServerErrorsServed { get; }
}
