using ArtBot.Scenarios.Fakes;
using System.Text.Json.Nodes;
using ArtBot.Domain.Queue;
using ArtBot.Scenarios;
using ArtBot.Storage;
using Microsoft.Extensions.Logging;

namespace ArtBot.Vk.Tests;

/// <summary>The shared conversation scenarios on the fake VK API, and what only VK has.</summary>
public sealed class VkScenarios : MessengerApiScenarios<FakeVk>
{
    /// <summary>VK's counterpart of a Telegram album in pieces: three photo messages 0.1 s apart, each in a long-poll answer of its own.</summary>
    [Fact]
    public async Task With_wall_posting_on_the_weeks_best_goes_to_the_wall_once_a_week()
    {
        var wall = new Dictionary<string, string?> { ["Gallery:VkWallPost"] = "true" };
        await StartBotAsync(settings: wall);
        var picture = await PresetPictureAsync(81, "dog.jpg", "Udnie");
        await Chat.WaitForAsync(_ => Logs.Lines.Any(l => l.Contains("VK wall: nothing shared this week")), Patience, "the look at start");
        Assert.Empty(Chat.WallPosts);
        var link = LinkIn(await ShareAsync(81, picture));

        // It looks at start and hourly: a restart is the start.
        await StopBotAsync();
        await StartBotAsync(settings: wall);
        await Chat.WaitForAsync(_ => !Chat.WallPosts.IsEmpty, Patience, "the wall post");
        var post = Assert.Single(Chat.WallPosts);
        Assert.Equal((-FakeVk.GroupId, link), (post.OwnerId, post.Attachments));
        Assert.Equal($"Лучшее за неделю в галерее ArtBot: Удни, ♥ 0. {link}", post.Message);

        // Within the week, a restart posts nothing more.
        await StopBotAsync();
        await StartBotAsync(settings: wall);
        await Chat.WaitForAsync(_ => Logs.Lines.Any(l => l.Contains("VK wall: posted") && l.Contains("the next post is due")), Patience, "the look after the restart");
        Assert.Single(Chat.WallPosts);
    }

    [Fact]
    public async Task A_wall_post_vk_refuses_is_logged_as_a_configuration_fault_and_the_bot_carries_on()
    {
        var wall = new Dictionary<string, string?> { ["Gallery:VkWallPost"] = "true" };
        await StartBotAsync(settings: wall);
        await ShareAsync(82, await PresetPictureAsync(82, "dog.jpg", "Udnie"));
        await StopBotAsync();
        Chat.RefuseWallPosts = true;
        await StartBotAsync(settings: wall);
        await Chat.WaitForAsync(_ => Logs.Lines.Any(l => l.StartsWith("Error") && l.Contains("VK wall post refused") && l.Contains("Gallery:VkWallPost=false")), Patience, "the refusal");
        Assert.Empty(Chat.WallPosts);
        Chat.PushText(82, "/top");
        await WaitFor(c => c.Any(x => x.ChatId == 82 && x.Says("♥ 0 · Udnie")), "the bot still answering");
    }

    [Fact]
    public async Task Three_photo_messages_a_moment_apart_are_one_album_asking_for_the_mix()
    {
        await StartBotAsync();
        foreach (var photo in new[] { Photo("tubingen.jpg"), Painting("starry_night.jpg"), Painting("the_scream.jpg") })
        {
            var polls = Chat.Polls;
            Chat.PushPhoto(53, photo);
            var deadline = DateTime.UtcNow + Patience;
            while (Chat.Polls < polls + 1)   // taken: the bot has asked again
            {
                Assert.True(DateTime.UtcNow < deadline, "the bot stopped polling");
                await Task.Delay(10);
            }
            await Task.Delay(100);
        }
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 53 && x.Says("Two paintings for one picture")), "the blend menu");
        Assert.Single(sent, x => x.ChatId == 53 && x.Kind != SentKind.ButtonAnswer);
    }

    [Fact]
    public async Task Long_poll_failures_1_2_and_3_are_survived_and_later_messages_answered()
    {
        await StartBotAsync();
        var answered = 0;
        foreach (var failure in new[] { 1, 2, 3 })
        {
            var keys = Chat.MethodCalls.Count(m => m == "groups.getLongPollServer");
            Chat.NextFailures.Enqueue(failure);
            await Chat.WaitForAsync(_ => Chat.NextFailures.IsEmpty, Patience, $"failed {failure} to be served");
            var polls = Chat.Polls;
            await Chat.WaitForAsync(_ => Chat.Polls > polls, Patience, $"a poll after failed {failure}");
            Assert.Equal(failure == 1 ? keys : keys + 1, Chat.MethodCalls.Count(m => m == "groups.getLongPollServer"));
            Chat.PushText(30, "/help");
            answered++;
            await WaitFor(c => c.Count(x => x.ChatId == 30 && x.Says("Commands:")) == answered, $"the help after failed {failure}");
        }
    }

    [Fact]
    public async Task An_event_delivered_again_after_a_restart_is_answered_once()
    {
        await StartBotAsync();
        Chat.PushText(31, "/help");
        await WaitFor(c => c.Any(x => x.ChatId == 31 && x.Says("Commands:")), "the help");
        await StopBotAsync();
        // As if the process had died after answering but before storing where it was: VK hands the event over again.
        using (var database = new ArtBotDatabase(Database))
        {
            var cursors = new LiteCursorStore(database);
            await cursors.SetAsync(VkLongPoll.CursorKey, (await cursors.GetAsync(VkLongPoll.CursorKey))!.Value - 1);
        }
        await StartBotAsync();
        await Chat.WaitForAsync(_ => Chat.RepeatsDropped > 0, Patience, "the repeated answer to reach VK");
        Chat.PushText(31, "/status");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 31 && x.Says("You have nothing")), "the next answer");
        Assert.Single(sent, c => c.ChatId == 31 && c.Says("Commands:"));
    }

    [Fact]
    public async Task A_photo_outside_vks_hosts_is_refused_and_never_fetched()
    {
        await StartBotAsync();
        Chat.PushMessage(32, "", [Chat.PhotoAttachment(Photo("dog.jpg"), host: "localhost")]);
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 32), "the refusal");
        Assert.Equal("I couldn't use that picture: it does not come from the messenger's own servers", sent.Single(c => c.ChatId == 32).Text);
        Assert.DoesNotContain(Chat.Downloads, d => d.StartsWith("localhost"));
    }

    [Fact]
    public async Task Forwarded_and_replied_photos_count_and_the_original_size_is_fetched()
    {
        await StartBotAsync();
        var forwarded = new JsonObject { ["from_id"] = 99, ["text"] = "", ["attachments"] = new JsonArray(Chat.PhotoAttachment(Photo("dog.jpg"), original: true)) };
        Chat.PushMessage(33, "", null, extra: new JsonObject { ["fwd_messages"] = new JsonArray(forwarded) });
        await WaitFor(c => c.Any(x => x.ChatId == 33 && x.Says("Got your photo")), "the menu for a forwarded photo");

        var replied = new JsonObject { ["from_id"] = 33, ["text"] = "", ["attachments"] = new JsonArray(Chat.PhotoAttachment(Painting("starry_night.jpg"))) };
        Chat.PushMessage(33, "", null, extra: new JsonObject { ["reply_message"] = replied });
        await WaitFor(c => c.Any(x => x.ChatId == 33 && x.Says("Queued")), "the Gatys job from a replied-to photo");
        Assert.DoesNotContain(Chat.Downloads, d => d.Contains("-s.jpg") || d.Contains("-m.jpg") || d.Contains("-x.jpg"));
    }

    [Fact]
    public async Task The_language_follows_the_vk_client()
    {
        await StartBotAsync();
        Chat.PushMessage(34, "/help", langId: 0);
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 34), "the help");
        Assert.StartsWith("Команды", sent.Single(c => c.ChatId == 34).Text);
    }

    [Fact]
    public async Task The_preset_menu_is_paged_within_vks_limits_and_every_button_is_reachable()
    {
        await StartBotAsync();
        Chat.PushPhoto(35, Photo("tubingen.jpg"));
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 35 && x.Says("Got your photo")), "the menu");
        var menu = sent.First(c => c.ChatId == 35 && c.Says("Got your photo"));
        AssertWithinLimits(Chat.KeyboardOf(menu.MessageId)!);
        Assert.Equal("page:1", menu.Buttons[^1]);
        Assert.Contains("1. The Great Wave", menu.ButtonLabels);

        var next = NavPayload(Chat.KeyboardOf(menu.MessageId)!, 1);
        Chat.PushEvent(35, next, menu.MessageId);
        sent = await WaitFor(c => c.Any(x => x.ChatId == 35 && x.Kind == SentKind.Edit && x.MessageId == menu.MessageId), "page 2");
        var page2 = sent.Last(c => c.Kind == SentKind.Edit && c.MessageId == menu.MessageId);
        Assert.Equal(menu.Text, page2.Text);
        AssertWithinLimits(Chat.KeyboardOf(menu.MessageId)!);
        Assert.Equal(["Dream", "I'll send a style photo", "◀ 1/2"], page2.ButtonLabels);
        Assert.Equal(9 + 2, menu.Buttons.Count - 1 + page2.Buttons.Count - 1);

        Chat.Press(35, "Dream");
        await WaitFor(c => c.Any(x => x.ChatId == 35 && x.Says("Queued")), "the dream from page 2");
    }

    [Fact]
    public async Task A_page_button_from_before_a_restart_says_it_is_out_of_date()
    {
        await StartBotAsync();
        Chat.PushPhoto(36, Photo("dog.jpg"));
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 36 && x.Says("Got your photo")), "the menu");
        var menu = sent.First(c => c.ChatId == 36 && c.Says("Got your photo"));
        await StopBotAsync();
        await StartBotAsync();
        Chat.PushEvent(36, NavPayload(Chat.KeyboardOf(menu.MessageId)!, 1), menu.MessageId);
        await WaitFor(c => c.Any(x => x.Kind == SentKind.ButtonAnswer && x.Text == "That button is out of date."), "the snackbar");
    }

    [Fact]
    public async Task A_user_who_forbade_messages_loses_the_reply_but_the_result_is_kept()
    {
        await StartBotAsync();
        Chat.PushPhoto(37, Photo("dog.jpg"));
        await WaitFor(c => c.Any(x => x.ChatId == 37 && x.Kind == SentKind.Photo), "the preview");
        Chat.Forbidden[37] = true;
        Chat.Press(37, "The Great Wave");
        // Two sends dropped: the queue notice, then the picture (stored before it is sent).
        await Chat.WaitForAsync(_ => Logs.Lines.Count(l => l.Contains("does not allow messages from the community (901)")) >= 2, Patience, "the dropped notice and picture");
        Chat.PushText(38, "/help");
        await WaitFor(c => c.Any(x => x.ChatId == 38), "the bot still answering others");
        await StopBotAsync();
        using var database = new ArtBotDatabase(Database);
        var job = await new LiteJobQueue(database).GetAsync(2);
        Assert.Equal((JobKind.Preset, JobState.Done), (job!.Kind, job.State));
        Assert.NotNull(job.ResultImage);
        Assert.True((await new LiteImageStore(database).GetAsync(job.ResultImage!)).Length > 1000);
    }

    [Fact]
    public async Task Buy_on_vk_points_to_promo_codes()
    {
        await StartBotAsync();
        Chat.PushText(39, "/buy");
        var sent = await WaitFor(c => c.Any(x => x.ChatId == 39), "the answer");
        Assert.Equal("Payments are taken in our Telegram bot. Here you can use a promo code: /promo CODE.", sent.Single(x => x.ChatId == 39).Text);
    }

    [Fact]
    public async Task A_bad_token_stops_the_adapter_with_one_clear_line()
    {
        await StartBotAsync(settings: new Dictionary<string, string?> { ["Vk:Token"] = "revoked-token-value" });
        await Chat.WaitForAsync(_ => Logs.Lines.Any(l => l.StartsWith("Critical") && l.Contains("VK adapter stops")), Patience, "the fatal line");
        Assert.DoesNotContain(Logs.Lines, l => l.Contains("revoked-token-value"));
    }

    private static JsonObject NavPayload(JsonObject keyboard, int page) =>
        keyboard["buttons"]!.AsArray().SelectMany(r => r!.AsArray())
            .Select(b => JsonNode.Parse((string)b!["action"]!["payload"]!)!.AsObject())
            .Single(p => (int?)p["page"] == page);

    private static void AssertWithinLimits(JsonObject keyboard)
    {
        var rows = keyboard["buttons"]!.AsArray();
        Assert.True((bool)keyboard["inline"]!);
        Assert.InRange(rows.Count, 1, VkKeyboards.MaxRows);
        Assert.InRange(rows.Sum(r => r!.AsArray().Count), 1, VkKeyboards.MaxButtons);
        Assert.All(rows, r => Assert.InRange(r!.AsArray().Count, 1, VkKeyboards.MaxPerRow));
        Assert.All(rows.SelectMany(r => r!.AsArray()), b =>
        {
            Assert.Equal("callback", (string)b!["action"]!["type"]!);
            Assert.InRange(((string)b["action"]!["label"]!).Length, 1, VkKeyboards.MaxLabel);
            Assert.InRange(((string)b["action"]!["payload"]!).Length, 1, 255);
        });
    }
}
