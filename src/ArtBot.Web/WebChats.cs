using System.Text.Json.Serialization;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Options;

namespace ArtBot.Web;

/// <summary>One thing the page shows: a bot message (text, image or file, with buttons) or a short notice.</summary>
public sealed record WebMessage(
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("buttons")] IReadOnlyList<IReadOnlyList<WebButton>> Buttons,
    [property: JsonPropertyName("image")] string? Image);

/// <summary>A button: a press (<see cref="Data"/>), or a link the page opens (<see cref="Url"/>).</summary>
public sealed record WebButton(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("data")] string Data,
    [property: JsonPropertyName("url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url = null);

/// <summary>
/// The bot's side of every browser's conversation, in memory: what was sent (with a sequence
/// number the page polls after), the pictures (by their id in the image store, where they stay for
/// the retention period, so a page can always fetch them again), and a wake-up for waiting polls. An
/// edit is sent again under the same id with a new sequence number. Bounded: messages per chat, and
/// chats: the least recently active is forgotten first, but never one holding a picture its user has
/// not fetched yet.
/// </summary>
public sealed class WebChats(IOptions<WebOptions> options)
{
    private readonly Dictionary<long, Chat> chats = [];
    private readonly Lock gate = new();
    private long seq;
    private long nextId = 1;

    /// <summary>Names this process's chats: after a restart the page starts over from sequence 0.</summary>
    public string Instance { get; } = Guid.NewGuid().ToString("N");

    /// <summary>A picture of a chat: where the image store keeps it, and whether its user has fetched it.</summary>
    public sealed record Picture(string StoreId, bool AsFile, bool Fetched);

    private sealed class Chat
    {
        public long LastActive { get; set; }
        public List<WebMessage> Messages { get; } = [];
        public Dictionary<long, Picture> Pictures { get; } = [];
        public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool HasUnfetched => Pictures.Values.Any(p => !p.Fetched);
    }

    /// <summary>Chats held in memory.</summary>
    public int Count
    {
        get { lock (gate) return chats.Count; }
    }

    /// <param name="picture">The stored picture the message shows, by its image-store id.</param>
    public long Add(long chatId, string kind, string? text, Keyboard? keyboard, string? picture = null)
    {
        lock (gate)
        {
            var chat = ChatOf(chatId);
            var id = nextId++;
            if (picture != null) chat.Pictures[id] = new Picture(picture, kind == "file", Fetched: false);
            Publish(chat, new WebMessage(++seq, id, kind, text, Buttons(keyboard), picture == null ? null : $"/api/image/{id}"));
            return id;
        }
    }

    /// <param name="picture">A new picture for an image message (the page fetches it by a new address); null keeps the picture.</param>
    public bool Edit(long chatId, long messageId, string text, Keyboard? keyboard = null, string? picture = null)
    {
        lock (gate)
        {
            var chat = ChatOf(chatId);
            var old = chat.Messages.LastOrDefault(m => m.Id == messageId);
            if (old == null) return false;
            var address = old.Image;
            if (picture != null && old.Image != null)
            {
                chat.Pictures[messageId] = new Picture(picture, false, Fetched: false);
                address = $"/api/image/{messageId}?v={seq + 1}";
            }
            Publish(chat, old with { Seq = ++seq, Text = text, Buttons = Buttons(keyboard), Image = address });
            return true;
        }
    }

    /// <summary>Messages after <paramref name="after"/>; waits up to <paramref name="wait"/> for one when there are none.</summary>
    public async Task<IReadOnlyList<WebMessage>> ReadAsync(long chatId, long after, TimeSpan wait, CancellationToken ct)
    {
        Task changed;
        lock (gate)
        {
            var chat = ChatOf(chatId);
            var news = chat.Messages.Where(m => m.Seq > after).ToList();
            if (news.Count > 0 || wait <= TimeSpan.Zero) return news;
            changed = chat.Changed.Task;
        }
        try
        {
            await changed.WaitAsync(wait, ct);
        }
        catch (TimeoutException)
        {
            return [];
        }
        lock (gate) return ChatOf(chatId).Messages.Where(m => m.Seq > after).ToList();
    }

    /// <summary>A message's picture, marked fetched; null when the chat has no such picture.</summary>
    public Picture? Fetch(long chatId, long id)
    {
        lock (gate)
        {
            if (!chats.TryGetValue(chatId, out var chat) || !chat.Pictures.TryGetValue(id, out var picture)) return null;
            chat.Pictures[id] = picture with { Fetched = true };
            return picture;
        }
    }

    private long clock;

    private Chat ChatOf(long chatId)
    {
        if (!chats.TryGetValue(chatId, out var chat))
        {
            if (chats.Count >= options.Value.MaxChats)
            {
                // Forget the quietest tenth at once, so a flood of new browsers costs one sort per batch;
                // a chat with a picture not yet fetched stays (a paid result must reach its page).
                foreach (var quiet in chats.Where(c => !c.Value.HasUnfetched).OrderBy(c => c.Value.LastActive).Take(Math.Max(1, chats.Count / 10)).Select(c => c.Key).ToList())
                {
                    chats[quiet].Changed.TrySetResult();
                    chats.Remove(quiet);
                }
            }
            chats[chatId] = chat = new Chat();
        }
        chat.LastActive = ++clock;
        return chat;
    }

    private void Publish(Chat chat, WebMessage message)
    {
        // One entry per message id: an edit replaces it (the page re-renders by id).
        chat.Messages.RemoveAll(m => m.Id == message.Id);
        chat.Messages.Add(message);
        while (chat.Messages.Count > options.Value.HistoryPerChat)
        {
            chat.Pictures.Remove(chat.Messages[0].Id);
            chat.Messages.RemoveAt(0);
        }
        // Fetched pictures beyond the chat's share are forgotten here (the store keeps them; /history sends them again).
        foreach (var old in chat.Pictures.Where(p => p.Value.Fetched).OrderBy(p => p.Key).Take(Math.Max(0, chat.Pictures.Count - options.Value.ImagesPerChat)).Select(p => p.Key).ToList())
            chat.Pictures.Remove(old);
        var waiting = chat.Changed;
        chat.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.TrySetResult();
    }

    private static IReadOnlyList<IReadOnlyList<WebButton>> Buttons(Keyboard? keyboard) =>
        // The web has no inline mode: "send to a chat" is left out.
        keyboard?.Rows.Select(r => (IReadOnlyList<WebButton>)r.Where(b => b.SwitchInline == null).Select(b => new WebButton(b.Text, b.Data, b.Url)).ToList())
            .Where(r => r.Count > 0).ToList() ?? [];
}

/// <summary>
/// Answers into the web chats. A picture is kept in the image store (its owner the page, not the
/// user: it does not count against the user's uploads) and the chat holds its id, so the page can
/// fetch it again for as long as the store keeps it, whatever the chat's memory forgets.
/// </summary>
public sealed class WebMessenger(WebChats chats, IImageStore images, TimeProvider time) : IMessenger
{
    public const string PlatformName = "web";

    /// <summary>The page's copy of a picture: kept for the chat's user, counted against nobody's allowance.</summary>
    private static string Owner(long chatId) => $"{UserProfile.KeyOf(PlatformName, chatId)}/chat";

    public string Platform => PlatformName;

    public Task<long> SendTextAsync(long chatId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null) =>
        Task.FromResult(chats.Add(chatId, "text", text, keyboard));

    public async Task<SentMessage> SendImageAsync(long chatId, byte[] image, string caption, Keyboard? keyboard = null, bool asFile = false, CancellationToken cancellationToken = default, string? dedupeKey = null) =>
        new(chats.Add(chatId, asFile ? "file" : "image", caption, keyboard, await images.PutAsync(image, time.GetUtcNow(), Owner(chatId), cancellationToken)));

    public async Task<long> SendFileAsync(long chatId, byte[] file, string fileName, string caption, CancellationToken cancellationToken = default) =>
        chats.Add(chatId, "file", caption, null, await images.PutAsync(file, time.GetUtcNow(), Owner(chatId), cancellationToken));

    public Task EditTextAsync(long chatId, long messageId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default)
    {
        chats.Edit(chatId, messageId, text, keyboard);
        return Task.CompletedTask;
    }

    public async Task<SentMessage> SendAnimationAsync(long chatId, byte[] video, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null) =>
        new(chats.Add(chatId, "video", caption, keyboard, await images.PutAsync(video, time.GetUtcNow(), Owner(chatId), cancellationToken)));

    public async Task EditImageAsync(long chatId, long messageId, byte[]? image, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default) =>
        chats.Edit(chatId, messageId, caption, keyboard, image == null ? null : await images.PutAsync(image, time.GetUtcNow(), Owner(chatId), cancellationToken));

    /// <summary>The callback id is "chat:n"; a text shows as a short notice.</summary>
    public Task AnswerButtonAsync(string callbackId, string? text = null, CancellationToken cancellationToken = default)
    {
        if (text != null && long.TryParse(callbackId.Split(':')[0], out var chatId)) chats.Add(chatId, "notice", text, null);
        return Task.CompletedTask;
    }
}
