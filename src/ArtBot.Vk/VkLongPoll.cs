using System.Globalization;
using System.Text.Json.Nodes;
using ArtBot.Domain.Bot;
using Microsoft.Extensions.Logging;

namespace ArtBot.Vk;

/// <summary>
/// A Bots Long Poll session: <c>a_check</c> requests with the stored <c>ts</c>. VK's
/// <c>failed</c> answers are handled as documented: 1 → continue from the new ts (events in
/// between are lost on VK's side), 2 → new key, 3 → new key and ts.
/// Where the stream was read up to is stored as the ts a batch was asked with plus how many of
/// its events were handled (<see cref="MarkHandledAsync"/>), so a restart in the middle of a
/// batch asks for it again and skips exactly what was done: nothing lost, nothing repeated.
/// </summary>
public sealed class VkLongPoll(VkApiClient api, HttpClient http, ICursorStore cursors, ILogger<VkLongPoll> logger)
{
    public const string CursorKey = "vk:ts", HandledKey = "vk:handled";
    private string? server;
    private string? key;
    private string? ts;
    private string? nextTs;
    private long handled;

    public string? Ts => ts;

    /// <summary>One a_check round: the events since the current ts not yet handled (possibly none).</summary>
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
                    nextTs = body["ts"]!.ToString();
                    return body["updates"]?.AsArray().OfType<JsonObject>().Skip((int)handled).ToList() ?? [];
                case 1:
                    logger.LogWarning("VK long poll: history outdated (failed 1); continuing from ts {Ts}", body["ts"]);
                    await MoveToAsync(body["ts"]!.ToString(), cancellationToken);
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

    /// <summary>Call after each event of the last poll is handled, in order.</summary>
    public async Task MarkHandledAsync(CancellationToken cancellationToken = default)
    {
        handled++;
        await cursors.SetAsync(HandledKey, handled, cancellationToken);
    }

    /// <summary>Call after all events of the last poll are handled: the next poll, and a restart, start after them.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (nextTs == null) return;
        var to = nextTs;
        nextTs = null;
        if (to != ts || handled != 0) await MoveToAsync(to, cancellationToken);
    }

    // The count is reset before the ts moves: a crash between the two writes asks for the old
    // batch again (answers keep their random_id, so VK drops the repeats) rather than skipping
    // events of the next one.
    private async Task MoveToAsync(string newTs, CancellationToken cancellationToken)
    {
        ts = newTs;
        handled = 0;
        await cursors.SetAsync(HandledKey, 0, cancellationToken);
        await cursors.SetAsync(CursorKey, long.Parse(newTs, CultureInfo.InvariantCulture), cancellationToken);
    }

    private async Task RefreshAsync(bool keepTs, CancellationToken cancellationToken)
    {
        var (newServer, newKey, newTs) = await api.GetLongPollServerAsync(cancellationToken);
        server = newServer;
        key = newKey;
        if (keepTs && ts != null) return;
        if (keepTs && await cursors.GetAsync(CursorKey, cancellationToken) is { } stored)
        {
            ts = stored.ToString(CultureInfo.InvariantCulture);
            handled = await cursors.GetAsync(HandledKey, cancellationToken) ?? 0;
            return;
        }
        await MoveToAsync(newTs, cancellationToken);
    }
}
