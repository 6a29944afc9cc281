using System.Globalization;
using ArtBot.Domain.Art;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Gallery;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArtBot.Vk;

/// <summary>
/// Posts the week's best picture to the community's wall, once a week (<see cref="GalleryOptions.VkWallPost"/>,
/// off by default: the token needs wall rights). Looked at when the bot starts and every hour; the
/// time of the last post is kept in the store, so restarts and several receivers post once a week
/// between them (one node at a time, by the cluster lock).
/// </summary>
public sealed class VkWallPoster(
    VkApiClient api,
    GalleryService gallery,
    ICursorStore cursors,
    IClusterLock cluster,
    IOptions<VkOptions> options,
    TimeProvider time,
    ILogger<VkWallPoster> logger) : BackgroundService
{
    public const string CursorKey = "vk:wall-posted";
    private static readonly TimeSpan Week = TimeSpan.FromDays(7), Check = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Check, time);
        do
        {
            try
            {
                await PostIfDueAsync(stoppingToken);
            }
            catch (VkApiException e)
            {
                // VK said no (a token without wall rights, a community whose wall is closed): it stays
                // no until the configuration changes. Flood limits were retried by the client already.
                logger.LogError("VK wall post refused ({Problem}): give the token wall rights, or set Gallery:VkWallPost=false; trying again in an hour", e.Message);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !stoppingToken.IsCancellationRequested)
            {
                // The network or VK failed past the client's retries: the next hour tries again.
                logger.LogWarning("VK wall post failed: {Problem}; trying again in an hour", e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Anything else (the store, a bug) is logged whole; a weekly post is not worth stopping the bot for.
                logger.LogError(e, "VK wall post failed; trying again in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<bool> PostIfDueAsync(CancellationToken ct)
    {
        await using var held = await cluster.TryAcquireAsync("vk-wall", ct);
        if (held == null) return false;
        var now = time.GetUtcNow();
        if (await cursors.GetAsync(CursorKey, ct) is { } last && now - DateTimeOffset.FromUnixTimeSeconds(last) < Week)
        {
            logger.LogDebug("VK wall: posted {Last:u}; the next post is due {Due:u}", DateTimeOffset.FromUnixTimeSeconds(last), DateTimeOffset.FromUnixTimeSeconds(last) + Week);
            return false;
        }
        if ((await gallery.TopAsync(ct)).FirstOrDefault() is not { } best)
        {
            logger.LogDebug("VK wall: nothing shared this week to post");
            return false;
        }
        var link = gallery.Options.PageOf(best.Id);
        // VK's audience reads Russian first; the link unfurls with the picture (Open Graph).
        var text = Texts.Get(Language.Ru, TextKey.WallPost, gallery.StyleName(Language.Ru, best), best.Likes, link);
        await api.CallAsync("wall.post", new Dictionary<string, string>
        {
            ["owner_id"] = (-options.Value.GroupId).ToString(CultureInfo.InvariantCulture), ["from_group"] = "1", ["message"] = text, ["attachments"] = link,
        }, ct);
        await cursors.SetAsync(CursorKey, now.ToUnixTimeSeconds(), ct);
        logger.LogInformation("VK wall: posted {Entry}, the week's best", best.Id);
        return true;
    }
}
