using ArtBot.Domain.Billing;
using ArtBot.Storage;
using Microsoft.Extensions.DependencyInjection;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Fakes;

namespace ArtBot.Telegram.Tests;

/// <summary>The shared conversation scenarios on Telegram's fake Bot API, and Telegram Stars payments.</summary>
public sealed class TelegramScenarios : MessengerApiScenarios<FakeTelegram>
{
    private static string Payload(long user, string pack, DateTimeOffset at) => $"buy:{pack}:{user}:{at.ToUnixTimeSeconds()}";

    [Fact]
    public async Task At_start_the_command_menu_and_the_profile_are_set_in_english_and_russian()
    {
        await StartBotAsync();
        await Chat.WaitForAsync(_ => Chat.Profile.Count == 6, Patience, "commands, description and short description in two languages");
        var english = Chat.Profile[("setmycommands", "")]["commands"]!.AsArray();
        var russian = Chat.Profile[("setmycommands", "ru")]["commands"]!.AsArray();
        Assert.Equal(BotCommandNames, english.Select(c => (string)c!["command"]!));
        Assert.Equal(BotCommandNames, russian.Select(c => (string)c!["command"]!));
        Assert.Equal("Your place in the queue and progress", english.Single(c => (string)c!["command"]! == "status")!["description"]!.ToString());
        Assert.Equal("Место в очереди и прогресс", russian.Single(c => (string)c!["command"]! == "status")!["description"]!.ToString());
        Assert.StartsWith("Я перерисовываю ваши фото", (string)Chat.Profile[("setmydescription", "ru")]["description"]!);
        Assert.StartsWith("Your photos painted", (string)Chat.Profile[("setmyshortdescription", "")]["short_description"]!);
        Assert.All(Chat.Profile.Where(p => p.Key.Method == "setmyshortdescription"), p => Assert.InRange(((string)p.Value["short_description"]!).Length, 1, 120));
    }

    [Fact]
    public async Task A_dropped_connection_during_the_profile_calls_does_not_stop_the_bot()
    {
        Chat.DropProfileCalls = true;
        await StartBotAsync();
        Chat.PushText(51, "/start");
        await WaitFor(c => c.Any(x => x.ChatId == 51 && x.Says("Hi!")), "the welcome after a start whose profile calls failed");
        Assert.Empty(Chat.Profile);
    }

    [Fact]
    public async Task An_album_whose_photos_come_in_three_polls_is_one_message_asking_for_the_mix()
    {
        await StartBotAsync();
        await Chat.PushAlbumInPiecesAsync(52, TimeSpan.FromMilliseconds(100), Photo("tubingen.jpg"), Painting("starry_night.jpg"), Painting("the_scream.jpg"));
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 52 && x.Says("Two paintings for one picture")), "the blend menu");
        var toUser = sent.Where(x => x.ChatId == 52).ToList();
        Assert.Single(toUser);                                            // no preset menu, no Gatys job, no second menu
        await StopBotAsync();
        using var database = new ArtBot.Storage.ArtBotDatabase(Database);
        // Nothing queued before the choice: the photos wait in the offer, not in a job.
        Assert.Empty(await new ArtBot.Storage.LiteJobQueue(database).ActiveJobsAsync("telegram", 52));
    }

    private static readonly string[] BotCommandNames = ["start", "dream", "status", "cancel", "history", "settings", "balance", "buy", "promo", "top", "gallery", "export", "forget", "paysupport", "terms", "help"];

    [Fact]
    public async Task A_share_links_to_the_public_address_and_a_link_telegram_cannot_open_is_left_out()
    {
        await StartBotAsync(settings: new Dictionary<string, string?> { ["Gallery:PublicUrl"] = "https://art.example.org" });
        var answer = await ShareAsync(73, await PresetPictureAsync(73, "dog.jpg", "Udnie"));
        var link = LinkIn(answer);
        Assert.StartsWith("https://art.example.org/p/", link);
        Assert.Equal("link:" + link, answer.DataOf("Open the gallery"));
        Assert.Matches("^inline:#[0-9]+$", answer.DataOf("Send to a chat"));

        // The gallery on this machine only (the tests' default): no link button, or Telegram would refuse the message.
        await StopBotAsync();
        await StartBotAsync();
        Chat.PushText(73, "/gallery");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 73 && x.Says("The public gallery: http://127.0.0.1")), "the gallery's address");
        Assert.Empty(sent.Last(x => x.ChatId == 73 && x.Says("The public gallery:")).Buttons);
    }

    [Fact]
    public async Task Reports_send_a_picture_to_the_admins_review_and_the_admin_hides_or_shows_it()
    {
        await StartBotAsync();
        var id = LinkIn(await ShareAsync(71, await PresetPictureAsync(71, "dog.jpg", "Udnie")))[^10..];
        async Task<bool> Listed()
        {
            using var anyone = new HttpClient();
            return (await anyone.GetStringAsync(GalleryUrl + "gallery")).Contains("/p/" + id);
        }

        // Three visitors report it (the default threshold), one of them twice: then it waits, out of sight, for an admin.
        for (var visitor = 0; visitor < 3; visitor++)
        {
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() });
            await browser.GetStringAsync(GalleryUrl + "gallery");   // the page makes the visitor's identity
            Assert.True(await Listed());
            for (var times = visitor == 0 ? 2 : 1; times > 0; times--)
                Assert.True((await browser.PostAsync($"{GalleryUrl}gallery/report/{id}", null)).IsSuccessStatusCode);
        }
        Assert.False(await Listed());
        using (var stranger = new HttpClient())
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await stranger.PostAsync($"{GalleryUrl}gallery/report/{id}", null)).StatusCode);

        Chat.PushText(AdminId, "/admin review");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == AdminId && x.Says("Waiting for review")), "the review queue");
        Assert.Contains($"{id} · telegram:71 · 3 · ", sent.Last(x => x.ChatId == AdminId && x.Says("Waiting for review")).Text);
        Chat.PushText(AdminId, "/admin unhide " + id);
        await WaitFor(c => c.Any(x => x.ChatId == AdminId && x.Text == $"Picture {id} is shown again; its reports are cleared."), "the unhide");
        Assert.True(await Listed());
        Chat.PushText(AdminId, "/admin hide " + id);
        await WaitFor(c => c.Any(x => x.ChatId == AdminId && x.Text == $"Picture {id} is hidden."), "the hide");
        Assert.False(await Listed());
        Chat.PushText(AdminId, "/admin unhide " + id);
        await WaitFor(c => c.Count(x => x.ChatId == AdminId && x.Says($"Picture {id} is shown again")) == 2, "the second unhide");
        // A banned author's pictures are out of sight too.
        Chat.PushText(AdminId, "/admin ban 71");
        await WaitFor(c => c.Any(x => x.ChatId == AdminId && x.Text == "banned telegram:71"), "the ban");
        Assert.False(await Listed());
        Chat.PushText(AdminId, "/admin hide zzzzzzzzzz");
        await WaitFor(c => c.Any(x => x.ChatId == AdminId && x.Text == "There is no picture zzzzzzzzzz in the gallery."), "the unknown id");
    }

    [Fact]
    public async Task An_inline_query_lists_the_askers_own_pictures_only_each_with_a_link_back_to_the_bot()
    {
        await StartBotAsync();
        var picture = await PresetPictureAsync(61, "dog.jpg", "Udnie");
        await PresetPictureAsync(62, "dog.jpg", "The Great Wave");
        // "Send to a chat" under the picture opens the chat picker with the bot's name and that picture's number typed in.
        Assert.Matches("^inline:#[0-9]+$", picture.DataOf("Send to a chat"));

        System.Text.Json.Nodes.JsonObject AnswerTo(string query) => Chat.InlineAnswers.Single(a => (string?)a["inline_query_id"] == query);
        IReadOnlyList<string> FileIds(System.Text.Json.Nodes.JsonObject answer) =>
            answer["results"]!.AsArray().Select(r => (string)(r!["photo_file_id"] ?? r["mpeg4_file_id"])!).ToList();
        var mine = Chat.PushInlineQuery(61, "");
        var theirs = Chat.PushInlineQuery(62, picture.DataOf("Send to a chat")![7..]);
        var nobody = Chat.PushInlineQuery(63, "");
        await WaitFor(_ => Chat.InlineAnswers.Count == 3, "three inline answers");

        var answer = AnswerTo(mine);
        Assert.Equal(true, (bool?)answer["is_personal"]);
        Assert.InRange((int)answer["cache_time"]!, 1, 60);
        var ids = FileIds(answer);
        Assert.Single(ids);   // the picture, not the preview sheet
        Assert.All(ids, id => Assert.Equal(61, Chat.SentFiles[id]));
        Assert.Equal("https://t.me/art_test_bot?start=inline", (string?)answer["results"]![0]!["reply_markup"]!["inline_keyboard"]![0]![0]!["url"]);
        Assert.Contains("Udnie", (string?)answer["results"]![0]!["caption"]);
        // Another user's query, even naming 61's picture, shows only their own.
        Assert.All(FileIds(AnswerTo(theirs)), id => Assert.Equal(62, Chat.SentFiles[id]));
        Assert.Single(FileIds(AnswerTo(theirs)));
        Assert.Empty(FileIds(AnswerTo(nobody)));
    }

    [Fact]
    public async Task Buying_credits_with_stars_credits_once_even_when_the_payment_is_replayed()
    {
        await StartBotAsync();
        Chat.PushText(50, "/buy");
        var menu = (await WaitFor(c => c.Any(x => x.ChatId == 50 && x.Says("Credit packs")), "the packs")).Single(x => x.ChatId == 50);
        Assert.Equal(["50 credits · 50 ⭐", "120 credits · 100 ⭐", "300 credits · 225 ⭐"], menu.ButtonLabels);
        Chat.Press(50, "50 credits");
        await WaitFor(c => c.Any(x => x is { ChatId: 50, Kind: SentKind.Invoice }), "the invoice");
        var invoice = Assert.Single(Chat.Invoices);
        Assert.Equal(("XTR", 50L, ""), (invoice.Currency, invoice.Amount, invoice.ProviderToken));

        Chat.PushPreCheckout(50, invoice.Payload, 50);
        await WaitFor(c => c.Any(x => x.Kind == SentKind.PreCheckoutAnswer), "the pre-checkout answer");
        Assert.Null(Chat.Sent.Single(x => x.Kind == SentKind.PreCheckoutAnswer).Text);
        Chat.PushPayment(50, invoice.Payload, 50, "stars-charge-1");
        Chat.PushPayment(50, invoice.Payload, 50, "stars-charge-1");   // Telegram, or a restart, hands it over again
        Chat.PushText(50, "/balance");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 50 && x.Says("Balance:")), "the balance");
        Assert.Single(sent, x => x.ChatId == 50 && x.Text == "Thank you! 50 credits added. Balance: 50.");
        Assert.StartsWith("Balance: 50 credits", sent.Last(x => x.ChatId == 50).Text);

        Chat.PushText(AdminId, "/admin refund stars-charge-1");
        await WaitFor(c => c.Any(x => x.ChatId == AdminId && x.Says("refunded stars-charge-1")), "the refund");
        Assert.Equal((50L, "stars-charge-1"), Assert.Single(Chat.Refunds));
    }

    [Fact]
    public async Task A_payment_that_cannot_be_recorded_is_retried_not_skipped()
    {
        // The database refuses the first write of the purchase (a full disk, a lock timeout…).
        await StartBotAsync(configure: services => services.AddSingleton<ILedger>(sp =>
            new FailingOnceLedger(new LiteLedger(sp.GetRequiredService<ArtBotDatabase>()))));
        var now = DaytimeClock.Instance.GetUtcNow();
        Chat.PushPayment(54, Payload(54, "s", now), 50, "stars-charge-54");
        Chat.PushText(54, "/balance");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 54 && x.Says("Balance:")), "the balance after the payment");
        Assert.Equal(["Thank you! 50 credits added. Balance: 50.", "Balance: 50 credits (0 reserved for jobs in progress)."],
            sent.Where(x => x.ChatId == 54).Select(x => x.Text!.Split('\n')[0]));
        Assert.Contains(Logs.Lines, l => l.Contains("was not recorded; retry"));
        await StopBotAsync();
        Assert.Equal([LedgerKind.Purchase], (await LedgerOfAsync(54)).Select(e => e.Kind));
    }

    private sealed class FailingOnceLedger(ILedger inner) : ILedger
    {
        private int failed;

        public Task<bool> PostAsync(LedgerEntry entry, CancellationToken cancellationToken = default) =>
            entry.Kind == LedgerKind.Purchase && Interlocked.Exchange(ref failed, 1) == 0
                ? throw new IOException("disk full")
                : inner.PostAsync(entry, cancellationToken);

        public Task<long> BalanceAsync(string platform, long userId, CancellationToken cancellationToken = default) => inner.BalanceAsync(platform, userId, cancellationToken);
        public Task<long> HeldAsync(string platform, long userId, CancellationToken cancellationToken = default) => inner.HeldAsync(platform, userId, cancellationToken);
        public Task<LedgerEntry?> FindAsync(string key, CancellationToken cancellationToken = default) => inner.FindAsync(key, cancellationToken);
        public Task<IReadOnlyList<LedgerEntry>> EntriesAsync(string platform, long userId, CancellationToken cancellationToken = default) => inner.EntriesAsync(platform, userId, cancellationToken);
        public Task<bool> CreatePromoAsync(PromoCode promo, CancellationToken cancellationToken = default) => inner.CreatePromoAsync(promo, cancellationToken);
        public Task<(PromoOutcome Outcome, long Credits)> RedeemAsync(string code, string platform, long userId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
            inner.RedeemAsync(code, platform, userId, at, cancellationToken);
        public Task<long> CreditsSoldAsync(CancellationToken cancellationToken = default) => inner.CreditsSoldAsync(cancellationToken);
        public Task AuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) => inner.AuditAsync(entry, cancellationToken);
        public Task<IReadOnlyList<AuditEntry>> AuditLogAsync(CancellationToken cancellationToken = default) => inner.AuditLogAsync(cancellationToken);
    }

    /// <summary>A webhook set for the token (by another deployment, or by hand): polling gets 409, and the log says why and what to do, once.</summary>
    [Fact]
    public async Task A_webhook_left_on_the_token_is_named_once_with_how_to_drop_it()
    {
        Chat.WebhookUrl = "https://example.org/hook/secret-path";
        await StartBotAsync();
        var deadline = DateTime.UtcNow + Patience;
        while (Chat.Conflicts < 2 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.True(Chat.Conflicts >= 2, "the receiver kept polling");
        var said = Logs.Lines.Where(l => l.Contains("409 Conflict")).ToList();
        var line = Assert.Single(said);
        Assert.Contains("a webhook is set for this bot (https://example.org/…)", line);
        Assert.Contains("deleteWebhook", line);
        Assert.DoesNotContain("secret-path", line);
    }

    /// <summary>
    /// Webhooks instead of polling: setWebhook carries the secret and the updates wanted; a post
    /// without the secret is refused and changes nothing; an update is handled once however often it
    /// is posted; with the option removed, the webhook this bot set is deleted and polling resumes.
    /// </summary>
    [Fact]
    public async Task A_webhook_takes_updates_with_the_secret_only_and_each_once()
    {
        const string Secret = "hook-secret_0123456789";
        await StartBotAsync(settings: new Dictionary<string, string?>
        {
            ["Telegram:WebhookUrl"] = "https://bot.example.org/telegram/hook", ["Telegram:WebhookSecret"] = Secret, ["Telegram:WebhookPort"] = "0",
        });
        var receiver = BotServices.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<ArtBot.Telegram.TelegramReceiver>().Single();
        var deadline = DateTime.UtcNow + Patience;
        while (receiver.WebhookAddress == null && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.NotNull(receiver.WebhookAddress);
        Assert.Equal("https://bot.example.org/telegram/hook", (string?)Chat.WebhookSet!["url"]);
        Assert.Equal(Secret, (string?)Chat.WebhookSet["secret_token"]);
        Assert.Equal(1, (int?)Chat.WebhookSet["max_connections"]);
        Assert.Equal(["message", "callback_query", "pre_checkout_query", "inline_query"], Chat.WebhookSet["allowed_updates"]!.AsArray().Select(u => (string?)u));

        using var http = new HttpClient { BaseAddress = new Uri(receiver.WebhookAddress!) };
        Task<HttpResponseMessage> Post(System.Text.Json.Nodes.JsonObject update, string? secret)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/telegram/hook") { Content = new StringContent(update.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
            if (secret != null) request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
            return http.SendAsync(request);
        }
        var help = Chat.TextUpdate(61, "/help");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await Post(help, null)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await Post(help, "hook-secret_0123456788")).StatusCode);
        Assert.DoesNotContain(Chat.Sent, x => x.ChatId == 61);

        Assert.Equal(System.Net.HttpStatusCode.OK, (await Post(help, Secret)).StatusCode);   // answered once handled
        Assert.Single(Chat.Sent, x => x.ChatId == 61 && x.Says("Commands:"));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Post(help, Secret)).StatusCode);   // Telegram's repeat
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Post(Chat.TextUpdate(61, "/balance"), Secret)).StatusCode);
        Assert.Single(Chat.Sent, x => x.ChatId == 61 && x.Says("Commands:"));
        Assert.Equal(0, Chat.GetUpdatesCalls);

        await StopBotAsync();
        await StartBotAsync();
        Assert.True(Chat.GetUpdatesCalls > 0, "polling again");
        Assert.Equal(1, Chat.WebhookDeletes);
        Assert.Null(Chat.WebhookUrl);
    }

    [Fact]
    public async Task Health_and_metrics_say_what_the_bot_is_doing()
    {
        // One try a job, and dreams that fail: a failed job must show in /metrics as a done one does.
        await StartBotAsync(settings: new Dictionary<string, string?> { ["Bot:MaxAttempts"] = "1" },
            configure: s => s.AddSingleton<ArtBot.Domain.Art.IArtEngine>(sp => new DreamsFail(sp.GetRequiredService<ArtBot.Engine.ArtEngine>())));
        var ops = BotServices.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<ArtBot.Host.Operations.OpsServer>().Single();
        using var http = new HttpClient { BaseAddress = new Uri(ops.Url!) };
        // Live at once: the process answers, whatever its platforms do.
        var live = await http.GetAsync("/healthz/live");
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("live", (string?)System.Text.Json.Nodes.JsonNode.Parse(await live.Content.ReadAsStringAsync())!["status"]);
        // Ready once Telegram has answered a poll: until then 503, saying so.
        HttpResponseMessage health;
        var deadline = DateTime.UtcNow + Patience;
        while ((health = await http.GetAsync("/healthz")).StatusCode != System.Net.HttpStatusCode.OK && DateTime.UtcNow < deadline)
            Assert.Contains("telegram", await health.Content.ReadAsStringAsync());
        var body = System.Text.Json.Nodes.JsonNode.Parse(await health.Content.ReadAsStringAsync())!;
        Assert.Equal((System.Net.HttpStatusCode.OK, "ready", "all"), (health.StatusCode, (string?)body["status"], (string?)body["role"]));
        Assert.True((bool)body["platforms"]!["telegram"]!["ok"]!);
        Assert.Equal("healthy", (string?)body["checks"]!["store"]);
        var ready = await http.GetAsync("/healthz/ready");
        Assert.Equal((System.Net.HttpStatusCode.OK, "ready"), (ready.StatusCode, (string?)System.Text.Json.Nodes.JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["status"]));

        Chat.PushPhoto(55, Photo("dog.jpg"));
        await WaitFor(c => c.Any(x => x.ChatId == 55 && x.Kind == SentKind.Photo), "the preview");
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("artbot_queue_depth{rank=\"0\"} 0", metrics);
        Assert.Contains("artbot_credits_sold 0", metrics);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(metrics, @"artbot_render_seconds_count\{kind=""gallery"",tier=""free""\} [1-9]"), metrics);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(metrics, @"artbot_jobs_total\{kind=""gallery"",outcome=""done""\} [1-9]"), metrics);
        // The process's own series beside the bot's.
        Assert.Matches(@"(?m)^process_working_set_bytes \d", metrics);
        Assert.Matches(@"(?m)^dotnet_collection_count_total\{generation=""0""\} \d", metrics);

        Chat.PushPhoto(56, Photo("dog.jpg"), caption: "dream");   // a user without credits: queued free at once
        var failed = new System.Text.RegularExpressions.Regex(@"(?m)^artbot_jobs_total\{kind=""dream"",outcome=""failed""\} 1$");
        var until = DateTime.UtcNow + Patience;
        while (!failed.IsMatch(metrics = await http.GetStringAsync("/metrics")) && DateTime.UtcNow < until) await Task.Delay(100);
        Assert.Matches(failed, metrics);
        Assert.Matches(@"artbot_jobs_total\{kind=""gallery"",outcome=""done""\} [1-9]", metrics);
        Assert.Contains(Logs.Lines, l => l.Contains("(dream, free, telegram) attempt 1: failed"));
    }

    /// <summary>The real engine, except that every dream fails as a broken device would.</summary>
    private sealed class DreamsFail(ArtBot.Domain.Art.IArtEngine engine) : ArtBot.Domain.Art.IArtEngine
    {
        public ArtBot.Domain.Art.PresetCatalog Presets => engine.Presets;
        public Task<ArtBot.Domain.Art.ArtResult> PresetAsync(ArtBot.Domain.Art.PresetRequest r, CancellationToken c = default) => engine.PresetAsync(r, c);
        public Task<ArtBot.Domain.Art.ArtResult> StylizeAsync(ArtBot.Domain.Art.StylizeRequest r, IProgress<ArtBot.Domain.Art.RenderProgress>? p = null, CancellationToken c = default) => engine.StylizeAsync(r, p, c);
        public Task<ArtBot.Domain.Art.ArtResult> GalleryAsync(ArtBot.Domain.Art.GalleryRequest r, CancellationToken c = default) => engine.GalleryAsync(r, c);
        public Task<ArtBot.Domain.Art.AnimationResult> AnimateAsync(ArtBot.Domain.Art.AnimationRequest r, CancellationToken c = default) => engine.AnimateAsync(r, c);
        public Task<IReadOnlyList<ArtBot.Domain.Art.Prediction>> ClassifyAsync(byte[] i, int t = 5, CancellationToken c = default) => engine.ClassifyAsync(i, t, c);
        public Task<ArtBot.Domain.Art.ArtResult> DreamAsync(ArtBot.Domain.Art.DreamRequest r, IProgress<ArtBot.Domain.Art.RenderProgress>? p = null, CancellationToken c = default) =>
            throw new InvalidOperationException("the device stopped answering");
    }

    [Fact]
    public async Task Pre_checkout_refuses_stale_and_foreign_invoices()
    {
        await StartBotAsync();
        var now = DaytimeClock.Instance.GetUtcNow();
        Chat.PushPreCheckout(51, Payload(51, "s", now.AddDays(-3)), 50);
        Chat.PushPreCheckout(51, Payload(52, "s", now), 50);
        Chat.PushPreCheckout(51, Payload(51, "s", now), 1);
        var sent = await WaitFor(c => c.Count(x => x.Kind == SentKind.PreCheckoutAnswer) == 3, "three answers");
        Assert.Equal(["This invoice has expired: send /buy for a new one.", "This invoice is not valid: send /buy for a new one.", "This invoice is not valid: send /buy for a new one."],
            sent.Where(x => x.Kind == SentKind.PreCheckoutAnswer).Select(x => x.Text));
    }

    [Fact]
    public async Task Paysupport_and_terms_answer_as_telegram_requires()
    {
        await StartBotAsync();
        Chat.PushText(53, "/paysupport");
        Chat.PushText(53, "/terms");
        var sent = await WaitFor(c => c.Count(x => x.ChatId == 53) == 2, "both answers");
        Assert.StartsWith("Questions about a payment? Write to @artbot_support", sent.First(x => x.ChatId == 53).Text);
        Assert.StartsWith("Terms: credits pay for Premium and HD pictures", sent.Last(x => x.ChatId == 53).Text);
    }
}
