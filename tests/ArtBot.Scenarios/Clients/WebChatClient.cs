using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace ArtBot.Scenarios.Clients;

/// <summary>
/// Drives the real web chat adapter over its HTTP API, as the page does: each user is a cookie,
/// sends are multipart posts, and what the bot says is read by polling. Nothing is faked here:
/// the platform is the bot's own server, on a port picked for the test.
/// </summary>
public sealed class WebChatClient : IFakePlatform
{
    public const string AccessKey = "web-access-key-for-the-tests-5f1c";

    /// <summary>The tests' cookie key: the client signs its users' cookies as the server would, to be user 60, 61…</summary>
    public static readonly byte[] CookieKey = System.Text.Encoding.ASCII.GetBytes("cookie-key-of-the-web-chat-tests-0123456789");
    private readonly SentLog log = new();
    private readonly ConcurrentDictionary<long, HttpClient> users = new();
    private readonly CancellationTokenSource stop = new();
    private readonly HttpClient probe = new() { Timeout = TimeSpan.FromSeconds(2) };
    private int port;
    private int polls;

    public string Platform => "web";

    public string Url => $"http://127.0.0.1:{port}";

    public IReadOnlyList<string> Secrets => [AccessKey];

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Web:Enabled"] = "true",
        ["Web:Port"] = port.ToString(),
        ["Web:AccessKey"] = AccessKey,
        ["Web:CookieKey"] = Convert.ToBase64String(CookieKey),
    };

    public string MaxDownloadSetting => "Web:MaxUploadBytes";

    public int Polls => polls;

    public IReadOnlyList<Sent> Sent => log.All;

    public Task StartAsync()
    {
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        _ = ProbeAsync();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        foreach (var client in users.Values) client.Dispose();
        probe.Dispose();
    }

    /// <summary>Counts answers from the server: once it answers, pushed messages reach it.</summary>
    private async Task ProbeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if ((await probe.GetAsync($"{Url}/api/health?key={AccessKey}", stop.Token)).IsSuccessStatusCode) Interlocked.Increment(ref polls);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private HttpClient User(long user) => users.GetOrAdd(user, id =>
    {
        var cookies = new CookieContainer();
        cookies.Add(new Uri(Url), new Cookie("artbot_user", ArtBot.Web.WebChatServer.SignedCookie(id, CookieKey)));
        cookies.Add(new Uri(Url), new Cookie("artbot_key", AccessKey));
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };
        _ = ReadAsync(id, client);
        return client;
    });

    /// <summary>What the page would show: new messages become Sent, a known id coming back is an edit.</summary>
    private async Task ReadAsync(long user, HttpClient client)
    {
        var after = 0L;
        string? instance = null;
        var seen = new HashSet<long>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var body = (await client.GetFromJsonAsync<JsonObject>($"/api/messages?after={after}&wait=1", stop.Token))!;
                if ((string?)body["instance"] != instance)
                {
                    instance = (string?)body["instance"];
                    after = 0;
                    seen.Clear();
                    continue;
                }
                foreach (var m in body["messages"]!.AsArray().OfType<JsonObject>())
                {
                    after = Math.Max(after, (long)m["seq"]!);
                    var id = (long)m["id"]!;
                    var kind = (string)m["kind"]! switch
                    {
                        _ when !seen.Add(id) => SentKind.Edit,
                        "image" => SentKind.Photo,
                        "file" => SentKind.File,
                        "video" => SentKind.Animation,
                        "notice" => SentKind.ButtonAnswer,
                        _ => SentKind.Text,
                    };
                    // An edit of a picture message (a live preview) carries its picture too.
                    var file = (string?)m["image"] is { } image && kind is SentKind.Photo or SentKind.File or SentKind.Edit or SentKind.Animation ? await client.GetByteArrayAsync(image, stop.Token) : null;
                    var buttons = m["buttons"]!.AsArray().SelectMany(r => r!.AsArray()).Select(b => b!["url"] is { } url ? "link:" + (string)url! : (string)b!["data"]!).ToList();
                    var labels = m["buttons"]!.AsArray().SelectMany(r => r!.AsArray()).Select(b => (string)b!["text"]!).ToList();
                    log.Add(new Sent(kind, user, (string?)m["text"], buttons, file, id, labels));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                if (stop.IsCancellationRequested) return;
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    private void Post(long user, string path, HttpContent content, string language)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        // In order, as a person types: each send waits for the one before.
        lock (users)
        {
            using var response = User(user).Send(request);
            if (path == "/api/button" && response.IsSuccessStatusCode) log.Add(new Sent(SentKind.ButtonAnswer, user, null, [], null, 0));
        }
    }

    private static MultipartFormDataContent Form(string text, params (byte[] Bytes, string Type, string Name)[] files)
    {
        var form = new MultipartFormDataContent { { new StringContent(text), "text" } };
        foreach (var (bytes, type, name) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue(type);
            form.Add(part, "files", name);
        }
        return form;
    }

    public void PushText(long user, string text, string language = "en") => Post(user, "/api/send", Form(text), language);

    public void PushPhoto(long user, byte[] photo, string? caption = null, string language = "en") =>
        Post(user, "/api/send", Form(caption ?? "", (photo, "image/jpeg", "photo.jpg")), language);

    public void PushAlbum(long user, byte[] content, byte[] style, byte[]? secondStyle = null) =>
        Post(user, "/api/send", secondStyle == null
            ? Form("", (content, "image/jpeg", "content.jpg"), (style, "image/jpeg", "style.jpg"))
            : Form("", (content, "image/jpeg", "content.jpg"), (style, "image/jpeg", "style.jpg"), (secondStyle, "image/jpeg", "style2.jpg")), "en");

    public void PushAnimation(long user, byte[] video, string mimeType = "image/gif") =>
        PushFile(user, video, mimeType, mimeType == "image/gif" ? "clip.gif" : "clip.mp4");

    public void PushFile(long user, byte[] content, string mimeType, string name) => Post(user, "/api/send", Form("", (content, mimeType, name)), "en");

    public string PushUnsupported(long user)
    {
        PushFile(user, [0x4F, 0x67, 0x67, 0x53], "audio/ogg", "voice.ogg");
        return "I can't use audio. Send a photo, please.";
    }

    public void PushButton(long user, string data, string language = "en") =>
        Post(user, "/api/button", JsonContent.Create(new { data }), language);

    public Task<IReadOnlyList<Sent>> WaitForAsync(Func<IReadOnlyList<Sent>, bool> condition, TimeSpan timeout, string what) =>
        log.WaitForAsync(condition, timeout, what);
}
