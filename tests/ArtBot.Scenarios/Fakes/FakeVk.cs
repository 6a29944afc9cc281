using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ArtBot.Scenarios.Fakes;

/// <summary>
/// A fake VK API on 127.0.0.1: API methods under /method/{name} (form-encoded, token checked),
/// a Bots Long Poll endpoint the test feeds with events and scripted <c>failed</c> answers,
/// photo and document upload servers, and a "CDN" serving the photos users send. messages.send
/// keeps each peer's random_ids and drops a repeated one, as VK does.
/// </summary>
public sealed class FakeVk : IFakeMessengerApi
{
    public const string Token = "vk-test-community-token-0123456789";
    public const long GroupId = 1;
    private readonly WebApplication app;
    private readonly List<(long Ts, JsonObject Event)> events = [];
    private readonly ConcurrentDictionary<string, byte[]> cdn = new();
    private readonly ConcurrentDictionary<string, byte[]> uploads = new();
    private readonly ConcurrentDictionary<(long Peer, long RandomId), long> randomIds = new();
    private readonly ConcurrentDictionary<long, string?> keyboards = new();
    private readonly ConcurrentDictionary<long, long> lastMessageTo = new();
    private readonly SentLog log = new();
    private readonly SemaphoreSlim pushed = new(0);
    private long ts = 100;
    private long nextId = 1000;
    private int keyVersion;
    private int rateLimits, serverErrors, polls;

    public FakeVk()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        app = builder.Build();
        app.MapPost("/method/{name}", Method);
        app.MapGet("/lp", LongPoll);
        app.MapPost("/upload/{kind}", Upload);
        app.MapGet("/cdn/{name}", (string name, HttpRequest request) =>
        {
            Downloads.Enqueue($"{request.Host.Host}/{name}");
            return cdn.TryGetValue(name, out var bytes) ? Results.Bytes(bytes, "image/jpeg") : Results.NotFound();
        });
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
    }

    public string Url { get; private set; } = "";

    public string Platform => "vk";

    public IReadOnlyList<string> Secrets => [Token];

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Vk:Token"] = Token,
        ["Vk:GroupId"] = GroupId.ToString(),
        ["Vk:BaseUrl"] = Url,
        ["Vk:LongPollWaitSeconds"] = "1",
        ["Vk:DownloadHosts:0"] = "127.0.0.1",
    };

    public string MaxDownloadSetting => "Vk:MaxDownloadBytes";

    public IReadOnlyList<Sent> Sent => log.All;

    public ConcurrentQueue<string> MethodCalls { get; } = new();

    /// <summary>Error codes the next API calls (any method) answer with, in order.</summary>
    public ConcurrentQueue<int> NextErrors { get; } = new();

    /// <summary>Scripted long-poll answers (1, 2 or 3) for the next a_check requests.</summary>
    public ConcurrentQueue<int> NextFailures { get; } = new();

    /// <summary>Peers that have not allowed the community to write: sends to them answer 901.</summary>
    public ConcurrentDictionary<long, bool> Forbidden { get; } = new();

    public ConcurrentQueue<string> Downloads { get; } = new();

    public int RateLimitsServed { get; private set; }

    public int Polls => polls;

    public int ServerErrorsServed { get; private set; }

    /// <summary>messages.send calls VK dropped because their random_id was used before.</summary>
    public int RepeatsDropped { get; private set; }

    public string CurrentKey => $"key{keyVersion}";

    public async Task StartAsync()
    {
        await app.StartAsync();
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    public void RateLimitSends(int count) => Interlocked.Exchange(ref rateLimits, count);

    public void FailSends(int count) => Interlocked.Exchange(ref serverErrors, count);

    public Task<IReadOnlyList<Sent>> WaitForAsync(Func<IReadOnlyList<Sent>, bool> condition, TimeSpan timeout, string what) =>
        log.WaitForAsync(condition, timeout, what);

    /// <summary>The keyboard JSON the message was last sent or edited with.</summary>
    public JsonObject? KeyboardOf(long messageId) => keyboards.TryGetValue(messageId, out var k) && k != null ? JsonNode.Parse(k)!.AsObject() : null;

    public long Push(string type, JsonObject payload)
    {
        long at;
        lock (events)
        {
            at = ts++;
            events.Add((at, new JsonObject { ["type"] = type, ["object"] = payload, ["group_id"] = GroupId, ["event_id"] = $"e{at}", ["v"] = "5.199" }));
        }
        pushed.Release();
        return at;
    }

    /// <summary>A message_new from <paramref name="user"/>; <paramref name="langId"/> as the client reports it (0 Russian, 3 English).</summary>
    public long PushMessage(long user, string text, JsonArray? attachments = null, int langId = 3, JsonObject? extra = null)
    {
        var message = new JsonObject
        {
            ["id"] = Interlocked.Increment(ref nextId),
            ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["peer_id"] = user,
            ["from_id"] = user,
            ["text"] = text,
            ["conversation_message_id"] = nextId,
            ["attachments"] = attachments ?? [],
            ["fwd_messages"] = new JsonArray(),
        };
        foreach (var (key, value) in extra ?? []) message[key] = value?.DeepClone();
        return Push("message_new", new JsonObject
        {
            ["message"] = message,
            ["client_info"] = new JsonObject { ["button_actions"] = new JsonArray("text", "callback"), ["keyboard"] = true, ["inline_keyboard"] = true, ["carousel"] = true, ["lang_id"] = langId },
        });
    }

    /// <summary>A photo attachment served by the fake CDN at its largest size (small sizes are not served, so picking one fails).</summary>
    public JsonObject PhotoAttachment(byte[] photo, bool original = false, string? host = null)
    {
        var id = Interlocked.Increment(ref nextId);
        var baseUrl = host == null ? Url : Url.Replace("127.0.0.1", host);
        cdn[$"{id}.jpg"] = photo;
        var sizes = new JsonArray(
            new JsonObject { ["type"] = "s", ["url"] = $"{baseUrl}/cdn/{id}-s.jpg", ["width"] = 75, ["height"] = 56 },
            new JsonObject { ["type"] = "x", ["url"] = $"{baseUrl}/cdn/{(original ? $"{id}-x" : id.ToString())}.jpg", ["width"] = 1024, ["height"] = 768 },
            new JsonObject { ["type"] = "m", ["url"] = $"{baseUrl}/cdn/{id}-m.jpg", ["width"] = 130, ["height"] = 97 });
        var photoObject = new JsonObject { ["id"] = id, ["owner_id"] = 1, ["sizes"] = sizes };
        if (original) photoObject["orig_photo"] = new JsonObject { ["url"] = $"{baseUrl}/cdn/{id}.jpg", ["width"] = 2048, ["height"] = 1536 };
        return new JsonObject { ["type"] = "photo", ["photo"] = photoObject };
    }

    public void PushText(long user, string text, string language = "en") => PushMessage(user, text, langId: LangId(language));

    public void PushPhoto(long user, byte[] photo, string? caption = null, string language = "en") =>
        PushMessage(user, caption ?? "", [PhotoAttachment(photo)], LangId(language));

    public void PushAlbum(long user, byte[] content, byte[] style, byte[]? secondStyle = null) =>
        PushMessage(user, "", [PhotoAttachment(content), PhotoAttachment(style), .. secondStyle == null ? Array.Empty<JsonObject>() : [PhotoAttachment(secondStyle)]]);

    public void PushAnimation(long user, byte[] video, string mimeType = "image/gif") =>
        PushFile(user, video, mimeType, mimeType == "image/gif" ? "clip.gif" : "clip.mp4");

    public void PushFile(long user, byte[] content, string mimeType, string name)
    {
        var id = Interlocked.Increment(ref nextId);
        cdn[$"doc{id}"] = content;
        var ext = Path.GetExtension(name).TrimStart('.');
        PushMessage(user, "", [new JsonObject
        {
            ["type"] = "doc",
            ["doc"] = new JsonObject { ["id"] = id, ["owner_id"] = user, ["title"] = name, ["size"] = content.Length, ["ext"] = ext, ["url"] = $"{Url}/cdn/doc{id}", ["type"] = ext == "pdf" ? 1 : 4 },
        }]);
    }

    public string PushUnsupported(long user)
    {
        PushSticker(user);
        return "I can't use a sticker. Send a photo, please.";
    }

    public void PushSticker(long user) =>
        PushMessage(user, "", [new JsonObject { ["type"] = "sticker", ["sticker"] = new JsonObject { ["product_id"] = 1, ["sticker_id"] = 9 } }]);

    public void PushButton(long user, string data, string language = "en") => PushEvent(user, new JsonObject { ["d"] = data });

    /// <summary>A message_event (a callback button pressed) on the last message sent to <paramref name="user"/>, or on <paramref name="messageId"/>.</summary>
    public void PushEvent(long user, JsonObject payload, long? messageId = null) =>
        Push("message_event", new JsonObject
        {
            ["user_id"] = user,
            ["peer_id"] = user,
            ["event_id"] = $"cb{Interlocked.Increment(ref nextId)}",
            ["payload"] = payload,
            ["conversation_message_id"] = messageId ?? lastMessageTo.GetValueOrDefault(user),
        });

    private static int LangId(string language) => language == "ru" ? 0 : 3;

    private async Task<IResult> Method(string name, HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        MethodCalls.Enqueue(name);
        if (form["access_token"] != Token) return Error(5, "User authorization failed: invalid access_token (4).");
        if (NextErrors.TryDequeue(out var code)) return Error(code, code == 6 ? "Too many requests per second" : $"error {code}");
        if (name == "messages.send")
        {
            if (Interlocked.Decrement(ref rateLimits) >= 0)
            {
                RateLimitsServed++;
                return Error(6, "Too many requests per second");
            }
            if (Interlocked.Decrement(ref serverErrors) >= 0)
            {
                ServerErrorsServed++;
                return Results.Text("<html>502 Bad Gateway</html>", "text/html", statusCode: 502);
            }
        }
        return name switch
        {
            "groups.getLongPollServer" => Ok(NewKey()),
            "utils.getServerTime" => Ok(JsonValue.Create(1_700_000_000)),
            "messages.send" => Send(form),
            "messages.edit" => Edit(form),
            "messages.sendMessageEventAnswer" => Answer(form),
            "photos.getMessagesUploadServer" => Ok(new JsonObject { ["upload_url"] = $"{Url}/upload/photo?sig=abc", ["album_id"] = -64, ["group_id"] = GroupId }),
            "docs.getMessagesUploadServer" => Ok(new JsonObject { ["upload_url"] = $"{Url}/upload/doc?sig=abc" }),
            "photos.saveMessagesPhoto" => Ok(new JsonArray(new JsonObject { ["id"] = long.Parse(form["photo"]!), ["owner_id"] = -GroupId, ["album_id"] = -64 })),
            "docs.save" => Ok(new JsonObject { ["type"] = "doc", ["doc"] = new JsonObject { ["id"] = long.Parse(form["file"]!), ["owner_id"] = -GroupId, ["title"] = form["title"].ToString() } }),
            "wall.post" => WallPost(form),
            _ => Error(3, "Unknown method passed"),
        };
    }

    /// <summary>Posts on the community's wall, as the community (owner id, message, attachments).</summary>
    public ConcurrentQueue<(long OwnerId, string Message, string Attachments)> WallPosts { get; } = new();

    /// <summary>wall.post answers error 15 (access denied), as for a token without wall rights.</summary>
    public bool RefuseWallPosts { get; set; }

    private IResult WallPost(IFormCollection form)
    {
        if (RefuseWallPosts) return Error(15, "Access denied: no access to call this method");
        WallPosts.Enqueue((long.Parse(form["owner_id"]!), form["message"].ToString(), form["attachments"].ToString()));
        return Ok(new JsonObject { ["post_id"] = WallPosts.Count });
    }

    private IResult Send(IFormCollection form)
    {
        var peer = long.Parse(form["peer_id"]!);
        if (Forbidden.ContainsKey(peer)) return Error(901, "Can't send messages for users without permission");
        var randomId = long.Parse(form["random_id"]!);
        var id = Interlocked.Increment(ref nextId);
        if (randomId != 0 && !randomIds.TryAdd((peer, randomId), id))
        {
            RepeatsDropped++;
            return Ok(JsonValue.Create(randomIds[(peer, randomId)]));
        }
        var attachment = form["attachment"].ToString();
        var kind = attachment.StartsWith("photo", StringComparison.Ordinal) ? SentKind.Photo : attachment.StartsWith("doc", StringComparison.Ordinal) ? SentKind.File : SentKind.Text;
        byte[]? file = kind == SentKind.Text ? null : uploads[attachment.Split('_')[1]];
        // An MP4 sent as a document is VK's animation.
        if (kind == SentKind.File && file is [_, _, _, _, (byte)'f', (byte)'t', (byte)'y', (byte)'p', ..]) kind = SentKind.Animation;
        var keyboard = form.TryGetValue("keyboard", out var k) ? k.ToString() : null;
        keyboards[id] = keyboard;
        lastMessageTo[peer] = id;
        log.Add(new Sent(kind, peer, form["message"], Buttons(keyboard), file, id, Labels(keyboard)));
        return Ok(JsonValue.Create(id));
    }

    private IResult Edit(IFormCollection form)
    {
        var peer = long.Parse(form["peer_id"]!);
        var id = long.Parse(form.TryGetValue("message_id", out var m) ? m.ToString() : form["conversation_message_id"].ToString());
        var keyboard = form.TryGetValue("keyboard", out var k) ? k.ToString() : null;
        if (keyboard != null) keyboards[id] = keyboard;
        // An edit names the message's attachments anew (a photo swapped in place, or the same one kept).
        var attachment = form.TryGetValue("attachment", out var a) ? a.ToString() : "";
        byte[]? file = attachment.StartsWith("photo", StringComparison.Ordinal) ? uploads[attachment.Split('_')[1]] : null;
        log.Add(new Sent(SentKind.Edit, peer, form["message"], Buttons(keyboard), file, id, Labels(keyboard)));
        return Ok(JsonValue.Create(1));
    }

    private IResult Answer(IFormCollection form)
    {
        var data = form.TryGetValue("event_data", out var d) ? JsonNode.Parse(d.ToString()) : null;
        log.Add(new Sent(SentKind.ButtonAnswer, long.Parse(form["peer_id"]!), (string?)data?["text"], [], null, 0));
        return Ok(JsonValue.Create(1));
    }

    private async Task<IResult> Upload(string kind, HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var file = form.Files[kind == "photo" ? "photo" : "file"];
        if (file == null) return Results.Json(new JsonObject { ["error"] = "no file" });
        using var copy = new MemoryStream();
        await file.CopyToAsync(copy);
        var id = Interlocked.Increment(ref nextId).ToString();
        uploads[id] = copy.ToArray();
        // The real servers answer opaque strings that the save methods take back; here they carry the upload's id.
        return kind == "photo"
            ? Results.Json(new JsonObject { ["server"] = 777, ["photo"] = id, ["hash"] = "h" + id })
            : Results.Json(new JsonObject { ["file"] = id });
    }

    private static IReadOnlyList<string> Labels(string? keyboard) =>
        keyboard == null ? [] : JsonNode.Parse(keyboard)!["buttons"]!.AsArray().SelectMany(r => r!.AsArray()).Select(b => (string)b!["action"]!["label"]!).ToList();

    private static IReadOnlyList<string> Buttons(string? keyboard)
    {
        if (keyboard == null) return [];
        return JsonNode.Parse(keyboard)!["buttons"]!.AsArray().SelectMany(r => r!.AsArray()).Select(b =>
        {
            // A link opens a page: its address stands in for data no press could send.
            if ((string?)b!["action"]!["type"] == "open_link") return "link:" + (string)b["action"]!["link"]!;
            var payload = JsonNode.Parse((string)b["action"]!["payload"]!)!;
            return (string?)payload["d"] ?? $"page:{payload["page"]}";
        }).ToList();
    }

    private JsonObject NewKey()
    {
        keyVersion++;
        lock (events) return new JsonObject { ["server"] = $"{Url}/lp", ["key"] = CurrentKey, ["ts"] = ts.ToString() };
    }

    private async Task<IResult> LongPoll(string act, string key, string ts, int wait)
    {
        if (NextFailures.TryDequeue(out var failed))
        {
            lock (events)
                return failed == 1
                    ? Results.Json(new JsonObject { ["failed"] = 1, ["ts"] = this.ts.ToString() })
                    : Results.Json(new JsonObject { ["failed"] = failed });
        }
        if (key != CurrentKey) return Results.Json(new JsonObject { ["failed"] = 2 });
        Interlocked.Increment(ref polls);
        var from = long.Parse(ts);
        var deadline = DateTime.UtcNow.AddSeconds(Math.Min(wait, 2));
        while (true)
        {
            lock (events)
            {
                var pending = events.Where(e => e.Ts >= from).Select(e => (JsonNode)e.Event.DeepClone()).ToArray();
                if (pending.Length > 0 || DateTime.UtcNow >= deadline)
                    return Results.Json(new JsonObject { ["ts"] = this.ts.ToString(), ["updates"] = new JsonArray(pending) });
            }
            await pushed.WaitAsync(TimeSpan.FromMilliseconds(100));
        }
    }

    private static IResult Ok(JsonNode response) => Results.Json(new JsonObject { ["response"] = response });

    private static IResult Error(int code, string message) =>
        Results.Json(new JsonObject { ["error"] = new JsonObject { ["error_code"] = code, ["error_msg"] = message } });
}
