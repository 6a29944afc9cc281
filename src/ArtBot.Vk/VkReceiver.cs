using System.Text.Json.Nodes;
using ArtBot.Domain.Bot;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArtBot.Vk;

/// <summary>
/// Reads the community's Bots Long Poll stream and hands each event to
/// <see cref="VkUpdateHandler"/>, marking it handled after; the stream position survives restarts
/// (see <see cref="VkLongPoll"/>). Photo messages of one conversation that come close together
/// (a user's album sent as several messages, in one poll or several) wait for each other for
/// <see cref="VkOptions.AlbumWindow"/> and are handled as one; they are marked as they are taken,
/// so a crash inside that window loses them (the user sends them again), and a stop handles them
/// first. A bad token stops the adapter with one clear log line.
/// </summary>
public sealed class VkReceiver(VkLongPoll poll, IServiceProvider services, PlatformStatus status, IOptions<VkOptions> options, TimeProvider time, ILogger<VkReceiver> logger)
    : BackgroundService
{
    private static readonly TimeSpan HandlingTimeout = TimeSpan.FromMinutes(1);
    private readonly Dictionary<long, (List<JsonObject> Pieces, DateTimeOffset Last)> albums = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var handler = services.GetRequiredService<VkUpdateHandler>();
        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    // While an album waits, the poll waits no longer than its window.
                    var wait = albums.Count == 0 ? options.Value.LongPollWaitSeconds
                        : Math.Max(1, (int)Math.Ceiling((albums.Values.Min(a => a.Last) + options.Value.AlbumWindow - time.GetUtcNow()).TotalSeconds));
                    var events = await poll.PollAsync(wait, stoppingToken);
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
                        var peer = VkUpdateHandler.PeerOf(update);
                        if (VkUpdateHandler.IsAlbumPiece(update))
                        {
                            if (!albums.TryGetValue(peer, out var album)) album = ([], time.GetUtcNow());
                            album.Pieces.Add(update);
                            albums[peer] = (album.Pieces, time.GetUtcNow());
                        }
                        else
                        {
                            // An album from the same conversation came before this: it is answered first.
                            if (albums.Remove(peer, out var before)) await HandleAsync(handler, before.Pieces);
                            await HandleAsync(handler, [update]);
                        }
                        await poll.MarkHandledAsync(CancellationToken.None);
                    }
                    foreach (var peer in albums.Where(a => time.GetUtcNow() - a.Value.Last >= options.Value.AlbumWindow).Select(a => a.Key).ToList())
                        if (albums.Remove(peer, out var due)) await HandleAsync(handler, due.Pieces);
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
        finally
        {
            // Taken from the stream already: answered before the adapter stops.
            foreach (var (_, album) in albums.OrderBy(a => a.Value.Last)) await HandleAsync(handler, album.Pieces);
            albums.Clear();
        }
    }

    private async Task HandleAsync(VkUpdateHandler handler, IReadOnlyList<JsonObject> updates)
    {
        // A stop waits for the event in hand (handling queues work, it never renders).
        using var handling = new CancellationTokenSource(HandlingTimeout);
        try
        {
            await handler.HandleAlbumAsync(updates, handling.Token);
        }
        catch (Exception e) when (e is not VkAuthorizationException)
        {
            // One bad event must not stall the stream: it is logged and passed.
            logger.LogError(e, "VK event {Event} ({Type}) failed", (string?)updates[0]["event_id"], (string?)updates[0]["type"]);
        }
    }
}
