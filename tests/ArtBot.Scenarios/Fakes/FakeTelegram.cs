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
/// A fake Telegram Bot API on 127.0.0.1 (random port): getUpdates long polling over a list the
/// test feeds, getFile and file download, sendMessage / sendPhoto / sendDocument (multipart),
/// editMessageText, answerCallbackQuery; records every call and can answer 429 on demand.
/// </summary>
public sealed class FakeTelegram : IFakeMessengerApi
{
    public const string Token = "123456:TEST-token-for-the-fake-api";
    private readonly WebApplication app;
    private readonly List<JsonObject> updates = [];
    private readonly ConcurrentDictionary<string, byte[]> files = new();
    private readonly SentLog log = new();
    private long nextUpdate = 1;
    private int polls;
    private long nextMessage = 1000;
    private int tooManyRequests;
    private int serverErrors;

    public FakeTelegram()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        app = builder.Build();
        app.MapPost("/bot{token}/{method}", Handle);
        app.MapGet("/file/bot{token}/{*path}", (string token, string path) =>
            token == Token && files.TryGetValue(path, out var bytes) ? Results.Bytes(bytes, "application/octet-stream") : Results.NotFound());
    }

    public string Url { get; private set; } = "";

    public string Platform => "telegram";

    public IReadOnlyList<string> Secrets => [Token, Token.Split(':')[1]];

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Telegram:Token"] = Token,
        ["Telegram:BaseUrl"] = Url,
        ["Telegram:PollTimeoutSeconds"] = "1",
    };

    public string MaxDownloadSetting => "Telegram:MaxDownloadBytes";

    public IReadOnlyList<Sent> Sent => log.All;

    public int RateLimitsServed { get; private set; }

    public int Polls => polls;

    /// <summary>A webhook someone set for this bot: getUpdates answers 409 while it is.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The last setWebhook call's parameters.</summary>
    public JsonObject? WebhookSet { get; private set; }

    public int WebhookDeletes => webhookDeletes;

    /// <summary>getUpdates calls answered (<see cref="Polls"/> also counts a webhook being set).</summary>
    public int GetUpdatesCalls => getUpdates;

    private int getUpdates;

    private int webhookDeletes;

    /// <summary>getUpdates refused with 409.</summary>
    public int Conflicts => conflicts;

    private int conflicts;

    public async Task StartAsync()
    {
        await app.StartAsync();
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    /// <summary>The next <paramref name="count"/> send/edit calls answer 429 with retry_after 1.</summary>
    public void RateLimitSends(int count) => Interlocked.Exchange(ref tooManyRequests, count);

    /// <summary>The next <paramref name="count"/> send/edit calls answer 502 Bad Gateway.</summary>
    public void FailSends(int count) => Interlocked.Exchange(ref serverErrors, count);

    public int ServerErrorsServed { get; private set; }

    private static JsonObject From(long user, string language) =>
        new() { ["id"] = user, ["is_bot"] = false, ["first_name"] = "Test", ["language_code"] = language };

    private JsonObject NewMessage(long user, string language) => new()
    {
        ["message_id"] = Interlocked.Increment(ref nextMessage),
        ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["chat"] = new JsonObject { ["id"] = user, ["type"] = "private" },
        ["from"] = From(user, language),
    };

    private void Push(JsonObject update)
    {
        lock (updates)
        {
            update["update_id"] = nextUpdate++;
            updates.Add(update);
        }
    }

    /// <summary>A text update as Telegram would post it to a webhook (not queued for getUpdates).</summary>
    public JsonObject TextUpdate(long user, string text, string language = "en")
    {
        var update = TextOnly(user, text, language);
        lock (updates) update["update_id"] = nextUpdate++;
        return update;
    }

    public void PushText(long user, string text, string language = "en") => Push(TextOnly(user, text, language));

    private JsonObject TextOnly(long user, string text, string language)
    {
        var message = NewMessage(user, language);
        message["text"] = text;
        return new JsonObject { ["message"] = message };
    }

    public void PushPhoto(long user, byte[] photo, string? caption = null, string language = "en") => PushPhoto(user, photo, caption, null, language);

    private void PushPhoto(long user, byte[] photo, string? caption, string? album, string language)
    {
        var id = $"photo{files.Count + 1}";
        files[$"photos/{id}.jpg"] = photo;
        var message = NewMessage(user, language);
        message["photo"] = new JsonArray(
            new JsonObject { ["file_id"] = id + "-thumb", ["file_unique_id"] = id + "t", ["width"] = 90, ["height"] = 60, ["file_size"] = 100 },
            new JsonObject { ["file_id"] = id, ["file_unique_id"] = id + "u", ["width"] = 1024, ["height"] = 768, ["file_size"] = photo.Length });
        if (caption != null) message["caption"] = caption;
        if (album != null) message["media_group_id"] = album;
        Push(new JsonObject { ["message"] = message });
    }

    /// <summary>The profile calls at start (setMyCommands, setMyDescription, setMyShortDescription) lose their connection.</summary>
    public bool DropProfileCalls { get; set; }

    /// <summary>
    /// One album whose photos reach the bot in separate getUpdates answers, <paramref name="gap"/>
    /// apart: each piece is pushed once the bot has taken the one before and asked again.
    /// </summary>
    public async Task PushAlbumInPiecesAsync(long user, TimeSpan gap, params byte[][] photos)
    {
        var album = $"album{Interlocked.Increment(ref nextMessage)}";
        foreach (var photo in photos)
        {
            var polls = Polls;
            PushPhoto(user, photo, null, album, "en");
            // Taken: the bot has asked again, so the answer that held it has reached it.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (Polls < polls + 1)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("the bot stopped polling");
                await Task.Delay(10);
            }
            await Task.Delay(gap);
        }
    }

    public void PushAlbum(long user, byte[] content, byte[] style, byte[]? secondStyle = null)
    {
        var album = $"album{Interlocked.Increment(ref nextMessage)}";
        PushPhoto(user, content, null, album, "en");
        PushPhoto(user, style, null, album, "en");
        if (secondStyle != null) PushPhoto(user, secondStyle, null, album, "en");
    }

    public void PushAnimation(long user, byte[] video, string mimeType = "image/gif")
    {
        var id = $"anim{files.Count + 1}";
        files[$"photos/{id}.jpg"] = video;
        var message = NewMessage(user, "en");
        message["animation"] = new JsonObject
        {
            ["file_id"] = id, ["file_unique_id"] = id + "u", ["width"] = 96, ["height"] = 72, ["duration"] = 1, ["mime_type"] = mimeType, ["file_size"] = video.Length,
        };
        Push(new JsonObject { ["message"] = message });
    }

    public void PushFile(long user, byte[] content, string mimeType, string name)
    {
        var id = $"doc{files.Count + 1}";
        files[$"photos/{id}.jpg"] = content;
        var message = NewMessage(user, "en");
        message["document"] = new JsonObject { ["file_id"] = id, ["file_unique_id"] = id + "u", ["file_name"] = name, ["mime_type"] = mimeType, ["file_size"] = content.Length };
        Push(new JsonObject { ["message"] = message });
    }

    public string PushUnsupported(long user)
    {
        PushSticker(user);
        return "I can't use a sticker. Send a photo, please.";
    }

    public void PushSticker(long user)
    {
        var message = NewMessage(user, "en");
        message["sticker"] = new JsonObject { ["file_id"] = "s1", ["file_unique_id"] = "s1u", ["type"] = "regular", ["width"] = 512, ["height"] = 512, ["is_animated"] = false, ["is_video"] = false };
        Push(new JsonObject { ["message"] = message });
    }

    /// <summary>The file ids of pictures the bot sent, and the chat each went to.</summary>
    public ConcurrentDictionary<string, long> SentFiles { get; } = new();

    /// <summary>Every answerInlineQuery call, as sent.</summary>
    public ConcurrentQueue<JsonObject> InlineAnswers { get; } = new();

    /// <summary>The user types the bot's name and <paramref name="query"/> in some chat (inline mode); returns the query's id.</summary>
    public string PushInlineQuery(long user, string query, string language = "en")
    {
        var id = $"iq{Interlocked.Increment(ref nextMessage)}";
        Push(new JsonObject { ["inline_query"] = new JsonObject { ["id"] = id, ["from"] = From(user, language), ["query"] = query, ["offset"] = "" } });
        return id;
    }

    /// <summary>Telegram asks the bot whether a payment may go ahead.</summary>
    public void PushPreCheckout(long user, string payload, long amount, string currency = "XTR") =>
        Push(new JsonObject
        {
            ["pre_checkout_query"] = new JsonObject
            {
                ["id"] = $"pcq{nextUpdate}", ["from"] = From(user, "en"), ["currency"] = currency, ["total_amount"] = amount, ["invoice_payload"] = payload,
            },
        });

    /// <summary>A payment went through: the service message with <c>successful_payment</c>.</summary>
    public void PushPayment(long user, string payload, long amount, string chargeId)
    {
        var message = NewMessage(user, "en");
        message["successful_payment"] = new JsonObject
        {
            ["currency"] = "XTR", ["total_amount"] = amount, ["invoice_payload"] = payload,
            ["telegram_payment_charge_id"] = chargeId, ["provider_payment_charge_id"] = "",
        };
        Push(new JsonObject { ["message"] = message });
    }

    /// <summary>Invoices sent: payload, currency, amount, provider token.</summary>
    public ConcurrentQueue<(string Payload, string Currency, long Amount, string? ProviderToken)> Invoices { get; } = new();

    public ConcurrentQueue<(long UserId, string ChargeId)> Refunds { get; } = new();

    /// <summary>The bot's profile as set: (method, language code or "") → the body (commands, description…).</summary>
    public ConcurrentDictionary<(string Method, string Language), JsonNode> Profile { get; } = new();

    public void PushButton(long user, string data, string language = "en")
    {
        Push(new JsonObject
        {
            ["callback_query"] = new JsonObject
            {
                ["id"] = $"cq{nextUpdate}",
                ["from"] = From(user, language),
                ["chat_instance"] = "ci",
                ["data"] = data,
                ["message"] = NewMessage(user, language),
            },
        });
    }

    public Task<IReadOnlyList<Sent>> WaitForAsync(Func<IReadOnlyList<Sent>, bool> condition, TimeSpan timeout, string what) =>
        log.WaitForAsync(condition, timeout, what);

    private async Task<IResult> Handle(string token, string method, HttpRequest request)
    {
        if (token != Token) return Results.Json(new { ok = false, error_code = 401, description = "Unauthorized" }, statusCode: 401);
        method = method.ToLowerInvariant();
        JsonNode? body;
        byte[]? file = null;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            body = new JsonObject();
            foreach (var field in form) body[field.Key] = field.Value.ToString();
            if (form.Files.Count > 0)
            {
                using var copy = new MemoryStream();
                await form.Files[0].CopyToAsync(copy);
                file = copy.ToArray();
            }
        }
        else
        {
            body = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0
                ? await JsonNode.ParseAsync(request.Body)
                : new JsonObject();
        }

        if (method is "sendmessage" or "sendphoto" or "senddocument" or "editmessagetext" && Interlocked.Decrement(ref tooManyRequests) >= 0)
        {
            RateLimitsServed++;
            return Results.Json(new { ok = false, error_code = 429, description = "Too Many Requests: retry after 1", parameters = new { retry_after = 1 } }, statusCode: 429);
        }

        if (method is "sendmessage" or "sendphoto" or "senddocument" or "editmessagetext" && Interlocked.Decrement(ref serverErrors) >= 0)
        {
            ServerErrorsServed++;
            return Results.Json(new { ok = false, error_code = 502, description = "Bad Gateway" }, statusCode: 502);
        }

        switch (method)
        {
            case "setwebhook":
                // The bot listens from now on, as a first poll says for polling.
                Interlocked.Increment(ref polls);
                WebhookUrl = (string?)body?["url"];
                WebhookSet = body?.DeepClone().AsObject();
                return Ok(true);
            case "deletewebhook":
                WebhookUrl = null;
                Interlocked.Increment(ref webhookDeletes);
                return Ok(true);
            case "getwebhookinfo":
                return Ok(new JsonObject { ["url"] = WebhookUrl ?? "", ["has_custom_certificate"] = false, ["pending_update_count"] = 0 });
            case "getupdates" when WebhookUrl != null:
                Interlocked.Increment(ref polls);
                Interlocked.Increment(ref conflicts);
                return Results.Json(new { ok = false, error_code = 409, description = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" }, statusCode: 409);
            case "getupdates":
                Interlocked.Increment(ref polls);
                Interlocked.Increment(ref getUpdates);
                return Ok(await UpdatesAsync((long?)body?["offset"] ?? 0, (int?)body?["timeout"] ?? 0));
            case "getme":
                return Ok(new JsonObject { ["id"] = 123456, ["is_bot"] = true, ["first_name"] = "ArtBot", ["username"] = "art_test_bot" });
            case "getfile":
                var fileId = (string)body!["file_id"]!;
                var path = $"photos/{fileId}.jpg";
                return files.TryGetValue(path, out var bytes)
                    ? Ok(new JsonObject { ["file_id"] = fileId, ["file_unique_id"] = fileId + "u", ["file_size"] = bytes.Length, ["file_path"] = path })
                    : Results.Json(new { ok = false, error_code = 400, description = "Bad Request: invalid file_id" }, statusCode: 400);
            case "sendinvoice":
                var price = JsonNode.Parse(body!["prices"]!.ToString())!.AsArray()[0]!;
                Invoices.Enqueue(((string)body["payload"]!, (string)body["currency"]!, long.Parse(price["amount"]!.ToString()), (string?)body["provider_token"]));
                var invoiceId = Interlocked.Increment(ref nextMessage);
                log.Add(new Sent(SentKind.Invoice, long.Parse(body["chat_id"]!.ToString()), (string?)body["title"], [], null, invoiceId));
                return Ok(new JsonObject { ["message_id"] = invoiceId, ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["chat"] = new JsonObject { ["id"] = long.Parse(body["chat_id"]!.ToString()), ["type"] = "private" } });
            case "answerprecheckoutquery":
                var ok = body!["ok"]!.ToString() is "true" or "True";
                log.Add(new Sent(SentKind.PreCheckoutAnswer, 0, ok ? null : (string?)body["error_message"], [], null, 0));
                return Ok(JsonValue.Create(true));
            case "refundstarpayment":
                Refunds.Enqueue((long.Parse(body!["user_id"]!.ToString()), (string)body["telegram_payment_charge_id"]!));
                return Ok(JsonValue.Create(true));
            case "setmycommands" or "setmydescription" or "setmyshortdescription" when DropProfileCalls:
                // The connection drops mid-request, as a flaky network drops it.
                request.HttpContext.Abort();
                return Results.Empty;
            case "setmycommands" or "setmydescription" or "setmyshortdescription":
                Profile[(method, (string?)body?["language_code"] ?? "")] = body!.DeepClone();
                return Ok(JsonValue.Create(true));
            case "editmessagemedia" or "editmessagecaption":
            {
                var edited = long.Parse(body!["chat_id"]!.ToString());
                var messageId = long.Parse(body["message_id"]!.ToString());
                var keyboard = Json(body["reply_markup"]);
                var caption = method == "editmessagemedia" ? (string?)Json(body["media"])?["caption"] : (string?)body["caption"];
                log.Add(new Sent(SentKind.Edit, edited, caption, Buttons(keyboard), method == "editmessagemedia" ? file : null, messageId, Buttons(keyboard, "text")));
                return Ok(new JsonObject
                {
                    ["message_id"] = messageId,
                    ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                    ["chat"] = new JsonObject { ["id"] = edited, ["type"] = "private" },
                    ["caption"] = caption,
                });
            }
            case "answerinlinequery":
                InlineAnswers.Enqueue(body!.DeepClone().AsObject());
                log.Add(new Sent(SentKind.InlineAnswer, 0, (string?)body["inline_query_id"], [], null, 0));
                return Ok(JsonValue.Create(true));
            case "answercallbackquery":
                log.Add(new Sent(SentKind.ButtonAnswer, 0, (string?)body?["text"], [], null, 0));
                return Ok(JsonValue.Create(true));
            case "sendmessage" or "sendphoto" or "senddocument" or "editmessagetext" or "sendanimation":
                var chat = long.Parse(body!["chat_id"]!.ToString());
                var markup = body["reply_markup"] is { } m ? (m is JsonValue v && v.TryGetValue<string>(out var s) ? JsonNode.Parse(s) : m) : null;
                var id = method == "editmessagetext" ? long.Parse(body["message_id"]!.ToString()) : Interlocked.Increment(ref nextMessage);
                var kind = method switch { "sendmessage" => SentKind.Text, "sendphoto" => SentKind.Photo, "senddocument" => SentKind.File, "sendanimation" => SentKind.Animation, _ => SentKind.Edit };
                log.Add(new Sent(kind, chat, (string?)body["text"] ?? (string?)body["caption"], Buttons(markup), file, id, Buttons(markup, "text")));
                var sent = new JsonObject
                {
                    ["message_id"] = id,
                    ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                    ["chat"] = new JsonObject { ["id"] = chat, ["type"] = "private" },
                    ["text"] = (string?)body["text"],
                };
                // As Telegram answers a sent picture: its sizes (or the clip) with file ids that send it again.
                if (kind == SentKind.Photo)
                {
                    sent["photo"] = new JsonArray(
                        new JsonObject { ["file_id"] = $"sent{id}-small", ["file_unique_id"] = $"s{id}s", ["width"] = 90, ["height"] = 90 },
                        new JsonObject { ["file_id"] = $"sent{id}", ["file_unique_id"] = $"s{id}", ["width"] = 640, ["height"] = 640 });
                    SentFiles[$"sent{id}"] = chat;
                }
                if (kind == SentKind.Animation)
                {
                    sent["animation"] = new JsonObject { ["file_id"] = $"sent{id}", ["file_unique_id"] = $"s{id}", ["width"] = 96, ["height"] = 72, ["duration"] = 1 };
                    SentFiles[$"sent{id}"] = chat;
                }
                return Ok(sent);
            default:
                return Results.Json(new { ok = false, error_code = 404, description = $"Not Found: method {method} is not faked" }, statusCode: 404);
        }
    }

    /// <summary>A field that is JSON: an object in a JSON body, a string in a multipart form.</summary>
    private static JsonNode? Json(JsonNode? field) => field is JsonValue value && value.TryGetValue<string>(out var text) ? JsonNode.Parse(text) : field;

    /// <summary>Each button's <paramref name="field"/>; a link stands as "link:" and its address, "send to a chat" as "inline:" and its query.</summary>
    private static IReadOnlyList<string> Buttons(JsonNode? markup, string field = "callback_data") =>
        markup?["inline_keyboard"]?.AsArray().SelectMany(r => r!.AsArray()).Select(b => (string?)b![field]
            ?? (b["url"] is { } url ? "link:" + (string)url! : b["switch_inline_query_chosen_chat"] is { } chosen ? "inline:" + (string?)chosen["query"] : null)!).ToList() ?? [];

    private async Task<JsonArray> UpdatesAsync(long offset, int timeout)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(Math.Min(timeout, 1));
        while (true)
        {
            lock (updates)
            {
                var pending = updates.Where(u => (long)u["update_id"]! >= offset).Select(u => u.DeepClone()).ToArray();
                if (pending.Length > 0 || DateTime.UtcNow >= deadline) return new JsonArray(pending);
            }
            await Task.Delay(50);
        }
    }

    private static IResult Ok(JsonNode? result) =>
        Results.Text(new JsonObject { ["ok"] = true, ["result"] = result }.ToJsonString(), "application/json");
}
