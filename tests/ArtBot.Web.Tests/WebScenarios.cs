using System.ComponentModel.DataAnnotations;
using System.Net;
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
}
