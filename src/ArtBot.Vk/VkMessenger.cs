using System.Collections.Concurrent;
using System.Globalization;
using ArtBot.Domain.Bot;
using Microsoft.Extensions.Logging;

namespace ArtBot.Vk;

/// <summary>
/// Answers through the VK API. Every send carries a <c>random_id</c> derived from its dedupe
/// key, so a retried send is dropped by VK instead of arriving twice. Error 901 (the user has
/// not allowed the community to write) drops the message: the job's result stays stored.
/// </summary>
public sealed class VkMessenger(VkApiClient api, ILogger<VkMessenger> logger) : IMessenger
{
    public const string PlatformName = "vk";
    private const int MenusKept = 5000;
    private readonly ConcurrentDictionary<string, (long PeerId, string Text, Keyboard Keyboard)> menus = new();
    private readonly ConcurrentQueue<string> menuOrder = new();

    // messages.edit replaces a message's attachments with those it names: a caption edit names the photo again.
    private readonly ConcurrentDictionary<(long PeerId, long MessageId), string> photos = new();
    private readonly ConcurrentQueue<(long, long)> photoOrder = new();

    public string Platform => PlatformName;

    /// <summary>The messenger for answers to one event: each send is keyed by the event and its order, so handling the event again sends nothing new.</summary>
    public IMessenger ForEvent(string eventId) => new EventReplies(this, eventId);

    public async Task<long> SendTextAsync(long chatId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        var markup = Markup(chatId, text, keyboard);
        return await DroppingForbiddenAsync(chatId, () => api.SendMessageAsync(chatId, text, RandomId(dedupeKey), markup, cancellationToken: cancellationToken));
    }

    public async Task<SentMessage> SendImageAsync(long chatId, byte[] image, string caption, Keyboard? keyboard = null, bool asFile = false, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        var name = IsPng(image) ? "artbot.png" : "artbot.jpg";
        var markup = Markup(chatId, caption, keyboard);
        return new SentMessage(await DroppingForbiddenAsync(chatId, async () =>
        {
            var attachment = asFile
                ? await api.UploadDocumentAsync(chatId, image, name, cancellationToken)
                : await api.UploadPhotoAsync(chatId, image, name, cancellationToken);
            var id = await api.SendMessageAsync(chatId, caption, RandomId(dedupeKey), markup, attachment, cancellationToken);
            if (!asFile) RememberPhoto(chatId, id, attachment);
            return id;
        }));
    }

    public Task<long> SendFileAsync(long chatId, byte[] file, string fileName, string caption, CancellationToken cancellationToken = default) =>
        SendFileAsync(chatId, file, fileName, caption, null, cancellationToken);

    private async Task<long> SendFileAsync(long chatId, byte[] file, string fileName, string caption, string? dedupeKey, CancellationToken cancellationToken) =>
        await DroppingForbiddenAsync(chatId, async () =>
        {
            var attachment = await api.UploadDocumentAsync(chatId, file, fileName, cancellationToken);
            return await api.SendMessageAsync(chatId, caption, RandomId(dedupeKey), null, attachment, cancellationToken);
        });

    /// <remarks>VK keeps a message's keyboard through an edit that names none: an empty one takes it away.</remarks>
    public Task EditTextAsync(long chatId, long messageId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default) =>
        api.EditMessageAsync(chatId, text, messageId: messageId, keyboard: Markup(chatId, text, keyboard) ?? VkKeyboards.None, cancellationToken: cancellationToken);

    /// <remarks>VK has no animation upload for communities: the MP4 goes as a document, which VK plays in the chat.</remarks>
    public async Task<SentMessage> SendAnimationAsync(long chatId, byte[] video, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        var markup = Markup(chatId, caption, keyboard);
        return new SentMessage(await DroppingForbiddenAsync(chatId, async () =>
        {
            var attachment = await api.UploadDocumentAsync(chatId, video, "artbot.mp4", cancellationToken);
            return await api.SendMessageAsync(chatId, caption, RandomId(dedupeKey), markup, attachment, cancellationToken);
        }));
    }

    /// <remarks>VK edits a photo in place by naming a freshly uploaded one as the message's attachment.</remarks>
    public async Task EditImageAsync(long chatId, long messageId, byte[]? image, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default)
    {
        var attachment = image != null ? await api.UploadPhotoAsync(chatId, image, "preview.jpg", cancellationToken) : photos.GetValueOrDefault((chatId, messageId));
        await api.EditMessageAsync(chatId, caption, messageId: messageId, keyboard: Markup(chatId, caption, keyboard) ?? VkKeyboards.None,
            cancellationToken: cancellationToken, attachment: attachment);
        if (attachment != null) RememberPhoto(chatId, messageId, attachment);
    }

    private void RememberPhoto(long peerId, long messageId, string attachment)
    {
        if (photos.TryAdd((peerId, messageId), attachment)) photoOrder.Enqueue((peerId, messageId));
        else photos[(peerId, messageId)] = attachment;
        while (photoOrder.Count > MenusKept && photoOrder.TryDequeue(out var old)) photos.TryRemove(old, out _);
    }

    public Task AnswerButtonAsync(string callbackId, string? text = null, CancellationToken cancellationToken = default)
    {
        var (eventId, userId, peerId) = VkCallback.Parse(callbackId);
        return api.AnswerEventAsync(eventId, userId, peerId, text, cancellationToken);
    }

    /// <summary>Shows another page of a paged menu in place; false when the menu is no longer known (the bot restarted since).</summary>
    public async Task<bool> TurnPageAsync(long peerId, long conversationMessageId, string menu, int page, CancellationToken cancellationToken)
    {
        // A page of a menu sent to another chat is not this chat's to turn.
        if (!menus.TryGetValue(menu, out var known) || known.PeerId != peerId || page is < 0 or > 100) return false;
        await api.EditMessageAsync(peerId, known.Text, conversationMessageId: conversationMessageId,
            keyboard: VkKeyboards.Render(VkKeyboards.Pages(known.Keyboard), page, menu), cancellationToken: cancellationToken);
        return true;
    }

    /// <summary>The first page as VK JSON; a keyboard of several pages is remembered so its ◀ ▶ can turn them.</summary>
    private string? Markup(long peerId, string text, Keyboard? keyboard)
    {
        if (keyboard == null) return null;
        var pages = VkKeyboards.Pages(keyboard);
        if (pages.Count == 1) return VkKeyboards.Render(pages, 0, "");
        var id = Guid.NewGuid().ToString("N")[..12];
        menus[id] = (peerId, text, keyboard);
        menuOrder.Enqueue(id);
        while (menuOrder.Count > MenusKept && menuOrder.TryDequeue(out var old)) menus.TryRemove(old, out _);
        return VkKeyboards.Render(pages, 0, id);
    }

    private static int RandomId(string? dedupeKey) => dedupeKey == null ? Random.Shared.Next(1, int.MaxValue) : VkApiClient.RandomIdOf(dedupeKey);

    private static bool IsPng(byte[] image) => image is [0x89, 0x50, 0x4E, 0x47, ..];

    private async Task<long> DroppingForbiddenAsync(long peerId, Func<Task<long>> send)
    {
        try
        {
            return await send();
        }
        catch (VkApiException e) when (e.Code == VkApiClient.CannotSendToUser)
        {
            logger.LogInformation("VK peer {Peer} does not allow messages from the community (901); message dropped", peerId);
            return 0;
        }
    }

    private sealed class EventReplies(VkMessenger inner, string eventId) : IMessenger
    {
        private int sent;

        public string Platform => inner.Platform;

        private string Key(string? given) => given ?? $"event:{eventId}:{Interlocked.Increment(ref sent)}";

        public Task<long> SendTextAsync(long chatId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null) =>
            inner.SendTextAsync(chatId, text, keyboard, cancellationToken, Key(dedupeKey));

        public Task<SentMessage> SendImageAsync(long chatId, byte[] image, string caption, Keyboard? keyboard = null, bool asFile = false, CancellationToken cancellationToken = default, string? dedupeKey = null) =>
            inner.SendImageAsync(chatId, image, caption, keyboard, asFile, cancellationToken, Key(dedupeKey));

        public Task EditTextAsync(long chatId, long messageId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default) =>
            inner.EditTextAsync(chatId, messageId, text, keyboard, cancellationToken);

        public Task EditImageAsync(long chatId, long messageId, byte[]? image, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default) =>
            inner.EditImageAsync(chatId, messageId, image, caption, keyboard, cancellationToken);

        public Task<SentMessage> SendAnimationAsync(long chatId, byte[] video, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null) =>
            inner.SendAnimationAsync(chatId, video, caption, keyboard, cancellationToken, Key(dedupeKey));

        public Task AnswerButtonAsync(string callbackId, string? text = null, CancellationToken cancellationToken = default) =>
            inner.AnswerButtonAsync(callbackId, text, cancellationToken);

        public Task<long> SendFileAsync(long chatId, byte[] file, string fileName, string caption, CancellationToken cancellationToken = default) =>
            inner.SendFileAsync(chatId, file, fileName, caption, Key(null), cancellationToken);
    }
}

/// <summary>What <c>messages.sendMessageEventAnswer</c> needs, carried through the domain as one callback id.</summary>
public static class VkCallback
{
    public static string Of(string eventId, long userId, long peerId) =>
        string.Create(CultureInfo.InvariantCulture, $"{eventId}|{userId}|{peerId}");

    public static (string EventId, long UserId, long PeerId) Parse(string callbackId)
    {
        var parts = callbackId.Split('|');
        return (parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}
