using ArtBot.Scenarios.Fakes;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ArtBot.Domain.Bot;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArtBot.Vk.Tests;

public sealed class VkClientTests : IAsyncLifetime
{
    private readonly FakeVk vk = new();
    private readonly HttpClient http = new();
    private readonly MemoryCursors cursors = new();

    public Task InitializeAsync() => vk.StartAsync();

    public async Task DisposeAsync()
    {
        http.Dispose();
        await vk.DisposeAsync();
    }

    private VkApiClient Client(string token = FakeVk.Token) =>
        new(http, Options.Create(new VkOptions { Token = token, GroupId = FakeVk.GroupId, BaseUrl = vk.Url }), NullLogger<VkApiClient>.Instance);

    private VkLongPoll Poll() => new(Client(), http, cursors, NullLogger<VkLongPoll>.Instance);

    private static JsonObject Message(long from, string text) =>
        new() { ["message"] = new JsonObject { ["from_id"] = from, ["peer_id"] = from, ["text"] = text } };

    private static IEnumerable<string> Texts(IEnumerable<JsonObject> events) => events.Select(e => (string)e["object"]!["message"]!["text"]!);

    [Fact]
    public async Task Error_6_storm_is_retried_until_the_call_succeeds()
    {
        foreach (var _ in Enumerable.Range(0, 3)) vk.NextErrors.Enqueue(VkApiClient.TooManyRequests);
        var time = await Client().CallAsync("utils.getServerTime", new Dictionary<string, string>());
        Assert.Equal(1_700_000_000, (int)time!);
        Assert.Equal(4, vk.MethodCalls.Count);
    }

    [Fact]
    public async Task Bad_token_is_a_clear_authorization_error_without_the_token()
    {
        var e = await Assert.ThrowsAsync<VkAuthorizationException>(() => Client("wrong-token-123").CallAsync("utils.getServerTime", new Dictionary<string, string>()));
        Assert.Equal(5, e.Code);
        Assert.Equal("utils.getServerTime", e.Method);
        Assert.DoesNotContain("wrong-token-123", e.Message);
        Assert.Single(vk.MethodCalls);
    }

    [Fact]
    public async Task Other_errors_name_method_and_code_and_are_not_retried()
    {
        vk.NextErrors.Enqueue(VkApiClient.CannotSendToUser);
        var e = await Assert.ThrowsAsync<VkApiException>(() => Client().CallAsync("messages.send", new Dictionary<string, string>()));
        Assert.Equal((901, "messages.send"), (e.Code, e.Method));
        Assert.Single(vk.MethodCalls);
    }

    [Fact]
    public async Task Events_are_delivered_and_a_restart_resumes_after_the_committed_ones()
    {
        var poll = Poll();
        Assert.Empty(await poll.PollAsync(0));   // a new session starts from VK's current ts
        await poll.CommitAsync();
        vk.Push("message_new", Message(1, "a"));
        vk.Push("message_new", Message(1, "b"));
        Assert.Equal(["a", "b"], Texts(await poll.PollAsync(0)));
        await poll.CommitAsync();

        vk.Push("message_new", Message(1, "c"));
        var uncommitted = await poll.PollAsync(0);
        Assert.Equal(["c"], Texts(uncommitted));
        // The process dies before handling "c": a new session starts from the stored ts.
        var restarted = Poll();
        Assert.Equal(["c"], Texts(await restarted.PollAsync(0)));
    }

    [Fact]
    public async Task A_restart_in_the_middle_of_a_batch_skips_exactly_the_handled_events()
    {
        var poll = Poll();
        await poll.PollAsync(0);
        await poll.CommitAsync();
        vk.Push("message_new", Message(1, "one"));
        vk.Push("message_new", Message(1, "two"));
        vk.Push("message_new", Message(1, "three"));
        Assert.Equal(["one", "two", "three"], Texts(await poll.PollAsync(0)));
        await poll.MarkHandledAsync();
        await poll.MarkHandledAsync();
        // The process dies while handling "three".
        var restarted = Poll();
        Assert.Equal(["three"], Texts(await restarted.PollAsync(0)));
        await restarted.MarkHandledAsync();
        await restarted.CommitAsync();
        vk.Push("message_new", Message(1, "four"));
        Assert.Equal(["four"], Texts(await Poll().PollAsync(0)));
    }

    [Fact]
    public void Random_ids_are_stable_positive_and_differ_by_key()
    {
        Assert.Equal(VkApiClient.RandomIdOf("job:17:result"), VkApiClient.RandomIdOf("job:17:result"));
        Assert.NotEqual(VkApiClient.RandomIdOf("job:17:result"), VkApiClient.RandomIdOf("job:17:file"));
        Assert.All(Enumerable.Range(0, 1000), i => Assert.True(VkApiClient.RandomIdOf($"event:e{i}:1") > 0));
    }

    [Fact]
    public async Task Failed_2_fetches_a_new_key_and_keeps_the_ts()
    {
        var poll = Poll();
        await poll.PollAsync(0);
        await poll.CommitAsync();
        vk.Push("message_new", Message(2, "kept"));
        vk.NextFailures.Enqueue(2);
        Assert.Equal(["kept"], Texts(await poll.PollAsync(0)));
        Assert.Equal(2, vk.MethodCalls.Count(m => m == "groups.getLongPollServer"));
    }

    [Fact]
    public async Task Failed_1_continues_from_the_new_ts()
    {
        var poll = Poll();
        await poll.PollAsync(0);
        await poll.CommitAsync();
        vk.Push("message_new", Message(3, "before"));
        vk.NextFailures.Enqueue(1);
        vk.Push("message_new", Message(3, "after"));
        // VK says the history is outdated and hands a ts past both events: nothing older is re-read.
        Assert.Empty(await poll.PollAsync(0));
        Assert.Equal(1, vk.MethodCalls.Count(m => m == "groups.getLongPollServer"));
    }

    [Fact]
    public async Task Failed_3_takes_a_new_key_and_ts()
    {
        var poll = Poll();
        await poll.PollAsync(0);
        await poll.CommitAsync();
        vk.NextFailures.Enqueue(3);
        vk.Push("message_new", Message(4, "lost on vk's side"));
        var events = await poll.PollAsync(0);
        Assert.Equal(2, vk.MethodCalls.Count(m => m == "groups.getLongPollServer"));
        Assert.Empty(events);
        vk.Push("message_new", Message(4, "new"));
        Assert.Equal(["new"], Texts(await poll.PollAsync(0)));
    }

    private sealed class MemoryCursors : ICursorStore
    {
        private readonly ConcurrentDictionary<string, long> values = new();

        public Task<long?> GetAsync(string key, CancellationToken cancellationToken = default) =>
            Task.FromResult(values.TryGetValue(key, out var v) ? v : (long?)null);

        public Task SetAsync(string key, long value, CancellationToken cancellationToken = default)
        {
            values[key] = value;
            return Task.CompletedTask;
        }
    }
}
