using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Http.Json;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Clients;

namespace ArtBot.Web.Tests;

/// <summary>The shared conversation scenarios on the web chat, driven over its HTTP API, and the web chat's own limits.</summary>
public sealed class WebScenarios : ConversationScenarios<WebChatClient>
{
    [Fact]
    public async Task Without_the_access_key_nothing_is_served()
    {
        await StartBotAsync();
        using var stranger = new HttpClient { BaseAddress = new Uri(Chat.Url) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.PostAsync("/api/send", new FormUrlEncodedContent([new("text", "/help")]))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/?key=wrong")).StatusCode);
        var page = await stranger.GetAsync($"/?key={WebChatClient.AccessKey}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("id=\"photo-input\"", await page.Content.ReadAsStringAsync());
        Assert.Contains(page.Headers.GetValues("Set-Cookie"), c => c.StartsWith("artbot_user="));
    }

    [Fact]
    public void Binding_beyond_loopback_needs_an_access_key()
    {
        static IEnumerable<ValidationResult> Check(WebOptions o) => o.Validate(new ValidationContext(o));
        Assert.Empty(Check(new WebOptions { Host = "127.0.0.1" }));
        Assert.Empty(Check(new WebOptions { Host = "::1" }));
        Assert.Single(Check(new WebOptions { Host = "0.0.0.0" }));
        Assert.Empty(Check(new WebOptions { Host = "0.0.0.0", AccessKey = "k" }));
    }

    [Fact]
    public async Task A_browser_over_the_message_rate_is_told_to_wait()
    {
        await StartBotAsync(settings: new Dictionary<string, string?> { ["Web:MessagesPerMinute"] = "3" });
        foreach (var _ in Enumerable.Range(0, 4)) Chat.PushText(60, "/help");
        // The page shows messages in order: the notice comes after the three answers, and no fourth follows it.
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 60 && x.Text == "Too many messages: wait a minute, please."), "the notice");
        var mine = sent.Where(x => x.ChatId == 60).Select(x => x.Says("Commands:") ? "help" : x.Text).ToList();
        Assert.Equal(["help", "help", "help", "Too many messages: wait a minute, please."], mine);
    }

    [Fact]
    public async Task The_language_follows_the_browser()
    {
        await StartBotAsync();
        Chat.PushText(61, "/help", language: "ru-RU");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 61), "the help");
        Assert.StartsWith("Команды", sent.Single(x => x.ChatId == 61).Text);
    }

    [Fact]
    public async Task A_forged_or_unsigned_cookie_gets_401_and_makes_no_user()
    {
        await StartBotAsync();
        Chat.PushText(62, "/help");
        await WaitFor(c => c.Any(x => x.ChatId == 62), "user 62's answer");

        foreach (var cookie in new[] { "62", "62.forged-signature", WebChatServer.SignedCookie(62, new byte[32]) })
        {
            var handler = new HttpClientHandler { UseCookies = false };
            using var stranger = new HttpClient(handler) { BaseAddress = new Uri(Chat.Url) };
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/messages?after=0");
            request.Headers.Add("Cookie", $"artbot_key={WebChatClient.AccessKey}; artbot_user={cookie}");
            var response = await stranger.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.DoesNotContain("Commands", await response.Content.ReadAsStringAsync());   // user 62's chat stays hers
            Assert.False(response.Headers.TryGetValues("Set-Cookie", out var issued) && issued.Any(c => c.StartsWith("artbot_user=")));
        }
        Assert.Contains(Logs.Lines, l => l.Contains("bad signature"));
    }

    [Fact]
    public async Task A_page_of_another_site_gets_403_and_bodies_are_limited_before_they_are_read()
    {
        await StartBotAsync();
        // A client that writes a refused body to the end may meet a closed socket instead of the 413;
        // asking "Expect: 100-continue" lets the server answer from the headers alone, which is
        // exactly the claim: the limit holds before a byte of the body is read.
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }) { BaseAddress = new Uri(Chat.Url) };
        async Task<HttpStatusCode> Send(string path, HttpContent? content, params (string Name, string Value)[] headers)
        {
            var request = new HttpRequestMessage(content == null ? HttpMethod.Get : HttpMethod.Post, path + $"?key={WebChatClient.AccessKey}") { Content = content };
            request.Headers.ExpectContinue = content != null;
            foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
            return (await client.SendAsync(request)).StatusCode;
        }

        // DNS rebinding: evil.example resolves to 127.0.0.1, the browser sends its own name as Host.
        Assert.Equal(HttpStatusCode.Forbidden, await Send("/", null, ("Host", "evil.example:" + new Uri(Chat.Url).Port)));
        Assert.Equal(HttpStatusCode.Forbidden, await Send("/api/send", new FormUrlEncodedContent([new("text", "/help")]), ("Origin", "http://evil.example")));
        Assert.Equal(HttpStatusCode.Forbidden, await Send("/api/button", JsonContent.Create(new { data = "x" }), ("Sec-Fetch-Site", "cross-site")));
        Assert.Equal(HttpStatusCode.OK, await Send("/", null, ("Origin", Chat.Url)));

        // A button press is a few bytes: a megabyte is refused before it is buffered.
        var huge = new StringContent($"{{\"data\":\"{new string('a', 1_000_000)}\"}}", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await Send("/api/button", huge));
        Assert.Equal(HttpStatusCode.BadRequest, await Send("/api/button", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")));
        Assert.Equal(HttpStatusCode.BadRequest, await Send("/api/button", new StringContent("{\"data\":17}", System.Text.Encoding.UTF8, "application/json")));
    }

    [Fact]
    public async Task The_chats_in_memory_are_bounded_but_never_forget_a_picture_not_yet_fetched()
    {
        var chats = new WebChats(Microsoft.Extensions.Options.Options.Create(new WebOptions { MaxChats = 50, HistoryPerChat = 10, ImagesPerChat = 3 }));
        var unfetched = chats.Add(1, "image", "your paid picture", null, "img/paid");
        for (long user = 2; user <= 500; user++) chats.Add(user, "text", "hello", null);
        Assert.InRange(chats.Count, 1, 51);
        Assert.Equal("img/paid", chats.Fetch(1, unfetched)?.StoreId);                 // the quiet chat with a result stayed
        for (var i = 0; i < 20; i++)
        {
            var id = chats.Add(1000, "image", "picture", null, $"img/{i}");
            chats.Fetch(1000, id);
        }
        Assert.Equal(3, Enumerable.Range(1, 100_000).Count(id => chats.Fetch(1000, id) != null));   // fetched ones past the share are forgotten here, kept in the store
        Assert.Equal(10, (await chats.ReadAsync(1000, 0, TimeSpan.Zero, CancellationToken.None)).Count);
    }
}
