using ArtBot.Domain.Bot;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.InlineQueryResults;
using Telegram.Bot.Types.Payments;
using Telegram.Bot.Types.ReplyMarkups;

namespace ArtBot.Telegram;

/// <summary>
/// Answers through the Bot API. A 429 waits the <c>retry_after</c> Telegram asks for; 5xx answers
/// and network failures back off exponentially with jitter; after <see cref="TelegramOptions.MaxRetries"/>
/// tries the error goes to the caller.
/// </summary>
public sealed class TelegramMessenger(ITelegramBotClient client, IOptions<TelegramOptions> options, ILogger<TelegramMessenger> logger) : IPaymentMessenger, IInlineMessenger
{
    public const string PlatformName = "telegram";

    public string Platform => PlatformName;

    // Telegram has no idempotency key: dedupeKey is not used.
    public async Task<long> SendTextAsync(long chatId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        var message = await RetryAsync("sendMessage", ct => client.SendMessage(chatId, text, replyMarkup: Markup(keyboard), cancellationToken: ct), cancellationToken);
        return message.MessageId;
    }

    public async Task<SentMessage> SendImageAsync(long chatId, byte[] image, string caption, Keyboard? keyboard = null, bool asFile = false, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        var document = asFile || image.Length > options.Value.MaxPhotoBytes;
        var message = await RetryAsync(document ? "sendDocument" : "sendPhoto", ct =>
        {
            var file = InputFile.FromStream(new MemoryStream(image), document ? "artbot.png" : "artbot.jpg");
            return document
                ? client.SendDocument(chatId, file, caption, replyMarkup: Markup(keyboard), cancellationToken: ct)
                : client.SendPhoto(chatId, file, caption, replyMarkup: Markup(keyboard), cancellationToken: ct);
        }, cancellationToken);
        // The largest size's file id: what an inline answer sends again without an upload.
        return new SentMessage(message.MessageId, message.Photo?.MaxBy(p => (long)p.Width * p.Height)?.FileId);
    }

    public async Task<long> SendFileAsync(long chatId, byte[] file, string fileName, string caption, CancellationToken cancellationToken = default)
    {
        var message = await RetryAsync("sendDocument", ct =>
            client.SendDocument(chatId, InputFile.FromStream(new MemoryStream(file), fileName), caption, cancellationToken: ct), cancellationToken);
        return message.MessageId;
    }

    /// <summary>The bot's @name, for the "make your own" link (asked once).</summary>
    private string? username;

    public async Task AnswerInlineQueryAsync(string queryId, IReadOnlyList<InlinePicture> results, string makeYourOwn, int cacheSeconds, CancellationToken cancellationToken = default)
    {
        username ??= (await RetryAsync("getMe", ct => client.GetMe(ct), cancellationToken)).Username;
        var link = new InlineKeyboardMarkup(InlineKeyboardButton.WithUrl(makeYourOwn, $"https://t.me/{username}?start=inline"));
        // Telegram takes at most 50 results.
        var answers = results.Take(50).Select(r => r.IsAnimation
            ? (InlineQueryResult)new InlineQueryResultCachedMpeg4Gif(r.Id, r.FileId) { Caption = r.Caption, ReplyMarkup = link }
            : new InlineQueryResultCachedPhoto(r.Id, r.FileId) { Caption = r.Caption, ReplyMarkup = link });
        await RetryAsync("answerInlineQuery", async ct =>
        {
            await client.AnswerInlineQuery(queryId, answers, cacheTime: cacheSeconds, isPersonal: true, cancellationToken: ct);
            return true;
        }, cancellationToken);
    }

    public Task EditTextAsync(long chatId, long messageId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default) =>
        RetryAsync("editMessageText", ct => client.EditMessageText(chatId, (int)messageId, text, replyMarkup: Markup(keyboard), cancellationToken: ct), cancellationToken);

    public async Task<SentMessage> SendAnimationAsync(long chatId, byte[] video, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        var message = await RetryAsync("sendAnimation", ct =>
            client.SendAnimation(chatId, InputFile.FromStream(new MemoryStream(video), "artbot.mp4"), caption, replyMarkup: Markup(keyboard), cancellationToken: ct), cancellationToken);
        return new SentMessage(message.MessageId, message.Animation?.FileId);
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
        keyboard == null ? null : new InlineKeyboardMarkup(keyboard.Rows
            .Select(r => r.Where(b => !b.LinksHereOnly).Select(b => b switch
            {
                { Url: { } url } => InlineKeyboardButton.WithUrl(b.Text, url),
                // The user picks a chat; the bot's name and the query are typed there for them.
                { SwitchInline: { } query } => InlineKeyboardButton.WithSwitchInlineQueryChosenChat(b.Text,
                    new SwitchInlineQueryChosenChat { Query = query, AllowUserChats = true, AllowGroupChats = true, AllowChannelChats = true }),
                _ => InlineKeyboardButton.WithCallbackData(b.Text, b.Data),
            }).ToList())
            .Where(r => r.Count > 0));

    /// <summary>
    /// The one retry layer of Telegram calls (Telegram.Bot's own is off: see AddTelegramAdapter):
    /// a 429 waits the retry_after Telegram asks for; 5xx answers and network failures back off
    /// exponentially with jitter, so workers that failed together do not come back together.
    /// </summary>
    private readonly ResiliencePipeline pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
    {
        MaxRetryAttempts = Math.Max(1, options.Value.MaxRetries - 1),
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromMilliseconds(200),
        ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && (IsRateLimit(e) || IsTransient(e)) && !args.Context.CancellationToken.IsCancellationRequested),
        DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is ApiRequestException { ErrorCode: 429 } limited
            ? TimeSpan.FromSeconds(limited.Parameters?.RetryAfter ?? 1)
            : (TimeSpan?)null),
        OnRetry = args =>
        {
            var method = args.Context.OperationKey;
            if (args.Outcome.Exception is ApiRequestException { ErrorCode: 429 })
                logger.LogWarning("Telegram {Method}: 429, retrying after {Seconds} s", method, args.RetryDelay.TotalSeconds);
            else
                logger.LogWarning("Telegram {Method}: {Problem}; retry {Attempt} in {Wait:0} ms", method, args.Outcome.Exception?.Message, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
            return ValueTask.CompletedTask;
        },
    }).Build();

    internal async Task<T> RetryAsync<T>(string method, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(method, cancellationToken);
        try
        {
            return await pipeline.ExecuteAsync(async c =>
            {
                try
                {
                    return await call(c.CancellationToken);
                }
                catch (ApiRequestException e) when (e.ErrorCode == 429)
                {
                    // Each "too many requests" counted once, where it arrives, retried or not.
                    ArtBotMetrics.WasRateLimited(PlatformName);
                    throw;
                }
            }, context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static bool IsRateLimit(Exception e) => e is ApiRequestException { ErrorCode: 429 };

    internal static bool IsTransient(Exception e) => e switch
    {
        ApiRequestException api => api.ErrorCode >= 500,
        RequestException { InnerException: HttpRequestException or TaskCanceledException or IOException } => true,
        HttpRequestException or IOException => true,
        TaskCanceledException => true,
        _ => false,
    };
}
