using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ArtBot.Domain.Bot;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArtBot.Web;

/// <summary>
/// The web chat: a page and a small JSON API on Kestrel, inside the bot's host. Each browser is a
/// user, named by a random id in a cookie. Requests are parsed into the domain's messages and
/// handed to <see cref="BotService"/> one at a time, as the other adapters do; rendering happens
/// in the queue. Limits as on the messengers: upload size, files per message, messages a minute.
/// </summary>
public sealed class WebChatServer(
    BotService bot,
    WebChats chats,
    WebMessenger messenger,
    ISecretStore secrets,
    IOptions<WebOptions> options,
    ILogger<WebChatServer> logger) : BackgroundService
{
    public const string UserCookie = "artbot_user", KeyCookie = "artbot_key";
    private const long SmallBody = 4096;
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(25);
    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]", "::1"];
    private byte[] cookieKey = [];
    private HashSet<string> hosts = [];
    private readonly SemaphoreSlim handling = new(1, 1);
    private readonly ConcurrentDictionary<long, Queue<DateTimeOffset>> recent = new();
    private WebApplication? app;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        cookieKey = o.CookieKey != null && WebOptions.TryKey(o.CookieKey, out var configured) ? configured : secrets.GetOrCreate("web-cookie");
        hosts = new HashSet<string>([o.Host, .. LoopbackNames, .. o.AllowedHosts ?? []], StringComparer.OrdinalIgnoreCase);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(o.Url);
        // The largest body anything may send; each request is held to its own (smaller) limit in GuardAsync.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = SendLimit);
        app = builder.Build();
        app.Use(GuardAsync);
        app.MapGet("/", Page);
        app.MapGet("/api/health", () => Results.Text("ok"));
        app.MapGet("/api/messages", Messages);
        app.MapGet("/api/image/{id:long}", Image);
        app.MapPost("/api/send", (Delegate)SendAsync);
        app.MapPost("/api/button", (Delegate)ButtonAsync);
        await app.StartAsync(cancellationToken);
        logger.LogInformation("Web chat: {Url}", o.Url);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (app != null) await app.StopAsync(cancellationToken);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        (app as IDisposable)?.Dispose();
        base.Dispose();
    }

    private long SendLimit => options.Value.MaxUploadBytes * options.Value.MaxFilesPerMessage + 64 * 1024;

    /// <summary>
    /// For every request: the Host and Origin (a page of another site that rebinds its name to
    /// this address gets 403), a body limit fitting the endpoint (set before anything is read),
    /// the access key when one is set, and the signed user cookie.
    /// </summary>
    private async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        if (!hosts.Contains(context.Request.Host.Host) || !SameSite(context.Request))
        {
            logger.LogWarning("Web request refused: host {Host}, origin {Origin}", Printable(context.Request.Host.Value ?? ""), Printable(context.Request.Headers.Origin.ToString()));
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
            body.MaxRequestBodySize = context.Request.Path.StartsWithSegments("/api/send") ? SendLimit : SmallBody;

        var key = options.Value.AccessKey;
        if (!string.IsNullOrEmpty(key))
        {
            var given = context.Request.Query["key"].FirstOrDefault() ?? context.Request.Cookies[KeyCookie];
            if (given == null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key)))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("ArtBot: open this page with ?key=<access key>.");
                return;
            }
            context.Response.Cookies.Append(KeyCookie, given, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, MaxAge = TimeSpan.FromDays(365) });
        }
        if (UserOf(context.Request.Cookies[UserCookie]) is not { } user)
        {
            if (context.Request.Cookies[UserCookie] != null) logger.LogWarning("Web cookie with a bad signature: a new anonymous user");
            // Random and 62 bits long, and signed: a browser can neither guess nor forge another's id.
            user = RandomNumberGenerator.GetInt32(1, int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(0, int.MaxValue);
            context.Response.Cookies.Append(UserCookie, CookieOf(user),
                new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, MaxAge = TimeSpan.FromDays(365) });
        }
        context.Items[UserCookie] = user;
        await next(context);
    }

    private static long UserOf(HttpContext context) => (long)context.Items[UserCookie]!;

    /// <summary>"id.signature": HMAC-SHA256 of the id under the server's key.</summary>
    public static string SignedCookie(long user, byte[] key) =>
        $"{user.ToString(CultureInfo.InvariantCulture)}.{Base64Url(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"artbot-web-user:{user}")))}";

    private string CookieOf(long user) => SignedCookie(user, cookieKey);

    private long? UserOf(string? cookie)
    {
        if (cookie is not { Length: <= 80 } || cookie.Split('.') is not [var id, _]
            || !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var user) || user <= 0) return null;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(cookie), Encoding.ASCII.GetBytes(CookieOf(user))) ? user : null;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A browser names the page that sends a request: it must be this chat's own.</summary>
    private bool SameSite(HttpRequest request)
    {
        if (request.Headers["Sec-Fetch-Site"].ToString() is "cross-site") return false;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return true;
        // By name only: behind a proxy the public port differs from the one Kestrel sees.
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri) && hosts.Contains(uri.Host);
    }

    private static string Printable(string text) => new(text.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static ChatUser From(HttpContext context)
    {
        var user = UserOf(context);
        var language = context.Request.Headers.AcceptLanguage.ToString().Split(',')[0].Split(';')[0].Trim();
        return new ChatUser(WebMessenger.PlatformName, user, user, language.Length > 0 ? language : null);
    }

    private static IResult Page()
    {
        using var stream = typeof(WebChatServer).Assembly.GetManifestResourceStream("web/index.html")!;
        using var reader = new StreamReader(stream);
        return Results.Content(reader.ReadToEnd(), "text/html; charset=utf-8");
    }

    private async Task<IResult> Messages(HttpContext context, long after = 0, int wait = 0)
    {
        var list = await chats.ReadAsync(UserOf(context), after, TimeSpan.FromSeconds(Math.Clamp(wait, 0, (int)LongPoll.TotalSeconds)), context.RequestAborted);
        return Results.Json(new { instance = chats.Instance, messages = list });
    }

    private IResult Image(HttpContext context, long id, int download = 0)
    {
        if (chats.Image(UserOf(context), id) is not { } image) return Results.NotFound();
        var (type, extension) = image.Bytes switch
        {
            [0x89, 0x50, ..] => ("image/png", "png"),
            [_, _, _, _, (byte)'f', (byte)'t', (byte)'y', (byte)'p', ..] => ("video/mp4", "mp4"),
            _ => ("image/jpeg", "jpg"),
        };
        return Results.File(image.Bytes, type, download != 0 || image.AsFile ? $"artbot-{id}.{extension}" : null);
    }

    private async Task<IResult> SendAsync(HttpContext context)
    {
        var from = From(context);
        if (!Allowed(from.UserId)) return TooFast(from);
        if (!context.Request.HasFormContentType) return Results.BadRequest();
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            logger.LogInformation("Web upload from {User} refused: {Problem}", from.UserId, e.Message);
            return await RejectAsync(from, TooLarge());
        }
        var text = form["text"].ToString().Trim();
        var files = form.Files.Take(options.Value.MaxFilesPerMessage).ToList();

        Incoming incoming;
        if (files.Count > 0)
        {
            if (files.Any(f => f.Length > options.Value.MaxUploadBytes)) return await RejectAsync(from, TooLarge());
            // As with Telegram's documents, the declared type decides; the engine checks the bytes.
            var images = files.Where(f => f.ContentType is "image/jpeg" or "image/png" or "image/webp").ToList();
            var clip = files.FirstOrDefault(f => f.ContentType is "image/gif" || f.ContentType.StartsWith("video/", StringComparison.Ordinal));
            if (images.Count == 0 && clip != null)
            {
                using var buffer = new MemoryStream();
                await clip.CopyToAsync(buffer, context.RequestAborted);
                incoming = new AnimationMessage(from, buffer.ToArray(), text.Length > 0 ? text : null);
            }
            else if (images.Count == 0)
            {
                incoming = new UnsupportedMessage(from, files[0].ContentType.Split('/')[0] switch
                {
                    "audio" => Unsupported.Audio,
                    "video" => Unsupported.Video,
                    _ => Unsupported.File,
                });
            }
            else
            {
                var photos = new List<byte[]>();
                foreach (var file in images)
                {
                    using var buffer = new MemoryStream();
                    await file.CopyToAsync(buffer, context.RequestAborted);
                    photos.Add(buffer.ToArray());
                }
                incoming = new PhotoMessage(from, photos.Take(PhotoMessage.PhotosUsed).ToList(), text.Length > 0 ? text : null);
            }
        }
        else if (text.StartsWith('/'))
        {
            var parts = text[1..].Split(' ', 2, StringSplitOptions.TrimEntries);
            incoming = new CommandMessage(from, parts[0].ToLowerInvariant(), parts.Length > 1 ? parts[1] : "");
        }
        else if (text.Length > 0)
        {
            incoming = new TextMessage(from, text);
        }
        else
        {
            return Results.BadRequest();
        }
        await HandleAsync(incoming, context.RequestAborted);
        return Results.Json(new { ok = true });
    }

    private async Task<IResult> ButtonAsync(HttpContext context)
    {
        var from = From(context);
        if (!Allowed(from.UserId)) return TooFast(from);
        Dictionary<string, string>? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<Dictionary<string, string>>(context.RequestAborted);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or BadHttpRequestException or InvalidOperationException)
        {
            logger.LogInformation("Web button from {User} refused: {Problem}", from.UserId, e.GetType().Name);
            return Results.StatusCode(e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest);
        }
        if (body?.GetValueOrDefault("data") is not { Length: > 0 and <= 256 } data) return Results.BadRequest();
        await HandleAsync(new ButtonPressed(from, $"{from.UserId}:{Guid.NewGuid():N}", data), context.RequestAborted);
        return Results.Json(new { ok = true });
    }

    private Task HandleAsync(Incoming incoming, CancellationToken requestAborted) =>
        OneAtATimeAsync(() => bot.HandleAsync(incoming, messenger, CancellationToken.None), requestAborted);

    private async Task<IResult> RejectAsync(ChatUser from, UploadRefusal reason)
    {
        await OneAtATimeAsync(() => bot.RejectUploadAsync(from, messenger, reason), CancellationToken.None);
        return Results.Json(new { ok = false }, statusCode: StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>
    /// Messages are handled one at a time, as the other adapters' receivers do. Handling only
    /// queues work: once started it finishes even if the browser goes away meanwhile.
    /// </summary>
    private async Task OneAtATimeAsync(Func<Task> work, CancellationToken requestAborted)
    {
        await handling.WaitAsync(requestAborted);
        try
        {
            await work();
        }
        finally
        {
            handling.Release();
        }
    }

    private IResult TooFast(ChatUser from)
    {
        logger.LogInformation("Web user {User} is over {Limit} messages a minute", from.UserId, options.Value.MessagesPerMinute);
        chats.Add(from.ChatId, "notice", Texts.Get(Texts.LanguageOf(from.LanguageCode), TextKey.RateLimited), null);
        return Results.Json(new { ok = false }, statusCode: StatusCodes.Status429TooManyRequests);
    }

    private bool Allowed(long user)
    {
        var now = DateTimeOffset.UtcNow;
        // Bounded: entries of browsers quiet for a minute go once there are many.
        if (recent.Count > options.Value.MaxChats)
            foreach (var (id, queue) in recent)
                lock (queue)
                    if (queue.Count == 0 || now - queue.Last() > TimeSpan.FromMinutes(1)) recent.TryRemove(id, out _);
        var times = recent.GetOrAdd(user, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            while (times.Count > 0 && now - times.Peek() > TimeSpan.FromMinutes(1)) times.Dequeue();
            if (times.Count >= options.Value.MessagesPerMinute) return false;
            times.Enqueue(now);
            return true;
        }
    }

    private UploadRefusal TooLarge() => new(UploadProblem.TooLarge, options.Value.MaxUploadBytes);

}
