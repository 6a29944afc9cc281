using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using HeaderUtilities = Microsoft.Net.Http.Headers.HeaderUtilities;
using MediaTypeHeaderValue = Microsoft.Net.Http.Headers.MediaTypeHeaderValue;

namespace ArtBot.Web;

/// <summary>
/// The web chat: a page and a small JSON API on Kestrel, inside the bot's host. Each browser is a
/// user, named by a random id in a signed cookie that only loading the page makes, and no more
/// often than its network's allowance; every API request without a valid cookie gets 401 and makes
/// nothing. Requests are parsed into the domain's messages (naming the client's network, so the
/// domain's limits hold for it too) and handed to <see cref="BotService"/> one at a time, as the
/// other adapters do; rendering happens in the queue.
/// </summary>
public sealed class WebChatServer(
    BotService bot,
    WebChats chats,
    WebMessenger messenger,
    IImageStore images,
    ISecretStore secrets,
    ArtBot.Domain.Gallery.GalleryService gallery,
    IOptions<WebOptions> options,
    TimeProvider time,
    ILogger<WebChatServer> logger) : BackgroundService
{
    public const string UserCookie = "artbot_user", KeyCookie = "artbot_key";
    private const long SmallBody = 4096;
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(25);
    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]", "::1"];
    private byte[] cookieKey = [];
    private HashSet<string> hosts = [];
    private readonly SemaphoreSlim handling = new(1, 1);
    private SemaphoreSlim uploads = new(1, 1);
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> recent = new();
    private readonly WebIdentities identities = new(options, time);
    private WebApplication? app;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        cookieKey = o.CookieKey != null && WebOptions.TryKey(o.CookieKey, out var configured) ? configured : secrets.GetOrCreate("web-cookie");
        hosts = new HashSet<string>([o.Host, .. LoopbackNames, .. o.AllowedHosts ?? []], StringComparer.OrdinalIgnoreCase);
        uploads = new SemaphoreSlim(o.ConcurrentUploads, o.ConcurrentUploads);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(o.Url);
        // The largest body anything may send; each request is held to its own (smaller) limit in GuardAsync.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = SendLimit);
        app = builder.Build();
        if (o.KnownProxies is { Length: > 0 } proxies) app.UseForwardedHeaders(Forwarding(proxies));
        app.Use(GuardAsync);
        app.MapGet("/api/health", () => Results.Text("ok"));
        if (o.Chat)
        {
            app.MapGet("/", Page);
            app.MapGet("/api/messages", Messages);
            app.MapGet("/api/image/{id:long}", (Delegate)ImageAsync);
            app.MapPost("/api/send", (Delegate)SendAsync);
            app.MapPost("/api/button", (Delegate)ButtonAsync);
        }
        // Votes count against the visitor's and the network's minute, as chat messages do.
        if (GalleryOn) new GalleryPages(gallery, o.Chat).Map(app, c => c.Items[UserCookie] as long?, c => c.Items[UserCookie] is not long || Allowed(From(c)));
        await app.StartAsync(cancellationToken);
        if (o.Chat) logger.LogInformation("Web chat: {Url}", o.Url);
        if (GalleryOn) logger.LogInformation("Gallery: {Url}", gallery.Options.GalleryPage);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Only the configured proxies are believed, none of ASP.NET Core's defaults (loopback): a header anyone can send names nobody.</summary>
    private static ForwardedHeadersOptions Forwarding(string[] proxies)
    {
        var forwarding = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost };
        forwarding.KnownProxies.Clear();
        forwarding.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
            if (IPAddress.TryParse(proxy, out var address)) forwarding.KnownProxies.Add(address);
            else forwarding.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
        return forwarding;
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

    private bool GalleryOn => gallery.Options.Sharing;

    private long SendLimit => options.Value.MaxUploadBytes * options.Value.MaxFilesPerMessage + 64 * 1024;

    /// <summary>
    /// For every request: the Host and Origin (a page of another site, or of another port of this
    /// host, gets 403), a body limit fitting the endpoint (set before anything is read), the access
    /// key when one is set, and the signed user cookie: made by loading the page within the
    /// network's allowance, and required by everything else.
    /// </summary>
    private async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        // The gallery's pages and images are public: reached from links in chats and unfurled by
        // their previews, so from any site, without the access key. Its votes are posts like the chat's.
        var publicGet = GalleryOn && (GalleryPages.IsPublic(request.Path) || !options.Value.Chat && request.Path == "/")
                        && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));
        if (!hosts.Contains(request.Host.Host) || (!publicGet && !SameSite(request)))
        {
            logger.LogWarning("Web request refused: host {Host}, origin {Origin}", Printable(request.Host.Value ?? ""), Printable(request.Headers.Origin.ToString()));
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
            body.MaxRequestBodySize = request.Path.StartsWithSegments("/api/send") ? SendLimit : SmallBody;

        var key = options.Value.AccessKey;
        var galleryPath = GalleryOn && (GalleryPages.IsPublic(request.Path) || request.Path.StartsWithSegments("/gallery"));
        if (!string.IsNullOrEmpty(key) && !galleryPath)
        {
            var given = request.Query["key"].FirstOrDefault() ?? request.Cookies[KeyCookie];
            if (given == null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key)))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("ArtBot: open this page with ?key=<access key>.");
                return;
            }
            context.Response.Cookies.Append(KeyCookie, given, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, MaxAge = TimeSpan.FromDays(365) });
        }
        var network = NetworkOf(context.Connection.RemoteIpAddress);
        context.Items[NetworkItem] = network;
        if (request.Path == "/api/health")
        {
            await next(context);
            return;
        }
        if (UserOf(request.Cookies[UserCookie]) is not { } user)
        {
            if (request.Cookies[UserCookie] != null) logger.LogWarning("Web cookie with a bad signature from {Network}", network);
            // A gallery image needs nobody; a gallery page is shown to anyone, and makes a user only
            // when reached from this site or typed in: a link followed from another site comes
            // without the (SameSite=Strict) cookie, and a new one would replace the visitor's own.
            var galleryPage = publicGet && GalleryPages.IsPage(request.Path);
            if (publicGet && (!galleryPage || !HttpMethods.IsGet(request.Method) || request.Headers["Sec-Fetch-Site"].ToString() == "cross-site"))
            {
                await next(context);
                return;
            }
            // Only loading the page makes a user, and a network makes so many an hour and in all.
            if (!(HttpMethods.IsGet(request.Method) && (request.Path == "/" && options.Value.Chat || galleryPage)))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new { ok = false, error = "no session: load the page first" });
                return;
            }
            if (!identities.TryMint(network))
            {
                if (galleryPage)
                {
                    // The picture is shown all the same; only a like needs the identity.
                    await next(context);
                    return;
                }
                logger.LogWarning("Web: network {Network} is over its allowance of new users", network);
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "3600";
                await context.Response.WriteAsync("ArtBot: too many new visitors from your network; try again later.");
                return;
            }
            // Random and 62 bits long, and signed: a browser can neither guess nor forge another's id.
            user = RandomNumberGenerator.GetInt32(1, int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(0, int.MaxValue);
            logger.LogInformation("Web: new user {User} from {Network}", user, network);
            context.Response.Cookies.Append(UserCookie, CookieOf(user),
                new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, MaxAge = TimeSpan.FromDays(365) });
        }
        context.Items[UserCookie] = user;
        await next(context);
    }

    private const string NetworkItem = "artbot_network";

    private static long UserOf(HttpContext context) => (long)context.Items[UserCookie]!;

    /// <summary>
    /// The client's network: its address, or an IPv6 address's /64 (one household or host is given
    /// a whole /64, so single IPv6 addresses cost nothing to change).
    /// </summary>
    public static string NetworkOf(IPAddress? address)
    {
        if (address == null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

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

    /// <summary>
    /// A browser names the page that sends a request: it must be this chat's own, scheme, host and
    /// port (behind a proxy, as the proxy's forwarded headers say it was reached).
    /// </summary>
    private bool SameSite(HttpRequest request)
    {
        if (request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site") return false;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return true;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !hosts.Contains(uri.Host)) return false;
        var port = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        return string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
               && string.Equals(uri.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase)
               && uri.Port == port;
    }

    private static string Printable(string text) => new(text.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static ChatUser From(HttpContext context)
    {
        var user = UserOf(context);
        var language = context.Request.Headers.AcceptLanguage.ToString().Split(',')[0].Split(';')[0].Trim();
        return new ChatUser(WebMessenger.PlatformName, user, user, language.Length > 0 ? language : null, (string)context.Items[NetworkItem]!);
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

    private async Task<IResult> ImageAsync(HttpContext context, long id, int download = 0)
    {
        if (chats.Fetch(UserOf(context), id) is not { } picture) return Results.NotFound();
        byte[] bytes;
        try
        {
            bytes = await images.GetAsync(picture.StoreId, context.RequestAborted);
        }
        catch (KeyNotFoundException)
        {
            return Results.NotFound();   // past the retention period
        }
        var (type, extension) = bytes switch
        {
            [0x89, 0x50, ..] => ("image/png", "png"),
            [_, _, _, _, (byte)'f', (byte)'t', (byte)'y', (byte)'p', ..] => ("video/mp4", "mp4"),
            [(byte)'P', (byte)'K', 3, 4, ..] => ("application/zip", "zip"),
            _ => ("image/jpeg", "jpg"),
        };
        return Results.File(bytes, type, download != 0 || picture.AsFile ? $"artbot-{id}.{extension}" : null);
    }

    /// <summary>
    /// An upload is read as a stream, part by part, and only as far as it is used: the text, up to
    /// three photos or one clip, each held to the size limit while it is read; the rest is never
    /// read. Uploads read at once are bounded; one past the bound gets 503 and a time to try again.
    /// </summary>
    private async Task<IResult> SendAsync(HttpContext context)
    {
        var from = From(context);
        if (!Allowed(from)) return TooFast(from);
        var contentType = context.Request.ContentType;
        if (contentType == null || !MediaTypeHeaderValue.TryParse(contentType, out var media) || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(media.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            return Results.BadRequest();
        if (!await uploads.WaitAsync(TimeSpan.Zero, context.RequestAborted))
        {
            logger.LogInformation("Web upload from {User} turned away: {Count} uploads are being read", from.UserId, options.Value.ConcurrentUploads);
            context.Response.Headers.RetryAfter = "5";
            return Results.Json(new { ok = false }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        Upload upload;
        try
        {
            upload = await ReadUploadAsync(new MultipartReader(boundary, context.Request.Body), context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            logger.LogInformation("Web upload from {User} refused: {Problem}", from.UserId, e.Message);
            return await RejectAsync(from, TooLarge());
        }
        finally
        {
            uploads.Release();
        }
        if (upload.TooLarge) return await RejectAsync(from, TooLarge());

        var text = upload.Text.Trim();
        Incoming incoming;
        if (upload.Photos.Count > 0) incoming = new PhotoMessage(from, upload.Photos, text.Length > 0 ? text : null);
        else if (upload.Clip != null) incoming = new AnimationMessage(from, upload.Clip, text.Length > 0 ? text : null);
        else if (upload.Other is { } other)
            incoming = new UnsupportedMessage(from, other.Split('/')[0] switch
            {
                "audio" => Unsupported.Audio,
                "video" => Unsupported.Video,
                _ => Unsupported.File,
            });
        else if (text.StartsWith('/'))
        {
            var parts = text[1..].Split(' ', 2, StringSplitOptions.TrimEntries);
            incoming = new CommandMessage(from, parts[0].ToLowerInvariant(), parts.Length > 1 ? parts[1] : "");
        }
        else if (text.Length > 0) incoming = new TextMessage(from, text);
        else return Results.BadRequest();
        await HandleAsync(incoming, context.RequestAborted);
        return Results.Json(new { ok = true });
    }

    private sealed record Upload(string Text, List<byte[]> Photos, byte[]? Clip, string? Other, bool TooLarge);

    private async Task<Upload> ReadUploadAsync(MultipartReader reader, CancellationToken ct)
    {
        var text = "";
        var photos = new List<byte[]>();
        byte[]? clip = null;
        string? other = null;
        var files = 0;
        while (photos.Count < PhotoMessage.PhotosUsed && clip == null && files < options.Value.MaxFilesPerMessage && await reader.ReadNextSectionAsync(ct) is { } section)
        {
            var disposition = section.GetContentDispositionHeader();
            if (disposition == null) continue;
            if (!Microsoft.Net.Http.Headers.ContentDispositionHeaderValueIdentityExtensions.IsFileDisposition(disposition))
            {
                if (disposition.Name.Value == "text")
                    text = Encoding.UTF8.GetString(await ReadCappedAsync(section.Body, SmallBody, ct) ?? []);
                continue;
            }
            files++;
            // As with Telegram's documents, the declared type decides; the intake checks the bytes.
            var type = section.ContentType ?? "";
            var isPhoto = type is "image/jpeg" or "image/png" or "image/webp";
            var isClip = type is "image/gif" || type.StartsWith("video/", StringComparison.Ordinal);
            if (isPhoto || (isClip && photos.Count == 0))
            {
                if (await ReadCappedAsync(section.Body, options.Value.MaxUploadBytes, ct) is not { } bytes) return new Upload(text, [], null, null, TooLarge: true);
                if (isPhoto) photos.Add(bytes);
                else clip = bytes;
            }
            else other ??= type;
        }
        // A clip sent beside photos is not used: the photos are.
        return new Upload(text, photos, photos.Count > 0 ? null : clip, other, TooLarge: false);
    }

    /// <summary>The part's bytes, or null as soon as it passes <paramref name="limit"/> (nothing more is read).</summary>
    private static async Task<byte[]?> ReadCappedAsync(Stream part, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await part.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private async Task<IResult> ButtonAsync(HttpContext context)
    {
        var from = From(context);
        if (!Allowed(from)) return TooFast(from);
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
        logger.LogInformation("Web user {User} ({Network}) is over its messages a minute", from.UserId, from.Network);
        chats.Add(from.ChatId, "notice", Texts.Get(Texts.LanguageOf(from.LanguageCode), TextKey.RateLimited), null);
        return Results.Json(new { ok = false }, statusCode: StatusCodes.Status429TooManyRequests);
    }

    /// <summary>A message counts against its user's minute and its network's.</summary>
    private bool Allowed(ChatUser from)
    {
        var now = time.GetUtcNow();
        // Bounded: entries quiet for a minute go once there are many.
        if (recent.Count > options.Value.MaxChats)
            foreach (var (id, queue) in recent)
                lock (queue)
                    if (queue.Count == 0 || now - queue.Last() > TimeSpan.FromMinutes(1)) recent.TryRemove(id, out _);
        var user = recent.GetOrAdd($"user:{from.UserId}", _ => new Queue<DateTimeOffset>());
        var network = recent.GetOrAdd($"network:{from.Network}", _ => new Queue<DateTimeOffset>());
        lock (user)
        lock (network)
        {
            Trim(user, now);
            Trim(network, now);
            if (user.Count >= options.Value.MessagesPerMinute || network.Count >= options.Value.MessagesPerMinutePerNetwork) return false;
            user.Enqueue(now);
            network.Enqueue(now);
            return true;
        }
    }

    private static void Trim(Queue<DateTimeOffset> times, DateTimeOffset now)
    {
        while (times.Count > 0 && now - times.Peek() > TimeSpan.FromMinutes(1)) times.Dequeue();
    }

    private UploadRefusal TooLarge() => new(UploadProblem.TooLarge, options.Value.MaxUploadBytes);
}

/// <summary>
/// How many users each network has made: a web identity costs its network an hour's and a
/// lifetime's share (<see cref="WebOptions.NewUsersPerHourPerNetwork"/>, <see cref="WebOptions.NewUsersPerNetwork"/>).
/// Bounded: the least recent networks are forgotten past 100 000.
/// </summary>
internal sealed class WebIdentities(IOptions<WebOptions> options, TimeProvider time)
{
    private const int MaxNetworks = 100_000;
    private readonly Dictionary<string, (Queue<DateTimeOffset> LastHour, int Total)> made = [];
    private readonly Lock gate = new();

    public bool TryMint(string network)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (made.Count >= MaxNetworks)
                foreach (var quiet in made.Where(m => m.Value.LastHour.Count == 0 || now - m.Value.LastHour.Last() > TimeSpan.FromHours(1)).Select(m => m.Key).ToList())
                    made.Remove(quiet);
            if (!made.TryGetValue(network, out var entry)) entry = (new Queue<DateTimeOffset>(), 0);
            while (entry.LastHour.Count > 0 && now - entry.LastHour.Peek() >= TimeSpan.FromHours(1)) entry.LastHour.Dequeue();
            if (entry.LastHour.Count >= options.Value.NewUsersPerHourPerNetwork || entry.Total >= options.Value.NewUsersPerNetwork) return false;
            entry.LastHour.Enqueue(now);
            made[network] = (entry.LastHour, entry.Total + 1);
            return true;
        }
    }
}
