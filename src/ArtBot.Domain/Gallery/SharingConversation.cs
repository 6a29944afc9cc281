using System.IO.Compression;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Gallery;

/// <summary>
/// The chat side of sharing, the same on every platform: Share and Unshare under a picture, /top
/// with a ♥ under each, /gallery, inline answers (Telegram), and a user's data on request
/// (/export, /forget after a confirmation).
/// </summary>
public sealed class SharingConversation(
    GalleryService gallery,
    OfferBook offers,
    IOfferStore offerStore,
    IJobQueue queue,
    IImageStore images,
    IUserStore users,
    JobControl jobs,
    ILogger<SharingConversation> logger)
{
    /// <summary>Most pictures a zip holds (the newest).</summary>
    public const int ExportLimit = 500;

    /// <summary>A zip stops growing here: Telegram takes documents up to 50 MB.</summary>
    public const long ExportMaxBytes = 45L * 1024 * 1024;

    /// <summary>Inline answers are cached by Telegram this long, per user.</summary>
    public const int InlineCacheSeconds = 10;

    /// <summary>Share, or share with the painting, a job of this user's; the answer to the press.</summary>
    public async Task<string?> ShareAsync(UserProfile user, long chat, Job job, bool withPainting, IMessenger messenger, CancellationToken ct)
    {
        var result = await gallery.ShareAsync(job, withPainting, ct);
        if (result.Entry is not { } entry)
            return T(user, result.Refusal == ShareRefusal.Gone ? TextKey.ShareGone : TextKey.UnknownButton);
        var link = gallery.Options.PageOf(entry.Id);
        var keyboard = await offers.KeyboardAsync(user.Platform, user.UserId, [[(T(user, TextKey.ButtonUnshare), new FollowUpOffer(job.Id, FollowUp.Unshare))]], cancellationToken: ct);
        keyboard = keyboard.With([Button.SendToChat(T(user, TextKey.ButtonSendToChat), InlineQueryOf(job))], [Button.Link(T(user, TextKey.ButtonOpenGallery), link)]);
        await messenger.SendTextAsync(chat, T(user, result.New ? TextKey.Shared : TextKey.SharedAlready, link), keyboard, ct);
        return null;
    }

    public async Task<string?> UnshareAsync(UserProfile user, long chat, Job job, IMessenger messenger, CancellationToken ct)
    {
        var removed = await gallery.UnshareAsync(user.Platform, user.UserId, job.Id, ct);
        await messenger.SendTextAsync(chat, T(user, removed ? TextKey.Unshared : TextKey.NotShared), cancellationToken: ct);
        return null;
    }

    /// <summary>What "send to a chat" types after the bot's name: that picture first.</summary>
    public static string InlineQueryOf(Job job) => $"#{job.Id}";

    /// <summary>/top: the week's best, each with its ♥.</summary>
    public async Task TopAsync(UserProfile user, long chat, IMessenger messenger, CancellationToken ct)
    {
        if (!gallery.Options.Sharing)
        {
            await messenger.SendTextAsync(chat, T(user, TextKey.GalleryOff), cancellationToken: ct);
            return;
        }
        var top = await gallery.TopAsync(ct);
        if (top.Count == 0)
        {
            await messenger.SendTextAsync(chat, T(user, TextKey.TopEmpty), cancellationToken: ct);
            return;
        }
        await messenger.SendTextAsync(chat, T(user, TextKey.TopHeader, top.Count, gallery.Options.GalleryPage), cancellationToken: ct);
        foreach (var entry in top)
        {
            // Listed, so visible: its picture is read straight from the store.
            byte[] bytes;
            try
            {
                bytes = await images.GetAsync(entry.Image, ct);
            }
            catch (KeyNotFoundException)
            {
                continue;
            }
            var keyboard = (await offers.KeyboardAsync(user.Platform, user.UserId, [[(T(user, TextKey.ButtonLike, entry.Likes), new LikeOffer(entry.Id))]], cancellationToken: ct))
                .With([Button.Link(T(user, TextKey.ButtonOpenGallery), gallery.Options.PageOf(entry.Id))]);
            var caption = T(user, TextKey.TopCaption, entry.Likes, gallery.StyleName(user.Language, entry));
            if (entry.IsAnimation) await messenger.SendAnimationAsync(chat, bytes, caption, keyboard, ct);
            else await messenger.SendImageAsync(chat, bytes, caption, keyboard, cancellationToken: ct);
        }
    }

    public async Task<string> LikeAsync(UserProfile user, LikeOffer like, CancellationToken ct) =>
        (await gallery.LikeAsync(like.EntryId, UserProfile.KeyOf(user.Platform, user.UserId), ct)).Vote switch
        {
            GalleryVote.Counted => T(user, TextKey.Liked),
            GalleryVote.Repeated => T(user, TextKey.LikedAlready),
            _ => T(user, TextKey.LikeGone),
        };

    public Task GalleryLinkAsync(UserProfile user, long chat, IMessenger messenger, CancellationToken ct) =>
        gallery.Options.Sharing
            ? messenger.SendTextAsync(chat, T(user, TextKey.GalleryLink, gallery.Options.GalleryPage),
                Keyboard.Of([Button.Link(T(user, TextKey.ButtonOpenGallery), gallery.Options.GalleryPage)]), ct)
            : messenger.SendTextAsync(chat, T(user, TextKey.GalleryOff), cancellationToken: ct);

    /// <summary>/history's note for a shared picture: its likes.</summary>
    public async Task<IReadOnlyDictionary<long, GalleryEntry>> SharedAsync(UserProfile user, CancellationToken ct) =>
        (await gallery.OfUserAsync(user.Platform, user.UserId, ct)).ToDictionary(e => e.JobId);

    /// <summary>
    /// Telegram inline mode: this user's own recent pictures, sent again by their file ids; another
    /// user's never (the answer is personal). "#17" puts picture 17 first.
    /// </summary>
    public async Task InlineAsync(UserProfile user, InlineQueryReceived query, IMessenger messenger, CancellationToken ct)
    {
        if (messenger is not IInlineMessenger inline) return;
        var recent = user.Banned ? [] : await queue.RecentResultsAsync(user.Platform, user.UserId, 20, ct);
        var pictures = recent.Where(j => j is { ResultFileId: not null, Kind: not JobKind.Gallery } && j.Platform == user.Platform && j.UserId == user.UserId).ToList();
        if (query.Query.Trim() is ['#', .. var number] && long.TryParse(number, out var wanted))
            pictures = [.. pictures.Where(j => j.Id == wanted), .. pictures.Where(j => j.Id != wanted)];
        var results = pictures.Select(j => new InlinePicture($"job{j.Id}", j.ResultFileId!, j.Kind == JobKind.Animation, jobs.KindName(user.Language, j))).ToList();
        await inline.AnswerInlineQueryAsync(query.QueryId, results, T(user, TextKey.InlineMakeYourOwn), InlineCacheSeconds, ct);
    }

    /// <summary>/export: a zip of the user's own pictures still stored.</summary>
    public async Task ExportAsync(UserProfile user, long chat, IMessenger messenger, CancellationToken ct)
    {
        var pictures = await queue.RecentResultsAsync(user.Platform, user.UserId, ExportLimit, ct);
        using var zip = new MemoryStream();
        var count = 0;
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var job in pictures.Where(j => j.Kind != JobKind.Gallery))
            {
                if (zip.Length >= ExportMaxBytes) break;   // the newest go first
                byte[] bytes;
                try
                {
                    bytes = await images.GetAsync(job.ResultImage!, ct);
                }
                catch (KeyNotFoundException)
                {
                    continue;   // past retention
                }
                var extension = job.Kind == JobKind.Animation ? "mp4" : bytes is [0x89, 0x50, ..] ? "png" : "jpg";
                var at = job.FinishedAt ?? job.CreatedAt;
                // Pictures are compressed already: stored, not deflated again.
                var file = archive.CreateEntry($"artbot-{at:yyyy-MM-dd}-{job.Id}.{extension}", CompressionLevel.NoCompression);
                file.LastWriteTime = at;
                await using (var stream = file.Open()) await stream.WriteAsync(bytes, ct);
                count++;
            }
        }
        if (count == 0)
        {
            await messenger.SendTextAsync(chat, T(user, TextKey.ExportEmpty), cancellationToken: ct);
            return;
        }
        logger.LogInformation("{Platform}:{User}: export of {Count} pictures", user.Platform, user.UserId, count);
        await messenger.SendFileAsync(chat, zip.ToArray(), $"artbot-{user.Platform}-{user.UserId}.zip", T(user, TextKey.ExportCaption, count), ct);
    }

    public async Task ForgetAskAsync(UserProfile user, long chat, IMessenger messenger, CancellationToken ct) =>
        await messenger.SendTextAsync(chat, T(user, TextKey.ForgetConfirm),
            await offers.KeyboardAsync(user.Platform, user.UserId, [[(T(user, TextKey.ButtonForget), new ForgetOffer())]], oneShot: true, ct), ct);

    /// <summary>
    /// Deletes what the bot keeps of a user: photos and pictures (theirs and the copies kept for
    /// them), jobs, menus, profile and shared pictures, likes and reports. The ledger keeps its rows
    /// (credits and payments; no images). Refused while a job of theirs is in progress or its
    /// picture is still on its way: a worker would write it back.
    /// </summary>
    /// <returns>False when refused (the user was told why).</returns>
    public async Task<bool> ForgetAsync(UserProfile user, long chat, IMessenger messenger, CancellationToken ct)
    {
        var (platform, id) = (user.Platform, user.UserId);
        if ((await queue.ActiveJobsAsync(platform, id, ct)).Count > 0
            || (await queue.RecentResultsAsync(platform, id, ExportLimit, ct)).Any(j => j.AwaitsDelivery))
        {
            await messenger.SendTextAsync(chat, T(user, TextKey.ForgetBusy), cancellationToken: ct);
            return false;
        }
        var shared = await gallery.ForgetAsync(platform, id, ct);
        var forgotten = await queue.ForgetAsync(platform, id, ct);
        var stored = forgotten.SelectMany(j => new[] { j.ContentImage, j.StyleImage, j.SecondStyleImage, j.ResultImage })
            .Concat([user.ContentImage, user.StyleImage]).OfType<string>().Where(i => i.Length > 0).Distinct().ToList();
        var deleted = await images.DeleteAsync(stored, ct) + await images.DeleteOwnedAsync(UserProfile.KeyOf(platform, id), ct);
        var menus = await offerStore.DeleteUserAsync(platform, id, ct);
        await users.DeleteAsync(platform, id, ct);
        logger.LogInformation("{Platform}:{User}: forgotten on request: {Jobs} jobs, {Images} images, {Shared} shared pictures, {Menus} menus; ledger kept",
            platform, id, forgotten.Count, deleted, shared, menus);
        await messenger.SendTextAsync(chat, T(user, TextKey.Forgotten), cancellationToken: ct);
        return true;
    }

    private static string T(UserProfile user, string key, params object[] args) => Texts.Get(user.Language, key, args);
}
