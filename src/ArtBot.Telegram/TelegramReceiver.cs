using ArtBot.Domain.Art;
using ArtBot.Domain.Bot;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace ArtBot.Telegram;

/// <summary>
/// Long polling with getUpdates, by hand: Telegram.Bot's ReceiveAsync advances the offset before
/// the handler runs, so a crash would lose the update. Here the offset is stored after each
/// update is handled, and updates at or below it are skipped, so a restart neither loses nor
/// repeats one. An album's photos, which arrive as separate updates, possibly in different polls,
/// wait for each other (<see cref="AlbumGatherer"/>) and are handled as one message; while they
/// wait, the stored offset stays at the oldest of them, and what was handled after it is
/// remembered, so a restart gathers the album again and repeats nothing else.
/// </summary>
public sealed class TelegramReceiver(
    ITelegramBotClient client,
    IServiceProvider services,
    ICursorStore cursors,
    PlatformStatus status,
    IOptions<TelegramOptions> options,
    TimeProvider time,
    ILogger<TelegramReceiver> logger) : BackgroundService
{
    public const string CursorKey = "telegram:offset";

    /// <summary>The newest update handled: above the offset only while an older album piece waits.</summary>
    public const string HandledKey = "telegram:handled";

    private static readonly UpdateType[] Wanted = [UpdateType.Message, UpdateType.CallbackQuery, UpdateType.PreCheckoutQuery, UpdateType.InlineQuery];
    private static readonly TimeSpan HandlingTimeout = TimeSpan.FromMinutes(1);

    private string? lastConflict;

    /// <summary>Where the webhook endpoint listens, once it does (null while polling).</summary>
    public string? WebhookAddress { get; private set; }

    /// <summary>Whether this bot set the webhook that is on now: removing Telegram:WebhookUrl then deletes it.</summary>
    public const string WebhookKey = "telegram:webhook";

    /// <summary>
    /// Webhooks when Telegram:WebhookUrl is set (setWebhook with the secret, the updates wanted and
    /// one connection, so they come in order); otherwise polling, after deleting a webhook this bot
    /// set before (a webhook and getUpdates exclude each other).
    /// </summary>
    private async Task<ITelegramUpdateFeed> FeedAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.UsesWebhook)
        {
            if (await cursors.GetAsync(WebhookKey, cancellationToken) == 1)
            {
                await client.DeleteWebhook(dropPendingUpdates: false, cancellationToken);
                await cursors.SetAsync(WebhookKey, 0, cancellationToken);
                logger.LogInformation("Telegram: Telegram:WebhookUrl is no longer set; the webhook this bot set was deleted, polling resumes");
            }
            return new PollingFeed(client, Wanted);
        }
        var feed = await WebhookFeed.StartAsync(o, logger, cancellationToken);
        await client.SetWebhook(o.WebhookUrl!, maxConnections: 1, allowedUpdates: Wanted, dropPendingUpdates: false, secretToken: o.WebhookSecret,
            cancellationToken: cancellationToken);
        await cursors.SetAsync(WebhookKey, 1, cancellationToken);
        status.Connected(TelegramMessenger.PlatformName);   // Telegram took the webhook: ready without waiting for a first post
        WebhookAddress = feed.Address;
        logger.LogInformation("Telegram: webhook set to {Host}, listening on {Address}", new Uri(o.WebhookUrl!).Host, feed.Address);
        return feed;
    }

    /// <summary>Why Telegram refuses getUpdates, and what the operator does about it.</summary>
    private async Task<string> ConflictCauseAsync(CancellationToken cancellationToken)
    {
        try
        {
            var info = await client.GetWebhookInfo(cancellationToken);
            if (!string.IsNullOrEmpty(info.Url))
                return $"a webhook is set for this bot ({new Uri(info.Url).GetLeftPart(UriPartial.Authority)}/…), and Telegram sends no updates to a poller while it is; " +
                       "to poll here, drop it: open https://api.telegram.org/bot<token>/deleteWebhook (the bot's token in place of <token>)";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug(e, "Telegram getWebhookInfo failed");
        }
        return "another process polls with this token (only one receiver per token): stop it, or give this one another bot's token";
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await PublishProfileAsync(stoppingToken);
        await using var feed = await FeedAsync(stoppingToken);
        var handler = services.GetRequiredService<TelegramUpdateHandler>();
        var albums = new AlbumGatherer(options.Value.AlbumWindow);
        var failures = 0;
        var paymentFailures = 0;
        long? next = null;
        long handled = 0;
        var loaded = false;

        // Handles one message (an album: one group), and stores how far the stream was handled.
        async Task<bool> HandleAsync(IReadOnlyList<Update> group)
        {
            // A stop waits for the update in hand (handling queues work, it never renders):
            // cut short, its answer could be sent with its offset unsaved, and a restart
            // would handle it twice.
            using var handling = new CancellationTokenSource(HandlingTimeout);
            try
            {
                await handler.HandleAsync(group, handling.Token);
                paymentFailures = 0;
            }
            catch (Exception e) when (group[0].Message?.SuccessfulPayment != null)
            {
                // Telegram took the user's money: the payment is credited (by its charge id,
                // once) or retried, never skipped. The offset stays where it is.
                paymentFailures++;
                var wait = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, paymentFailures - 1)));
                logger.LogError(e, "Telegram payment in update {Update} was not recorded; retry in {Seconds} s", group[0].Id, wait.TotalSeconds);
                await Task.Delay(wait, stoppingToken);
                return false;
            }
            catch (Exception e)
            {
                // One bad update must not stall the stream: it is logged and passed.
                logger.LogError(e, "Telegram update {Update} failed", group[0].Id);
            }
            handled = Math.Max(handled, group.Max(u => (long)u.Id));
            await cursors.SetAsync(HandledKey, handled, CancellationToken.None);
            await cursors.SetAsync(CursorKey, Math.Min(albums.OldestWaiting ?? long.MaxValue, handled + 1), CancellationToken.None);
            return true;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!loaded)
                {
                    next = await cursors.GetAsync(CursorKey, stoppingToken);
                    handled = await cursors.GetAsync(HandledKey, stoppingToken) ?? (next ?? 1) - 1;
                    loaded = true;
                }
                // While an album waits, the poll waits no longer than its window.
                var due = albums.NextDue(time.GetUtcNow());
                var timeout = due is { } left ? (int)Math.Ceiling(left.TotalSeconds) : options.Value.PollTimeoutSeconds;
                var updates = due == TimeSpan.Zero ? [] : await feed.NextAsync(next, timeout, stoppingToken);
                status.Connected(TelegramMessenger.PlatformName);
                failures = 0;
                foreach (var update in updates.OrderBy(u => u.Id))
                {
                    if (stoppingToken.IsCancellationRequested) break;
                    if (AlbumGatherer.IsPiece(update))
                    {
                        // A webhook's repeat of a piece whose album was answered: polling re-reads waiting pieces after a restart, a webhook never.
                        if (!feed.ResendsAfterRestart && update.Id <= handled)
                        {
                            next = update.Id + 1;
                            continue;
                        }
                        albums.Add(update, time.GetUtcNow());
                        next = update.Id + 1;
                        continue;
                    }
                    // Handled before a restart while an older album piece held the offset back.
                    if (update.Id <= handled)
                    {
                        next = update.Id + 1;
                        continue;
                    }
                    // An album from the same chat came before this: it is answered first.
                    var ok = true;
                    foreach (var album in albums.TakeChat(ChatOf(update)))
                        if (!(ok = await HandleAsync(album))) break;
                    if (ok) ok = await HandleAsync([update]);
                    if (!ok) break;   // a payment to retry: asked for again from here
                    next = update.Id + 1;
                }
                foreach (var album in albums.TakeDue(time.GetUtcNow()))
                    if (!await HandleAsync(album)) break;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (ApiRequestException e) when (e.ErrorCode == 409)
            {
                status.Failed(TelegramMessenger.PlatformName, "409");
                var cause = await ConflictCauseAsync(stoppingToken);
                // Said once, and again only when the cause changes: the next tries say nothing new.
                if (cause != lastConflict) logger.LogError("Telegram getUpdates: 409 Conflict: {Cause}", cause);
                lastConflict = cause;
                await Task.Delay(TimeSpan.FromSeconds(10), stoppingToken);
            }
            catch (ApiRequestException e) when (e.ErrorCode == 401)
            {
                logger.LogCritical("Telegram rejected the bot token (401 Unauthorized); the Telegram adapter stops");
                return;
            }
            catch (Exception e)
            {
                status.Failed(TelegramMessenger.PlatformName, e is ApiRequestException failed ? $"{failed.ErrorCode}" : e.GetType().Name);
                failures++;
                var wait = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, failures - 1)));
                logger.LogWarning("Telegram getUpdates failed ({Problem}); retry in {Seconds} s", e is ApiRequestException api ? $"{api.ErrorCode} {api.Message}" : e.GetType().Name, wait.TotalSeconds);
                await Task.Delay(wait, stoppingToken);
            }
        }
    }

    private static long ChatOf(Update update) =>
        update.Message?.Chat.Id ?? update.CallbackQuery?.Message?.Chat.Id ?? update.CallbackQuery?.From.Id ?? update.PreCheckoutQuery?.From.Id ?? update.InlineQuery?.From.Id ?? 0;

    /// <summary>
    /// The command menu, the profile text and the line under the bot's name, in English (the
    /// default) and Russian, so a user's Telegram shows them in their language. Not worth a
    /// failed start: a refusal is logged and polling begins anyway.
    /// </summary>
    private async Task PublishProfileAsync(CancellationToken cancellationToken)
    {
        foreach (var (language, code) in new[] { (Language.En, (string?)null), (Language.Ru, "ru") })
        {
            try
            {
                var commands = BotCommands.For(language).Select(c => new BotCommand { Command = c.Command, Description = c.Description });
                await client.SetMyCommands(commands, languageCode: code, cancellationToken: cancellationToken);
                await client.SetMyDescription(BotCommands.Description(language), code, cancellationToken);
                await client.SetMyShortDescription(BotCommands.ShortDescription(language), code, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Telegram.Bot wraps a dropped connection in RequestException; whatever it is, the profile can wait and the bot cannot.
                logger.LogWarning("Telegram: commands and description ({Language}) not set: {Problem}", language, e.InnerException?.Message ?? e.Message);
            }
        }
    }
}
