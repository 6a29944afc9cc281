using ArtBot.Domain.Bot;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace ArtBot.Telegram;

/// <summary>
/// Turns Telegram updates into the domain's <see cref="Incoming"/> messages and hands them to
/// <see cref="BotService"/>: parse, call, done; rendering happens in the queue.
/// </summary>
public sealed class TelegramUpdateHandler(
    ITelegramBotClient client,
    BotService bot,
    TelegramMessenger messenger,
    IOptions<TelegramOptions> options,
    ILogger<TelegramUpdateHandler> logger)
{
    /// <param name="updates">Several only for one album (same media_group_id), which becomes one message.</param>
    public async Task HandleAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        var first = updates[0];
        switch (first)
        {
            case { CallbackQuery: { Data: { } data } query }:
                await bot.HandleAsync(new ButtonPressed(From(query.From, query.Message?.Chat.Id ?? query.From.Id), query.Id, data), messenger, cancellationToken);
                break;
            case { InlineQuery: { } inline }:
                // Typed into another chat: the answer is for this user, whatever chat it was.
                await bot.HandleAsync(new InlineQueryReceived(From(inline.From, inline.From.Id), inline.Id, inline.Query.Length <= 256 ? inline.Query : inline.Query[..256]),
                    messenger, cancellationToken);
                break;
            case { CallbackQuery: { } emptyQuery }:
                await messenger.AnswerButtonAsync(emptyQuery.Id, cancellationToken: cancellationToken);
                break;
            case { PreCheckoutQuery: { } checkout }:
                await bot.HandleAsync(new PreCheckout(From(checkout.From, checkout.From.Id), checkout.Id, checkout.InvoicePayload, checkout.Currency, checkout.TotalAmount),
                    messenger, cancellationToken);
                break;
            case { Message: { From: { } sender } message }:
                await MessageAsync(updates.Select(u => u.Message!).ToList(), From(sender, message.Chat.Id), cancellationToken);
                break;
            default:
                logger.LogDebug("Telegram update {Update} of type {Type} ignored", first.Id, first.Type);
                break;
        }
    }

    private static ChatUser From(User user, long chatId) => new(TelegramMessenger.PlatformName, user.Id, chatId, user.LanguageCode);

    private async Task MessageAsync(IReadOnlyList<Message> messages, ChatUser from, CancellationToken ct)
    {
        var message = messages[0];
        Incoming incoming;
        switch (message)
        {
            case { SuccessfulPayment: { } paid }:
                incoming = new PaymentReceived(from, paid.InvoicePayload, paid.Currency, paid.TotalAmount, paid.TelegramPaymentChargeId);
                break;
            case { Photo: { Length: > 0 } } or { Document.MimeType: "image/jpeg" or "image/png" or "image/webp" }:
                var photos = new List<byte[]>();
                foreach (var part in messages.Take(PhotoMessage.PhotosUsed))
                {
                    var fileId = part.Photo is { Length: > 0 } sizes ? sizes.MaxBy(s => (long)s.Width * s.Height)!.FileId : part.Document?.FileId;
                    if (fileId == null) continue;
                    var (bytes, problem) = await DownloadAsync(fileId, ct);
                    if (problem != null)
                    {
                        await bot.RejectUploadAsync(from, messenger, problem, ct);
                        return;
                    }
                    photos.Add(bytes!);
                }
                incoming = new PhotoMessage(from, photos, messages.Select(m => m.Caption).FirstOrDefault(c => c != null));
                break;
            // Telegram turns GIFs into silent MP4 "animations"; short videos and GIF/video files come as they are.
            case { Animation: not null } or { Video: not null } or { Document.MimeType: "image/gif" or "video/mp4" or "video/webm" or "video/quicktime" }:
                var (video, refused) = await DownloadAsync(message.Animation?.FileId ?? message.Video?.FileId ?? message.Document!.FileId, ct);
                if (refused != null)
                {
                    await bot.RejectUploadAsync(from, messenger, refused, ct);
                    return;
                }
                incoming = new AnimationMessage(from, video!, message.Caption);
                break;
            case { Text: { } text } when text.StartsWith('/'):
                var parts = text[1..].Split(' ', 2, StringSplitOptions.TrimEntries);
                var command = parts[0].Split('@')[0].ToLowerInvariant();
                incoming = new CommandMessage(from, command, parts.Length > 1 ? parts[1] : "");
                break;
            case { Text: { } plain }:
                incoming = new TextMessage(from, plain);
                break;
            default:
                incoming = new UnsupportedMessage(from, Kind(message));
                break;
        }
        await bot.HandleAsync(incoming, messenger, ct);
    }

    private async Task<(byte[]? Bytes, UploadRefusal? Problem)> DownloadAsync(string fileId, CancellationToken ct)
    {
        var file = await messenger.RetryAsync("getFile", c => client.GetFile(fileId, c), ct);
        var limit = options.Value.MaxDownloadBytes;
        if (file.FileSize > limit || file.FilePath == null)
            return (null, new UploadRefusal(UploadProblem.TooLarge, limit));
        using var buffer = new MemoryStream();
        await messenger.RetryAsync("download", async c =>
        {
            buffer.SetLength(0);
            await client.DownloadFile(file.FilePath, buffer, c);
            return true;
        }, ct);
        return (buffer.ToArray(), null);
    }

    private static Unsupported Kind(Message message) => message.Type switch
    {
        MessageType.Sticker => Unsupported.Sticker,
        MessageType.Voice or MessageType.Audio => Unsupported.Audio,
        MessageType.Video or MessageType.VideoNote or MessageType.Animation => Unsupported.Video,
        MessageType.Document => Unsupported.File,
        _ => Unsupported.Message,
    };
}
