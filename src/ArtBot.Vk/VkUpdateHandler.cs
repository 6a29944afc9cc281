using System.Text.Json;
using System.Text.Json.Nodes;
using ArtBot.Domain.Bot;
using Microsoft.Extensions.Logging;

namespace ArtBot.Vk;

/// <summary>
/// Turns Bots Long Poll events into the domain's <see cref="Incoming"/> messages and hands them
/// to <see cref="BotService"/>: parse, call, done; rendering happens in the queue. Replies go
/// through a messenger keyed by the event, so an event handled twice answers once.
/// </summary>
public sealed class VkUpdateHandler(BotService bot, VkMessenger messenger, VkDownloader downloader, ILogger<VkUpdateHandler> logger)
{
    public async Task HandleAsync(JsonObject update, CancellationToken cancellationToken)
    {
        var type = (string?)update["type"];
        var eventId = (string?)update["event_id"];
        // Without an event id (API versions before 5.103) nothing names the event: answers are not deduplicated.
        IMessenger replies = eventId != null ? messenger.ForEvent(eventId) : messenger;
        switch (type, update["object"])
        {
            case ("message_new", JsonObject body) when body["message"] is JsonObject message:
                await MessageAsync(message, body["client_info"] as JsonObject, replies, cancellationToken);
                break;
            case ("message_event", JsonObject button):
                await ButtonAsync(button, replies, cancellationToken);
                break;
            default:
                logger.LogDebug("VK event {Event} of type {Type} ignored", eventId, type);
                break;
        }
    }

    private async Task ButtonAsync(JsonObject button, IMessenger replies, CancellationToken ct)
    {
        var userId = (long)button["user_id"]!;
        var peerId = (long?)button["peer_id"] ?? userId;
        var callback = VkCallback.Of((string)button["event_id"]!, userId, peerId);
        var from = new ChatUser(VkMessenger.PlatformName, userId, peerId, null);
        var payload = Payload(button["payload"]);
        // A client writes these payloads: every field is checked for its type, never cast blindly.
        if (Number(payload, VkKeyboards.PageField) is { } page && Text(payload, VkKeyboards.MenuField) is { } menu)
        {
            if (await messenger.TurnPageAsync(peerId, (long?)button["conversation_message_id"] ?? 0, menu, page, ct))
            {
                await replies.AnswerButtonAsync(callback, cancellationToken: ct);
                return;
            }
            // The menu was sent before a restart: the domain says the button is out of date.
            await bot.HandleAsync(new ButtonPressed(from, callback, "expired"), replies, ct);
            return;
        }
        await bot.HandleAsync(new ButtonPressed(from, callback, Text(payload, VkKeyboards.DataField) ?? ""), replies, ct);
    }

    private static string? Text(JsonObject? payload, string name) =>
        payload?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static int? Number(JsonObject? payload, string name) =>
        payload?[name] is JsonValue value && value.TryGetValue<int>(out var number) ? number : null;

    /// <summary>
    /// A message of photos alone (no text, no command): a piece of what may be one album sent as
    /// several messages, which the receiver gathers (<see cref="HandleAlbumAsync"/>).
    /// </summary>
    public static bool IsAlbumPiece(JsonObject update) =>
        (string?)update["type"] == "message_new" && update["object"]?["message"] is JsonObject message
        && string.IsNullOrWhiteSpace((string?)message["text"]) && message["payload"] == null
        && (message["attachments"]?.AsArray().OfType<JsonObject>() ?? []).Any(a => ImageUrl(a) != null);

    /// <summary>The conversation a message event belongs to.</summary>
    public static long PeerOf(JsonObject update) =>
        update["object"]?["message"] is JsonObject message ? (long?)message["peer_id"] ?? (long?)message["from_id"] ?? 0 : 0;

    /// <summary>Photo messages of one conversation sent close together: one album, the first message's photo first.</summary>
    public async Task HandleAlbumAsync(IReadOnlyList<JsonObject> updates, CancellationToken cancellationToken)
    {
        if (updates.Count == 1)
        {
            await HandleAsync(updates[0], cancellationToken);
            return;
        }
        var first = updates[0];
        IMessenger replies = (string?)first["event_id"] is { } eventId ? messenger.ForEvent(eventId) : messenger;
        var messages = updates.Select(u => (JsonObject)u["object"]!["message"]!).ToList();
        await MessageAsync(messages, first["object"]!["client_info"] as JsonObject, replies, cancellationToken);
    }

    private Task MessageAsync(JsonObject message, JsonObject? client, IMessenger replies, CancellationToken ct) => MessageAsync([message], client, replies, ct);

    private async Task MessageAsync(IReadOnlyList<JsonObject> messages, JsonObject? client, IMessenger replies, CancellationToken ct)
    {
        var message = messages[0];
        var userId = (long)message["from_id"]!;
        var from = new ChatUser(VkMessenger.PlatformName, userId, (long?)message["peer_id"] ?? userId, LanguageOf((int?)client?["lang_id"]));
        var text = ((string?)message["text"] ?? "").Trim();
        var attachments = messages.SelectMany(Attachments).ToList();
        var images = attachments.Select(ImageUrl).Where(u => u != null).Take(PhotoMessage.PhotosUsed).ToList();

        Incoming incoming;
        if (images.Count > 0)
        {
            var photos = new List<byte[]>();
            foreach (var url in images)
            {
                var (bytes, problem) = await downloader.DownloadAsync(url!, ct);
                if (problem != null)
                {
                    logger.LogInformation("VK photo from {User} refused: {Problem}", userId, problem);
                    await bot.RejectUploadAsync(from, replies, problem, ct);
                    return;
                }
                photos.Add(bytes!);
            }
            incoming = new PhotoMessage(from, photos, text.Length > 0 ? text : null);
        }
        else if (attachments.Select(AnimationUrl).FirstOrDefault(u => u != null) is { } clip)
        {
            var (bytes, problem) = await downloader.DownloadAsync(clip, ct);
            if (problem != null)
            {
                logger.LogInformation("VK animation from {User} refused: {Problem}", userId, problem);
                await bot.RejectUploadAsync(from, replies, problem, ct);
                return;
            }
            incoming = new AnimationMessage(from, bytes!, text.Length > 0 ? text : null);
        }
        else if (Payload(message["payload"])?["command"] is JsonValue command && (string?)command == "start")
        {
            // The "Start" button VK shows in a new conversation.
            incoming = new CommandMessage(from, "start");
        }
        else if (text.StartsWith('/'))
        {
            var parts = text[1..].Split(' ', 2, StringSplitOptions.TrimEntries);
            incoming = new CommandMessage(from, parts[0].ToLowerInvariant(), parts.Length > 1 ? parts[1] : "");
        }
        else if (attachments.Count > 0)
        {
            incoming = new UnsupportedMessage(from, Kind((string?)attachments[0]["type"]));
        }
        else
        {
            incoming = new TextMessage(from, text);
        }
        await bot.HandleAsync(incoming, replies, ct);
    }

    /// <summary>The message's own attachments, then those of the message it replies to and of forwarded ones.</summary>
    private static IEnumerable<JsonObject> Attachments(JsonObject message)
    {
        foreach (var a in message["attachments"]?.AsArray().OfType<JsonObject>() ?? []) yield return a;
        if (message["reply_message"] is JsonObject reply)
            foreach (var a in Attachments(reply)) yield return a;
        foreach (var forwarded in message["fwd_messages"]?.AsArray().OfType<JsonObject>() ?? [])
            foreach (var a in Attachments(forwarded)) yield return a;
    }

    /// <summary>
    /// A GIF or video document's URL (VK keeps GIFs as documents); null for anything else. Video
    /// attachments proper cannot be fetched by a community, so they stay unsupported.
    /// </summary>
    private static string? AnimationUrl(JsonObject attachment) =>
        (string?)attachment["type"] == "doc" && attachment["doc"] is JsonObject doc && ((string?)doc["ext"])?.ToLowerInvariant() is "gif" or "mp4" or "webm" or "mov"
            ? (string?)doc["url"]
            : null;

    /// <summary>A photo's largest size (its original where VK gives it), or an image document's URL; null for anything else.</summary>
    private static string? ImageUrl(JsonObject attachment)
    {
        switch ((string?)attachment["type"], attachment["photo"], attachment["doc"])
        {
            case ("photo", JsonObject photo, _):
                if ((string?)photo["orig_photo"]?["url"] is { Length: > 0 } original) return original;
                return photo["sizes"]?.AsArray().OfType<JsonObject>()
                    .MaxBy(s => ((long?)s["width"] ?? 0) * ((long?)s["height"] ?? 0))?["url"]?.GetValue<string>();
            case ("doc", _, JsonObject doc) when ((string?)doc["ext"])?.ToLowerInvariant() is "jpg" or "jpeg" or "png" or "webp":
                return (string?)doc["url"];
            default:
                return null;
        }
    }

    /// <summary>
    /// VK's client_info.lang_id as a language code: 0 is Russian, and Ukrainian (1), Belarusian (2),
    /// Kazakh (97) and Uzbek (114) clients get Russian too, which those users read more often than
    /// English; others English. Null when the client did not say.
    /// </summary>
    public static string? LanguageOf(int? langId) => langId switch
    {
        null => null,
        0 or 1 or 2 or 97 or 114 => "ru",
        _ => "en",
    };

    private static JsonObject? Payload(JsonNode? payload)
    {
        try
        {
            return payload switch
            {
                JsonObject o => o,
                JsonValue v when v.TryGetValue<string>(out var s) => JsonNode.Parse(s) as JsonObject,
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Unsupported Kind(string? type) => type switch
    {
        "sticker" => Unsupported.Sticker,
        "audio" or "audio_message" => Unsupported.Audio,
        "video" => Unsupported.Video,
        "doc" => Unsupported.File,
        _ => Unsupported.Message,
    };
}
