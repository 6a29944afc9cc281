using System.Text.Json.Serialization;
using ArtBot.Domain.Bot;
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

public sealed record WebButton([property: JsonPropertyName("text")] string Text, [property: JsonPropertyName("data")] string Data);

/// <summary>
/// The bot's side of every browser's conversation, in memory: what was sent (with a sequence
/// number the page polls after), the images, and a wake-up for waiting polls. An edit is sent
/// again under the same id with a new sequence number. Bounded: messages and pictures per chat,
/// and chats (the least recently active is forgotten first).
/// </summary>
public sealed class WebChats(IOptions<WebOptions> options)
{
    private readonly Dictionary<long, Chat> chats = [];
    private readonly Lock gate = new();
    private long seq;
    private long nextId = 1;

    /// <summary>Names this process's chats: after a restart the page starts over from sequence 0.</summary>
    public string Instance { get; } = Guid.NewGuid().ToString("N");

    private sealed class Chat
    {
        public long LastActive { get; set; }
        public List<WebMessage> Messages { get; } = [];
        public Dictionary<long, (byte[] Bytes, bool AsFile)> Images { get; } = [];
        public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Chats held in memory.</summary>
    public int Count
    {
        get { lock (gate) return chats.Count; }
    }

    public long Add(long chatId, string kind, string? text, Keyboard? keyboard, byte[]? image = null)
    {
        lock (gate)
        {
            var chat = ChatOf(chatId);
            var id = nextId++;
            if (image != null) chat.Images[id] = (image, kind == "file");
            Publish(chat, new WebMessage(++seq, id, kind, text, Buttons(keyboard), image == null ? null : $"/api/image/{id}"));
            return id;
        }
    }

    /// <param name="image">A new picture for an image message (the page fetches it by a new address); null keeps the picture.</param>
    public bool Edit(long chatId, long messageId, string text, Keyboard? keyboard = null, byte[]? image = null)
    {
        lock (gate)
        {
            var chat = ChatOf(chatId);
            var old = chat.Messages.LastOrDefault(m => m.Id == messageId);
            if (old == null) return false;
            var picture = old.Image;
            if (image != null && old.Image != null)
            {
                chat.Images[messageId] = (image, false);
                picture = $"/api/image/{messageId}?v={seq + 1}";
            }
            Publish(chat, old with { Seq = ++seq, Text = text, Buttons = Buttons(keyboard), Image = picture });
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

    public (byte[] Bytes, bool AsFile)? Image(long chatId, long id)
    {
        lock (gate) return ChatOf(chatId).Images.TryGetValue(id, out var image) ? image : null;
    }

    private long clock;

    private Chat ChatOf(long chatId)
    {
        if (!chats.TryGetValue(chatId, out var chat))
        {
            if (chats.Count >= options.Value.MaxChats)
            {
                // Forget the quietest tenth at once, so a flood of new browsers costs one sort per batch.
                foreach (var quiet in chats.OrderBy(c => c.Value.LastActive).Take(Math.Max(1, chats.Count / 10)).Select(c => c.Key).ToList())
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
            chat.Images.Remove(chat.Messages[0].Id);
            chat.Messages.RemoveAt(0);
        }
        while (chat.Images.Count > options.Value.ImagesPerChat) chat.Images.Remove(chat.Images.Keys.Min());
        var waiting = chat.Changed;
        chat.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.TrySetResult();
    }

    private static IReadOnlyList<IReadOnlyList<WebButton>> Buttons(Keyboard? keyboard) =>
        keyboard?.Rows.Select(r => (IReadOnlyList<WebButton>)r.Select(b => new WebButton(b.Text, b.Data)).ToList()).ToList() ?? [];
}

/// <summary>Answers into the web chats. Nothing can fail on the way, so there is nothing to retry or deduplicate.</summary>
public sealed class WebMessenger(WebChats chats) : IMessenger
{
    public const string PlatformName = "web";

    public string Platform => PlatformName;

    public Task<long> SendTextAsync(long chatId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null) =>
        Task.FromResult(chats.Add(chatId, "text", text, keyboard));

    public Task<long> SendImageAsync(long chatId, byte[] image, string caption, Keyboard? keyboard = null, bool asFile = false, CancellationToken cancellationToken = default, string? dedupeKey = null) =>
        Task.FromResult(chats.Add(chatId, asFile ? "file" : "image", caption, keyboard, image));

    public Task EditTextAsync(long chatId, long messageId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default)
    {
        chats.Edit(chatId, messageId, text, keyboard);
        return Task.CompletedTask;
    }

    public Task<long> SendAnimationAsync(long chatId, byte[] video, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null) =>
        Task.FromResult(chats.Add(chatId, "video", caption, keyboard, video));

    public Task EditImageAsync(long chatId, long messageId, byte[]? image, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default)
    {
        chats.Edit(chatId, messageId, caption, keyboard, image);
        return Task.CompletedTask;
    }

    /// <summary>The callback id is "chat:n"; a text shows as a short notice.</summary>
    public Task AnswerButtonAsync(string callbackId, string? text = null, CancellationToken cancellationToken = default)
    {
        if (text != null && long.TryParse(callbackId.Split(':')[0], out var chatId)) chats.Add(chatId, "notice", text, null);
        return Task.CompletedTask;
    }
}
