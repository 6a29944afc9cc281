namespace ArtBot.Domain.Bot;

/// <summary>Who wrote, where to answer, and the language their client reports.</summary>
/// <param name="Network">
/// Where the request came from, on a platform whose users cost nothing to make (the web chat: the
/// client's address, an IPv6 one by its /64): limits and bans hold for it as for the user. Null on
/// the messengers, whose users are theirs to vouch for.
/// </param>
public sealed record ChatUser(string Platform, long UserId, long ChatId, string? LanguageCode, string? Network = null);

/// <summary>What an adapter turns a platform update into.</summary>
public abstract record Incoming(ChatUser From);

public sealed record CommandMessage(ChatUser From, string Command, string Argument = "") : Incoming(From);

/// <summary>One photo, or an album (first = content, then one painting, or two to blend).</summary>
public sealed record PhotoMessage(ChatUser From, IReadOnlyList<byte[]> Photos, string? Caption = null) : Incoming(From)
{
    /// <summary>At most this many photos of one message are used (and fetched): the content, then one or two paintings.</summary>
    public const int PhotosUsed = 3;
}

/// <summary>An animation or a short video (a GIF, Telegram's animations and videos, a VK gif document, a web upload).</summary>
public sealed record AnimationMessage(ChatUser From, byte[] Video, string? Caption = null) : Incoming(From);

public sealed record ButtonPressed(ChatUser From, string CallbackId, string Data) : Incoming(From);

/// <summary>The user typed the bot's name in some chat (Telegram inline mode): their pictures are offered to send there.</summary>
public sealed record InlineQueryReceived(ChatUser From, string QueryId, string Query) : Incoming(From);

public sealed record TextMessage(ChatUser From, string Text) : Incoming(From);

/// <summary>What a user can send that the bot cannot paint.</summary>
public enum Unsupported { Message, Sticker, Audio, Video, File }

/// <summary>A sticker, voice note, non-image document…; the domain names it in the user's language.</summary>
public sealed record UnsupportedMessage(ChatUser From, Unsupported What) : Incoming(From);

/// <summary>Telegram asks whether a payment may go ahead (answer within 10 seconds).</summary>
public sealed record PreCheckout(ChatUser From, string QueryId, string Payload, string Currency, long TotalAmount) : Incoming(From);

/// <summary>A payment went through; <paramref name="ChargeId"/> names it for good.</summary>
public sealed record PaymentReceived(ChatUser From, string Payload, string Currency, long TotalAmount, string ChargeId) : Incoming(From);

/// <summary>Why an adapter could not fetch an upload; the domain words it in the user's language.</summary>
public enum UploadProblem { TooLarge, NotFromPlatform, Unavailable }

/// <param name="LimitBytes">The size limit, for <see cref="UploadProblem.TooLarge"/>.</param>
public sealed record UploadRefusal(UploadProblem Problem, long LimitBytes = 0);

/// <summary>
/// A button: an offer's press (<see cref="Data"/>), or where a platform has them, a link
/// (<see cref="Url"/>) or "send to a chat" with an inline query (<see cref="SwitchInline"/>). A
/// platform without a kind of button leaves it out.
/// </summary>
public sealed record Button(string Text, string Data, string? Url = null, string? SwitchInline = null)
{
    public static Button Link(string text, string url) => new(text, "", Url: url);

    public static Button SendToChat(string text, string query) => new(text, "", SwitchInline: query);

    public bool IsPress => Url == null && SwitchInline == null;

    /// <summary>
    /// A link only this machine can open (a gallery on loopback): a messenger refuses the whole
    /// message for it, so messengers leave it out; the web chat, on this machine, shows it.
    /// </summary>
    public bool LinksHereOnly => Url != null && (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.IsLoopback);
}

public sealed record Keyboard(IReadOnlyList<IReadOnlyList<Button>> Rows)
{
    public static Keyboard Of(params IReadOnlyList<Button>[] rows) => new(rows);

    /// <summary>This keyboard with more rows under it.</summary>
    public Keyboard With(params IReadOnlyList<Button>[] rows) => new([.. Rows, .. rows.Where(r => r.Count > 0)]);
}

/// <summary>A message as sent: its id, and for a picture the platform's id of the file (Telegram's file_id), to send it again without uploading.</summary>
public sealed record SentMessage(long MessageId, string? FileId = null);

/// <summary>One picture offered in an inline answer: sent by its platform file id.</summary>
public sealed record InlinePicture(string Id, string FileId, bool IsAnimation, string Caption);

/// <summary>
/// One chat platform's way of answering. Message ids are the platform's.
/// A <c>dedupeKey</c> names a send for good (job 17's result): a platform that can refuse a
/// repeated send (VK's <c>random_id</c>) uses it, so a retry after a crash never duplicates.
/// </summary>
public interface IMessenger
{
    string Platform { get; }

    Task<long> SendTextAsync(long chatId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null);

    /// <param name="asFile">Send as a document (full quality) instead of a compressed photo.</param>
    /// <summary>An animation (H.264 MP4), played in the chat as a GIF is.</summary>
    Task<SentMessage> SendAnimationAsync(long chatId, byte[] video, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null);

    Task<SentMessage> SendImageAsync(long chatId, byte[] image, string caption, Keyboard? keyboard = null, bool asFile = false, CancellationToken cancellationToken = default, string? dedupeKey = null);

    /// <summary>
    /// Replaces a photo message's picture (when <paramref name="image"/> is given) and caption; its
    /// buttons become <paramref name="keyboard"/> (none when null): a live preview edited in place.
    /// </summary>
    Task EditImageAsync(long chatId, long messageId, byte[]? image, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default);

    /// <summary>Replaces a message's text; its buttons become <paramref name="keyboard"/> (none when null), as Telegram does.</summary>
    Task EditTextAsync(long chatId, long messageId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default);

    Task AnswerButtonAsync(string callbackId, string? text = null, CancellationToken cancellationToken = default);

    /// <summary>A file to keep (a zip of the user's pictures), under <paramref name="fileName"/>.</summary>
    Task<long> SendFileAsync(long chatId, byte[] file, string fileName, string caption, CancellationToken cancellationToken = default);
}

/// <summary>A platform with inline mode (Telegram): the bot answers a query typed in any chat with pictures to send there.</summary>
public interface IInlineMessenger : IMessenger
{
    /// <summary>
    /// Answers for this user only (personal), cached <paramref name="cacheSeconds"/>; each result
    /// carries a "<paramref name="makeYourOwn"/>" link that opens the bot.
    /// </summary>
    Task AnswerInlineQueryAsync(string queryId, IReadOnlyList<InlinePicture> results, string makeYourOwn, int cacheSeconds, CancellationToken cancellationToken = default);
}

/// <summary>A platform that takes payments (Telegram Stars).</summary>
public interface IPaymentMessenger : IMessenger
{
    /// <summary>An invoice in Telegram Stars (currency XTR) for <paramref name="stars"/>.</summary>
    Task SendInvoiceAsync(long chatId, string title, string description, string payload, int stars, CancellationToken cancellationToken = default);

    /// <param name="error">Null lets the payment go ahead; otherwise it is refused with this text.</param>
    Task AnswerPreCheckoutAsync(string queryId, string? error, CancellationToken cancellationToken = default);

    Task RefundAsync(long userId, string chargeId, CancellationToken cancellationToken = default);
}

/// <summary>The messenger of each platform the bot serves.</summary>
public interface IMessengers
{
    IMessenger For(string platform);
}

/// <summary>Where each platform's update stream was read up to (Telegram's offset, VK's ts), persisted after handling.</summary>
public interface ICursorStore
{
    Task<long?> GetAsync(string key, CancellationToken cancellationToken = default);

    Task SetAsync(string key, long value, CancellationToken cancellationToken = default);
}
