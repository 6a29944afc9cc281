using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Clients;
using Microsoft.Extensions.DependencyInjection;

namespace ArtBot.Web.Tests;

/// <summary>
/// The web chat facing the internet: each test replays a row of what an attacker did to it (the
/// trust issue's table) against the real bot, and checks the outcome now: 401, refused, limited,
/// kept. The conversation's own rows (offers, payments, the paid queue) are in ArtBot.Bot.Tests' TrustTests.
/// </summary>
public sealed class TrustTests : IAsyncLifetime
{
    private readonly WebChatClient web = new();
    private readonly BotUnderTest bot = new();

    public Task InitializeAsync() => web.StartAsync();

    public async Task DisposeAsync()
    {
        await bot.DisposeAsync();
        await web.DisposeAsync();
    }

    private Task StartAsync(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>(web.Settings);
        foreach (var (key, value) in settings) all[key] = value;
        return bot.StartAsync(web, all);
    }

    private IJobQueue Queue => bot.Services.GetRequiredService<IJobQueue>();

    private IUserStore Users => bot.Services.GetRequiredService<IUserStore>();

    /// <summary>A browser: its own cookies, sending the access key, its requests from loopback.</summary>
    private HttpClient Browser(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer() }) { BaseAddress = new Uri(web.Url), Timeout = TimeSpan.FromMinutes(2) };

    private static string Key => $"key={WebChatClient.AccessKey}";

    /// <summary>Loads the page, as a new visitor does: the only way a web user is made.</summary>
    private static async Task<HttpStatusCode> LoadPageAsync(HttpClient browser) => (await browser.GetAsync($"/?{Key}")).StatusCode;

    private static MultipartFormDataContent Form(string text, params byte[][] photos)
    {
        var form = new MultipartFormDataContent { { new StringContent(text), "text" } };
        foreach (var photo in photos)
        {
            var part = new ByteArrayContent(photo);
            part.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(part, "files", "photo.jpg");
        }
        return form;
    }

    private static long UserOf(CookieContainer cookies, string url) =>
        long.Parse(cookies.GetCookies(new Uri(url))["artbot_user"]!.Value.Split('.')[0]);

    /// <summary>Row 1: 200 × /start and 30 photo uploads without a cookie: all 401, no user made, nothing queued.</summary>
    [Fact]
    public async Task Requests_without_a_session_get_401_and_make_nothing()
    {
        await StartAsync();
        var usersBefore = await Users.CountAsync();
        using var stranger = Browser();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++) statuses.Add((await stranger.PostAsync($"/api/send?{Key}", Form("/start"))).StatusCode);
        for (var i = 0; i < 30; i++) statuses.Add((await stranger.PostAsync($"/api/send?{Key}", Form("", Harness.Photo))).StatusCode);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(usersBefore, await Users.CountAsync());
        Assert.Equal(0, (await Queue.StatsAsync()).ByState.Values.Sum());
    }

    /// <summary>Row 3: one person redeems a 20-use code with 20 fresh cookies: their network makes 10 users an hour, and redeems the code once.</summary>
    [Fact]
    public async Task One_network_redeems_a_code_once_however_many_browsers_it_opens()
    {
        await StartAsync();
        await bot.Services.GetRequiredService<ILedger>().CreatePromoAsync(new PromoCode { Id = "MANY20", Credits = 50, MaxUses = 20, ExpiresAt = DateTimeOffset.UtcNow.AddDays(30), CreatedBy = "test", CreatedAt = DateTimeOffset.UtcNow });
        var browsers = new List<(HttpClient Client, CookieContainer Cookies)>();
        var refused = 0;
        for (var i = 0; i < 20; i++)
        {
            var cookies = new CookieContainer();
            var browser = Browser(cookies);
            if (await LoadPageAsync(browser) == HttpStatusCode.OK) browsers.Add((browser, cookies));
            else refused++;
        }
        Assert.Equal((10, 10), (browsers.Count, refused));   // Web:NewUsersPerHourPerNetwork
        foreach (var (browser, _) in browsers) Assert.Equal(HttpStatusCode.OK, (await browser.PostAsync($"/api/send?{Key}", Form("/promo many20"))).StatusCode);
        var credited = 0L;
        foreach (var (_, cookies) in browsers) credited += await bot.Services.GetRequiredService<ILedger>().BalanceAsync("web", UserOf(cookies, web.Url));
        Assert.Equal(50, credited);
        foreach (var (browser, _) in browsers) browser.Dispose();
    }

    /// <summary>
    /// Row 4: 2300 cookie-less reads after a paying user's result: 401 each; and whatever else
    /// crowds the chats' memory, the picture not yet fetched stays, then is fetched from the store.
    /// </summary>
    [Fact]
    public async Task A_paid_picture_is_never_lost_from_the_page()
    {
        await StartAsync(("Web:MaxChats", "10"));
        var cookies = new CookieContainer();
        using var payer = Browser(cookies);
        Assert.Equal(HttpStatusCode.OK, await LoadPageAsync(payer));
        var user = UserOf(cookies, web.Url);
        await bot.Services.GetRequiredService<ILedger>().PostAsync(new LedgerEntry { Key = "test:grant", Platform = "web", UserId = user, Kind = LedgerKind.AdminGrant, Amount = 25 });
        await payer.PostAsync($"/api/send?{Key}", Form("dream", TestPaths.Photo("dog.jpg")));
        var premium = await ButtonAsync(payer, "Premium");
        await payer.PostAsJsonAsync($"/api/button?{Key}", new { data = premium });
        var result = await WaitForAsync(payer, m => (string?)m["kind"] == "image" && ((string?)m["text"])?.StartsWith("A dream") == true);

        using var stranger = Browser();
        for (var i = 0; i < 2300; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync($"/api/messages?after=0&{Key}")).StatusCode);
        // Thirty other browsers (signed cookies of their own) fill the chats' memory three times over.
        for (long other = 1; other <= 30; other++)
        {
            var their = new CookieContainer();
            their.Add(new Uri(web.Url), new Cookie("artbot_user", ArtBot.Web.WebChatServer.SignedCookie(other, WebChatClient.CookieKey)));
            using var browser = Browser(their);
            await browser.GetAsync($"/api/messages?after=0&{Key}");
        }
        var again = await MessagesAsync(payer);
        Assert.Contains(again, m => (long)m["id"]! == (long)result["id"]!);
        var address = (string)result["image"]!;
        var picture = await payer.GetAsync(address + (address.Contains('?') ? "&" : "?") + Key);
        Assert.Equal(HttpStatusCode.OK, picture.StatusCode);
        Assert.Equal("image/jpeg", picture.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1, (await Queue.StatsAsync()).ByState.GetValueOrDefault(JobState.Done));
    }

    /// <summary>Row 5: six uploads of ten big photos at once: uploads read at once are bounded (the rest 503), at most three photos of each are kept, small.</summary>
    [Fact]
    public async Task A_flood_of_big_uploads_is_bounded_in_reading_and_in_what_is_kept()
    {
        await StartAsync(("Web:ConcurrentUploads", "2"));
        var big = Harness.BigPhoto;
        var sizeBefore = Harness.DatabaseBytes(bot.Database);
        var browsers = new List<HttpClient>();
        for (var i = 0; i < 6; i++)
        {
            var browser = Browser();
            Assert.Equal(HttpStatusCode.OK, await LoadPageAsync(browser));
            browsers.Add(browser);
        }
        var statuses = await Task.WhenAll(browsers.Select(b => SendAsync(b, Form("", Enumerable.Repeat(big, 10).ToArray()))));
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        var kept = statuses.Count(s => s == HttpStatusCode.OK);
        // Each accepted upload keeps three photos (an album of three asks for the mix), each brought to 2048 px.
        var grown = Harness.DatabaseBytes(bot.Database) - sizeBefore;
        Assert.True(grown < kept * 3 * 2_500_000L, $"the database grew {grown / 1e6:0.0} MB for {kept} uploads of {10 * big.Length / 1e6:0} MB");
        foreach (var browser in browsers) browser.Dispose();
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient browser, HttpContent content)
    {
        using var response = await browser.PostAsync($"/api/send?{Key}", content);
        return response.StatusCode;
    }

    /// <summary>Row 6: a banned browser that drops its cookie and loads the page again is still banned: the ban covers its network.</summary>
    [Fact]
    public async Task A_web_ban_covers_the_network_not_only_the_cookie()
    {
        await StartAsync();
        var cookies = new CookieContainer();
        using (var browser = Browser(cookies))
        {
            Assert.Equal(HttpStatusCode.OK, await LoadPageAsync(browser));
            await browser.PostAsync($"/api/send?{Key}", Form("/help"));
        }
        var user = UserOf(cookies, web.Url);
        var admins = bot.Services.GetRequiredService<AdminService>();
        var admin = new UserProfile { Id = "telegram:99", Platform = "telegram", UserId = 99 };
        Assert.StartsWith($"banned web:{user} and network 127.0.0.1", await admins.HandleAsync(admin, $"ban web:{user}", CancellationToken.None));

        using var fresh = Browser();
        Assert.Equal(HttpStatusCode.OK, await LoadPageAsync(fresh));
        await fresh.PostAsync($"/api/send?{Key}", Form("/help"));
        var answer = await WaitForAsync(fresh, m => (string?)m["kind"] == "text");
        Assert.Equal("You can no longer use this bot.", (string?)answer["text"]);
    }

    /// <summary>Row 9: a page on another port of localhost is another site.</summary>
    [Fact]
    public async Task Origin_means_scheme_host_and_port()
    {
        await StartAsync();
        var cookies = new CookieContainer();
        using var browser = Browser(cookies);
        await LoadPageAsync(browser);
        async Task<HttpStatusCode> Press(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/button?{Key}") { Content = JsonContent.Create(new { data = "x" }) };
            request.Headers.TryAddWithoutValidation("Origin", origin);
            return (await browser.SendAsync(request)).StatusCode;
        }
        var port = new Uri(web.Url).Port;
        Assert.Equal(HttpStatusCode.Forbidden, await Press("http://localhost:9999"));
        Assert.Equal(HttpStatusCode.Forbidden, await Press($"http://127.0.0.1:{port + 1}"));
        Assert.Equal(HttpStatusCode.Forbidden, await Press($"https://127.0.0.1:{port}"));
        Assert.Equal(HttpStatusCode.OK, await Press($"http://127.0.0.1:{port}"));
    }

    private static async Task<IReadOnlyList<JsonObject>> MessagesAsync(HttpClient browser)
    {
        var body = (await browser.GetFromJsonAsync<JsonObject>($"/api/messages?after=0&{Key}"))!;
        return body["messages"]!.AsArray().OfType<JsonObject>().ToList();
    }

    private static async Task<JsonObject> WaitForAsync(HttpClient browser, Func<JsonObject, bool> found)
    {
        var deadline = DateTime.UtcNow + BotUnderTest.Patience;
        while (true)
        {
            var messages = await MessagesAsync(browser);
            if (messages.FirstOrDefault(found) is { } message) return message;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"waited {BotUnderTest.Patience.TotalSeconds} s; the page shows: {string.Join(" | ", messages.Select(m => $"{m["kind"]} {m["text"]}"))}");
            await Task.Delay(100);
        }
    }

    private static async Task<string> ButtonAsync(HttpClient browser, string label)
    {
        var message = await WaitForAsync(browser, m => m["buttons"]!.AsArray().SelectMany(r => r!.AsArray()).Any(b => ((string)b!["text"]!).Contains(label)));
        return message["buttons"]!.AsArray().SelectMany(r => r!.AsArray()).First(b => ((string)b!["text"]!).Contains(label))!["data"]!.ToString();
    }
}

/// <summary>Pictures and measures the trust tests use.</summary>
internal static class Harness
{
    public static byte[] Photo { get; } = TestPaths.Photo("dog.jpg");

    private static readonly Lazy<byte[]> Big = new(() =>
    {
        // A phone's largest photo: 6000×4000, noisy (so it compresses little), about 12 MB.
        using var bitmap = new SkiaSharp.SKBitmap(6000, 4000);
        var random = new Random(7);
        var pixels = new byte[6000 * 4000 * 4];
        random.NextBytes(pixels);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    });

    public static byte[] BigPhoto => Big.Value;

    /// <summary>The LiteDB file and its log together.</summary>
    public static long DatabaseBytes(string path) =>
        new[] { path, path.Replace(".db", "-log.db") }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
}
