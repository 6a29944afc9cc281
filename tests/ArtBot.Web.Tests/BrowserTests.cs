using System.Diagnostics;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Clients;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace ArtBot.Web.Tests;

/// <summary>
/// The page in a real browser: Debian's headless Chromium driven by Selenium through Debian's
/// chromedriver (nothing is downloaded). A user uploads a photo, sees the menu and the preview,
/// picks a preset and gets the picture; then a two-photo Gatys job; then /cancel.
/// </summary>
public sealed class BrowserTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly WebChatClient web = new();
    private readonly BotUnderTest bot = new();
    private readonly string profile = Directory.CreateTempSubdirectory("artbot-chromium-").FullName;
    private ChromeDriver? browser;

    public Task InitializeAsync() => web.StartAsync();

    /// <param name="lightMaxIterations">2 makes every Gatys job heavy, so a free one waits for the night.</param>
    private async Task OpenAsync(int lightMaxIterations = 100)
    {
        await bot.StartAsync(web, web.Settings, idleServesHeavy: false, lightMaxIterations: lightMaxIterations);
        Launch($"{web.Url}/?key={WebChatClient.AccessKey}");
    }

    private void Launch(string url)
    {
        var options = new ChromeOptions { BinaryLocation = Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium" };
        // Headless, and quiet on the network: this machine's closed network refuses Chromium's background calls.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=900,1300", "--lang=en-US",
            $"--user-data-dir={profile}");
        var driver = Environment.GetEnvironmentVariable("CHROMEDRIVER") ?? "/usr/bin/chromedriver";
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        browser = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        browser.Navigate().GoToUrl(url);
        Assert.Equal("ArtBot", browser.Title);
    }

    public async Task DisposeAsync()
    {
        browser?.Quit();
        browser?.Dispose();
        await bot.DisposeAsync();
        await web.DisposeAsync();
        try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
    }

    private ChromeDriver Browser => browser!;

    private T Until<T>(Func<IWebDriver, T> condition, string what)
    {
        try
        {
            var wait = new WebDriverWait(Browser, Patience) { PollingInterval = TimeSpan.FromMilliseconds(100) };
            // Edits re-render a message: an element read a moment ago may be gone; look again.
            wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
            return wait.Until(condition);
        }
        catch (WebDriverTimeoutException)
        {
            var shown = string.Join(" | ", Browser.FindElements(By.CssSelector(".msg, .notice")).Select(e => e.Text.Replace('\n', ' ')));
            throw bot.Explain(new TimeoutException($"the page never showed {what}; it shows: {shown}"));
        }
    }

    private IReadOnlyList<IWebElement> BotMessages() => Browser.FindElements(By.CssSelector(".msg.bot"));

    private IWebElement BotMessage(Func<string, bool> text, string what) =>
        Until(_ => BotMessages().LastOrDefault(m => text(m.FindElement(By.CssSelector(".text")).Text)), what)!;

    private static string File(string folder, string name) => Path.Combine(TestPaths.Shared, "images", folder, name);

    private void Upload(params string[] paths) => Browser.FindElement(By.Id("photo-input")).SendKeys(string.Join("\n", paths));

    /// <summary>Files dropped on the page, as a drag from the desktop delivers them (Selenium cannot drag real files).</summary>
    private void Drop(params string[] paths) =>
        ((IJavaScriptExecutor)Browser).ExecuteScript("""
            const transfer = new DataTransfer();
            arguments[0].forEach((name, i) => {
              const bytes = Uint8Array.from(atob(arguments[1][i]), c => c.charCodeAt(0));
              transfer.items.add(new File([bytes], name, { type: "image/jpeg" }));
            });
            window.dispatchEvent(new DragEvent("dragenter", { dataTransfer: transfer }));
            window.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer }));
            """, paths.Select(Path.GetFileName).ToList(), paths.Select(p => Convert.ToBase64String(System.IO.File.ReadAllBytes(p))).ToList());

    private void Type(string text)
    {
        var box = Browser.FindElement(By.Id("text"));
        box.SendKeys(text);
        Browser.FindElement(By.Id("send")).Click();
    }

    [Fact]
    public async Task A_user_gets_a_preset_then_a_gatys_picture_in_the_browser()
    {
        await OpenAsync();

        // One photo: the preset menu, then the preview of every preset.
        Upload(File("content", "tubingen.jpg"));
        var menu = BotMessage(t => t.StartsWith("Got your photo"), "the preset menu");
        Until(_ => BotMessages().Any(m => m.GetAttribute("data-kind") == "image" && m.Text.Contains("Your photo in every style")), "the gallery preview");
        var preview = Browser.FindElements(By.CssSelector(".msg.bot[data-kind=image] img.result")).First();
        Until(_ => (bool)((IJavaScriptExecutor)Browser).ExecuteScript("return arguments[0].complete && arguments[0].naturalWidth > 0", preview)!, "the preview loaded");

        // A preset from the menu: the painted picture with its follow-up buttons.
        ButtonLabelled(menu, "Udnie").Click();
        var result = BotMessage(t => t.StartsWith("Style “Udnie”"), "the preset result");
        Assert.NotEmpty(result.FindElements(By.CssSelector("img.result")));
        Assert.Equal(["Stronger", "Another style", "Dream this", "🌐 Share"], result.FindElements(By.CssSelector(".kb button")).Select(b => b.Text));

        // Two photos at once: content and style, painted by Gatys; one progress message, edited in place.
        Upload(File("content", "dog.jpg"), File("style", "starry_night.jpg"));
        BotMessage(t => t.StartsWith("Queued"), "the queue notice");
        var painted = BotMessage(t => t.StartsWith("Painted in the style of your picture"), "the Gatys result");
        Assert.NotEmpty(painted.FindElements(By.CssSelector("img.result")));
        var texts = ((IReadOnlyCollection<object>)((IJavaScriptExecutor)Browser).ExecuteScript(
            "return [...document.querySelectorAll('.msg.bot .text')].map(e => e.textContent)")!).Cast<string>().ToList();
        var progress = texts.Where(t => t.StartsWith("Working:") || t.StartsWith("Started working") || t.StartsWith("Done:")).ToList();
        Assert.Equal("Done: the picture is below.", Assert.Single(progress));

    }

    [Fact]
    public async Task The_readme_command_brings_up_a_chat_where_a_browser_completes_a_preset_job()
    {
        // `./artbot run` with the shipped configuration and no token: only the port and the
        // database file are moved, so the test neither collides with a running bot nor leaves data behind.
        var data = Directory.CreateTempSubdirectory("artbot-run-").FullName;
        using var run = ArtbotRun.Start(new Uri(web.Url).Port, Path.Combine(data, "artbot.db"));
        try
        {
            var url = await ArtbotRun.WebChatUrlAsync(run, Patience);
            Assert.Equal($"{web.Url}/", url);
            Launch(url!);

            Upload(File("content", "tubingen.jpg"));
            var menu = BotMessage(t => t.StartsWith("Got your photo"), "the preset menu");
            ButtonLabelled(menu, "The Great Wave").Click();
            var result = BotMessage(t => t.StartsWith("Style “The Great Wave”"), "the preset result");
            var image = result.FindElement(By.CssSelector("img.result"));
            Until(_ => (long)((IJavaScriptExecutor)Browser).ExecuteScript("return arguments[0].complete ? arguments[0].naturalWidth : 0", image)! == 600, "the 600 px picture");

            // "Dream this" on the result: DeepDream at the free size.
            ButtonLabelled(result, "Dream this").Click();
            var dream = BotMessage(t => t.StartsWith("A dream"), "the dream");
            var dreamed = dream.FindElement(By.CssSelector("img.result"));
            Until(_ => (bool)((IJavaScriptExecutor)Browser).ExecuteScript("return arguments[0].complete && arguments[0].naturalWidth > 0", dreamed)!, "the dream loaded");

            // The finished conversation, for the README (docs/webchat.png).
            var shot = Path.Combine(AppContext.BaseDirectory, "webchat.png");
            Browser.GetScreenshot().SaveAsFile(shot);
            Assert.True(new FileInfo(shot).Length > 10_000);
        }
        finally
        {
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_waiting_gatys_job_is_cancelled_from_the_browser()
    {
        await OpenAsync(lightMaxIterations: 2);
        // Dragged onto the page, both at once: an album, content then style.
        Drop(File("content", "person.jpg"), File("style", "the_scream.jpg"));
        BotMessage(t => t.Contains("tonight after 01:00"), "the night-window notice");
        Type("/status");
        BotMessage(t => t.Contains("in the queue, runs tonight after 01:00"), "the status");
        Type("/cancel");
        BotMessage(t => t == "Cancelled.", "the cancellation");
        Assert.Contains(Browser.FindElements(By.CssSelector(".msg.me")), m => m.Text == "/cancel");
    }

    private IReadOnlyList<IWebElement> BotMessagesSaying(string start) =>
        BotMessages().Where(m => m.FindElement(By.CssSelector(".text")).Text.StartsWith(start, StringComparison.Ordinal)).ToList();

    private bool Loaded(IWebElement image) =>
        (bool)((IJavaScriptExecutor)Browser).ExecuteScript("return arguments[0].complete && arguments[0].naturalWidth > 0", image)!;

    private string Meta(string property) =>
        (string)((IJavaScriptExecutor)Browser).ExecuteScript($"return document.querySelector('meta[property=\"{property}\"]')?.content ?? ''")!;

    [Fact]
    public async Task Shared_pictures_show_in_the_gallery_where_a_like_counts_once()
    {
        // Pictures at a size worth looking at: the screenshot of this page is the README's.
        await bot.StartAsync(web, new Dictionary<string, string?>(web.Settings) { ["Bot:Free:MaxSide"] = "360", ["Bot:Premium:MaxSide"] = "360", ["Bot:Hd:MaxSide"] = "360" });
        Launch($"{web.Url}/?key={WebChatClient.AccessKey}");
        (string Photo, string Preset)[] shares = [("tubingen.jpg", "Udnie"), ("dog.jpg", "The Great Wave"), ("hoovertowernight.jpg", "Rain Princess"), ("person.jpg", "The Scream")];
        foreach (var (photo, preset, i) in shares.Select((s, i) => (s.Photo, s.Preset, i)))
        {
            // A photo after a photo is its style: /start begins a new picture.
            if (i > 0)
            {
                Type("/start");
                Until(_ => BotMessagesSaying("Hi!").ElementAtOrDefault(i - 1), "the welcome");
            }
            Upload(File("content", photo));
            var menu = Until(_ => BotMessagesSaying("Got your photo").ElementAtOrDefault(i), $"the menu of {photo}")!;
            ButtonLabelled(menu, preset).Click();
            var result = BotMessage(t => t.StartsWith($"Style “{preset}”"), $"the {preset} picture");
            ButtonLabelled(result, "Share").Click();
            Until(_ => BotMessagesSaying("In the gallery now").ElementAtOrDefault(i), $"the share of {preset}");
        }
        var shared = BotMessagesSaying("In the gallery now").Last();
        // The answer links to the gallery (a link, not a press).
        Assert.Contains(shared.FindElements(By.CssSelector(".kb a.link")), a => a.Text == "Open the gallery");
        var link = System.Text.RegularExpressions.Regex.Match(shared.FindElement(By.CssSelector(".text")).Text, @"http://\S+/p/[a-z0-9]{10}").Value;

        // One picture's page: Open Graph tags for an unfurl, the picture, and a like that counts once.
        Browser.Navigate().GoToUrl(link);
        Assert.Equal($"{web.Url}/g/{link[^10..]}/full.jpg", Meta("og:image"));
        Assert.StartsWith("The Scream", Meta("og:title"));
        Assert.Equal(link, Meta("og:url"));
        Until(_ => Loaded(Browser.FindElement(By.CssSelector(".card img"))), "the picture");
        var like = Browser.FindElement(By.CssSelector(".like"));
        like.Click();
        Until(_ => Browser.FindElement(By.CssSelector(".like .count")).Text == "1" && like.GetAttribute("class")!.Contains("liked"), "the like counted");
        like.Click();
        Until(_ => (bool)((IJavaScriptExecutor)Browser).ExecuteScript("return performance.getEntriesByType('resource').filter(e => e.name.includes('/gallery/like/')).length === 2")!, "the second like sent");
        Browser.Navigate().Refresh();
        Assert.Equal("1", Browser.FindElement(By.CssSelector(".like .count")).Text);

        // The gallery: every shared picture, its thumbnail loaded, newest first.
        Browser.Navigate().GoToUrl($"{web.Url}/gallery");
        var cards = Until(_ => Browser.FindElements(By.CssSelector(".card")) is { Count: 4 } all && all.All(c => Loaded(c.FindElement(By.TagName("img")))) ? all : null, "four loaded thumbnails")!;
        Assert.Equal(["The Scream", "Rain Princess", "The Great Wave", "Udnie"], cards.Select(c => c.FindElement(By.CssSelector(".style")).Text));
        Assert.Equal(["1", "0", "0", "0"], cards.Select(c => c.FindElement(By.CssSelector(".count")).Text));
        Assert.Equal("ArtBot gallery", Browser.Title);
        var shot = Path.Combine(AppContext.BaseDirectory, "gallery.png");
        Browser.GetScreenshot().SaveAsFile(shot);
        Assert.True(new FileInfo(shot).Length > 10_000);
    }

    /// <summary>A button as a person finds it: by what it says.</summary>
    private static IWebElement ButtonLabelled(IWebElement message, string label) =>
        message.FindElements(By.CssSelector(".kb button")).First(b => b.Text.Contains(label, StringComparison.Ordinal));
}
