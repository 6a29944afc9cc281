using System.Text.Json.Nodes;
using ArtBot.Domain.Bot;
using Microsoft.Extensions.Logging;

namespace ArtBot.Vk;

/// <summary>
/// A Bots Long Poll session: <c>a_check</c> requests with the stored <c>ts</c>. VK's
/// <c>failed</c> answers are handled as documented: 1 → continue from the new ts (events in
/// between are lost on VK's side), 2 → new key, 3 → new key and ts. The ts is persisted only by
/// <see cref="CommitAsync"/>, after the events were handled, so a restart neither loses nor
/// repeats them.
/// </summary>
public sealed class VkLongPoll(VkApiClient api, HttpClient http, ICursorStore cursors, ILogger<VkLongPoll> logger)
{
    public const string CursorKey = "vk:ts";
    private string? server;
    private string? key;
    private string? ts;
    private string? pendingTs;

    public string? Ts => ts;

    /// <summary>One a_check round: the events since the current ts (possibly none).</summary>
    public async Task<IReadOnlyList<JsonObject>> PollAsync(int waitSeconds, CancellationToken cancellationToken = default)
    {
        if (server == null) await RefreshAsync(keepTs: true, cancellationToken);
        while (true)
        {
            var url = $"{server}?act=a_check&key={Uri.EscapeDataString(key!)}&ts={Uri.EscapeDataString(ts!)}&wait={waitSeconds}";
            var body = JsonNode.Parse(await http.GetStringAsync(url, cancellationToken))!;
            switch ((int?)body["failed"])
            {
                case null:
                    var updates = body["updates"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
                    pendingTs = body["ts"]!.ToString();
                    return updates;
                case 1:
                    logger.LogWarning("VK long poll: history outdated (failed 1); continuing from ts {Ts}", body["ts"]);
                    ts = body["ts"]!.ToString();
                    await cursors.SetAsync(CursorKey, long.Parse(ts), cancellationToken);
                    break;
                case 2:
                    logger.LogInformation("VK long poll: key expired (failed 2)");
                    await RefreshAsync(keepTs: true, cancellationToken);
                    break;
                case 3:
                    logger.LogWarning("VK long poll: information lost (failed 3); new key and ts");
                    await RefreshAsync(keepTs: false, cancellationToken);
                    break;
                default:
                    throw new InvalidOperationException($"VK long poll answered failed={body["failed"]}");
            }
        }
    }

    /// <summary>Call after the events of the last poll are handled: the next poll, and a restart, start after them.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (pendingTs == null) return;
        ts = pendingTs;
        pendingTs = null;
        await cursors.SetAsync(CursorKey, long.Parse(ts), cancellationToken);
    }

    private async Task RefreshAsync(bool keepTs, CancellationToken cancellationToken)
    {
        var (newServer, newKey, newTs) = await api.GetLongPollServerAsync(cancellationToken);
        server = newServer;
        key = newKey;
        var stored = keepTs ? (ts ?? (await cursors.GetAsync(CursorKey, cancellationToken))?.ToString()) : null;
        ts = stored ?? newTs;
        if (!keepTs) await cursors.SetAsync(CursorKey, long.Parse(ts), cancellationToken);
    }
}
