using ArtBot.Domain.Bot;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Payments;
using Telegram.Bot.Types.ReplyMarkups;

namespace ArtBot.Telegram;

/// <summary>
/// Answers through the Bot API. A 429 waits the <c>retry_after</c> Telegram asks for; 5xx answers
/// and network failures back off exponentially; after <see cref="TelegramOptions.MaxRetries"/> the
/// error goes to the caller.
/// </summary>
public sealed class TelegramMessenger(ITelegramBotClient client, IOptions<TelegramOptions> options, ILogger<TelegramMessenger> logger) : IPaymentMessenger
{
    public const string PlatformName = "telegram";

    public string Platform => PlatformName;

    // Telegram has no idempotency key: dedupeKey is not used.
    public async Task<long> SendTextAsync(long chatId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        var message = await RetryAsync("sendMessage", ct => client.SendMessage(chatId, text, replyMarkup: Markup(keyboard), cancellationToken: ct), cancellationToken);
        return message.MessageId;
    }

    public async Task<long> SendImageAsync(long chatId, byte[] image, string caption, Keyboard? keyboard = null, bool asFile = false, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        var document = asFile || image.Length > options.Value.MaxPhotoBytes;
        var message = await RetryAsync(document ? "sendDocument" : "sendPhoto", ct =>
        {
            var file = InputFile.FromStream(new MemoryStream(image), document ? "artbot.png" : "artbot.jpg");
            return document
                ? client.SendDocument(chatId, file, caption, replyMarkup: Markup(keyboard), cancellationToken: ct)
                : client.SendPhoto(chatId, file, caption, replyMarkup: Markup(keyboard), cancellationToken: ct);
        }, cancellationToken);
        return message.MessageId;
    }

    public Task EditTextAsync(long chatId, long messageId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default) =>
        RetryAsync("editMessageText", ct => client.EditMessageText(chatId, (int)messageId, text, replyMarkup: Markup(keyboard), cancellationToken: ct), cancellationToken);

    public async Task<long> SendAnimationAsync(long chatId, byte[] video, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        var message = await RetryAsync("sendAnimation", ct =>
            client.SendAnimation(chatId, InputFile.FromStream(new MemoryStream(video), "artbot.mp4"), caption, replyMarkup: Markup(keyboard), cancellationToken: ct), cancellationToken);
        return message.MessageId;
    }

    public Task EditImageAsync(long chatId, long messageId, byte[]? image, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default) =>
        image == null
            ? RetryAsync("editMessageCaption", ct => client.EditMessageCaption(chatId, (int)messageId, caption, replyMarkup: Markup(keyboard), cancellationToken: ct), cancellationToken)
            : RetryAsync("editMessageMedia", ct => client.EditMessageMedia(chatId, (int)messageId,
                new InputMediaPhoto(InputFile.FromStream(new MemoryStream(image), "preview.jpg")) { Caption = caption }, replyMarkup: Markup(keyboard), cancellationToken: ct), cancellationToken);

    public Task AnswerButtonAsync(string callbackId, string? text = null, CancellationToken cancellationToken = default) =>
        RetryAsync("answerCallbackQuery", async ct => { await client.AnswerCallbackQuery(callbackId, text, cancellationToken: ct); return true; }, cancellationToken);

    public Task SendInvoiceAsync(long chatId, string title, string description, string payload, int stars, CancellationToken cancellationToken = default) =>
        // Stars: currency XTR, one price, an empty provider token.
        RetryAsync("sendInvoice", ct => client.SendInvoice(chatId, title, description, payload, "XTR", [new LabeledPrice(title, stars)], providerToken: "", cancellationToken: ct), cancellationToken);

    public Task AnswerPreCheckoutAsync(string queryId, string? error, CancellationToken cancellationToken = default) =>
        RetryAsync("answerPreCheckoutQuery", async ct => { await client.AnswerPreCheckoutQuery(queryId, error, ct); return true; }, cancellationToken);

    public Task RefundAsync(long userId, string chargeId, CancellationToken cancellationToken = default) =>
        RetryAsync("refundStarPayment", async ct => { await client.RefundStarPayment(userId, chargeId, ct); return true; }, cancellationToken);

    private static InlineKeyboardMarkup? Markup(Keyboard? keyboard) =>
        keyboard == null ? null : new InlineKeyboardMarkup(keyboard.Rows.Select(r => r.Select(b => InlineKeyboardButton.WithCallbackData(b.Text, b.Data))));

    internal async Task<T> RetryAsync<T>(string method, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken);
            }
            catch (ApiRequestException e) when (e.ErrorCode == 429 && attempt < options.Value.MaxRetries)
            {
                ArtBotMetrics.WasRateLimited(PlatformName);
                var wait = TimeSpan.FromSeconds(e.Parameters?.RetryAfter ?? 1);
                logger.LogWarning("Telegram {Method}: 429, retrying after {Seconds} s", method, wait.TotalSeconds);
                await Task.Delay(wait, cancellationToken);
            }
            catch (Exception e) when (IsTransient(e) && attempt < options.Value.MaxRetries && !cancellationToken.IsCancellationRequested)
            {
                var wait = TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt - 1));
                logger.LogWarning("Telegram {Method}: {Problem}; retry {Attempt} in {Wait} ms", method, e.Message, attempt, wait.TotalMilliseconds);
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    internal static bool IsTransient(Exception e) => e switch
    {
        ApiRequestException api => api.ErrorCode >= 500,
        RequestException { InnerException: HttpRequestException or TaskCanceledException or IOException } => true,
        HttpRequestException or IOException => true,
        TaskCanceledException => true,
        _ => false,
    };
}
