using ArtBot.Domain.Bot;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArtBot.Vk;

/// <summary>
/// Reads the community's Bots Long Poll stream and hands each event to
/// <see cref="VkUpdateHandler"/>, marking it handled after; the stream position survives restarts
/// (see <see cref="VkLongPoll"/>). A bad token stops the adapter with one clear log line.
/// </summary>
public sealed class VkReceiver(VkLongPoll poll, IServiceProvider services, PlatformStatus status, IOptions<VkOptions> options, ILogger<VkReceiver> logger) : BackgroundService
{
    private static readonly TimeSpan HandlingTimeout = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var handler = services.GetRequiredService<VkUpdateHandler>();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var events = await poll.PollAsync(options.Value.LongPollWaitSeconds, stoppingToken);
                status.Connected(VkMessenger.PlatformName);
                failures = 0;
                var all = true;
                foreach (var update in events)
                {
                    if (stoppingToken.IsCancellationRequested)
                    {
                        all = false;
                        break;
                    }
                    // A stop waits for the event in hand (handling queues work, it never renders).
                    using var handling = new CancellationTokenSource(HandlingTimeout);
                    try
                    {
                        await handler.HandleAsync(update, handling.Token);
                    }
                    catch (Exception e) when (e is not VkAuthorizationException)
                    {
                        // One bad event must not stall the stream: it is logged and passed.
                        logger.LogError(e, "VK event {Event} ({Type}) failed", (string?)update["event_id"], (string?)update["type"]);
                    }
                    await poll.MarkHandledAsync(CancellationToken.None);
                }
                if (all) await poll.CommitAsync(CancellationToken.None);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (VkAuthorizationException)
            {
                status.Failed(VkMessenger.PlatformName, "error 5: the token was rejected");
                logger.LogCritical("VK rejected the community token (error 5): check ARTBOT_Vk__Token and its rights; the VK adapter stops");
                return;
            }
            catch (Exception e)
            {
                status.Failed(VkMessenger.PlatformName, e is VkApiException failed ? $"{failed.Method} error {failed.Code}" : e.GetType().Name);
                failures++;
                var wait = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, failures - 1)));
                logger.LogWarning("VK long poll failed ({Problem}); retry in {Seconds} s", e is VkApiException api ? $"{api.Method} error {api.Code}" : e.GetType().Name, wait.TotalSeconds);
                await Task.Delay(wait, stoppingToken);
            }
        }
    }
}
