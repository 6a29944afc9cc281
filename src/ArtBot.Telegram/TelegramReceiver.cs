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
/// repeats one. An album's photos, which arrive as separate updates in one batch, are handled
/// as one message.
/// </summary>
public sealed class TelegramReceiver(
    ITelegramBotClient client,
    IServiceProvider services,
    ICursorStore cursors,
    PlatformStatus status,
    IOptions<TelegramOptions> options,
    ILogger<TelegramReceiver> logger) : BackgroundService
{
    public const string CursorKey = "telegram:offset";
    private static readonly UpdateType[] Wanted = [UpdateType.Message, UpdateType.CallbackQuery, UpdateType.PreCheckoutQuery];
    private static readonly TimeSpan HandlingTimeout = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await PublishProfileAsync(stoppingToken);
        var handler = services.GetRequiredService<TelegramUpdateHandler>();
        var failures = 0;
        var paymentFailures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var offset = await cursors.GetAsync(CursorKey, stoppingToken);
                var updates = await client.GetUpdates((int?)offset, 100, options.Value.PollTimeoutSeconds, Wanted, stoppingToken);
                status.Connected(TelegramMessenger.PlatformName);
                failures = 0;
                foreach (var group in Group(updates))
                {
                    if (stoppingToken.IsCancellationRequested) break;
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
                        break;
                    }
                    catch (Exception e)
                    {
                        // One bad update must not stall the stream: it is logged and passed.
                        logger.LogError(e, "Telegram update {Update} failed", group[0].Id);
                    }
                    await cursors.SetAsync(CursorKey, group[^1].Id + 1L, CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (ApiRequestException e) when (e.ErrorCode == 409)
            {
                logger.LogError("Telegram getUpdates: 409 Conflict: another poller or a webhook uses this token");
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
            catch (Exception e) when (e is ApiRequestException or HttpRequestException)
            {
                logger.LogWarning("Telegram: commands and description ({Language}) not set: {Problem}", language, e.Message);
            }
        }
    }

    private static IEnumerable<IReadOnlyList<Update>> Group(IEnumerable<Update> updates)
    {
        var batch = new List<Update>();
        foreach (var update in updates.OrderBy(u => u.Id))
        {
            var album = update.Message?.MediaGroupId;
            if (batch.Count > 0 && (album == null || batch[0].Message?.MediaGroupId != album))
            {
                yield return batch;
                batch = [];
            }
            batch.Add(update);
        }
        if (batch.Count > 0) yield return batch;
    }
}
