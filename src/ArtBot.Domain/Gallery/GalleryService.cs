using System.Security.Cryptography;
using ArtBot.Domain.Art;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Gallery;

/// <summary>Why a share did not happen.</summary>
public enum ShareRefusal { None, NotShareable, Gone }

/// <summary>What a share did: the entry (new or already there), or why there is none.</summary>
public sealed record ShareResult(GalleryEntry? Entry, bool New, ShareRefusal Refusal = ShareRefusal.None);

/// <summary>
/// The public gallery's rules, for every platform and the web pages: what may be shared (a finished
/// picture of its author's, by their press only), what a visitor may see (not hidden, not in review,
/// its author not banned), likes and reports one per person, and taking a user's pictures out.
/// </summary>
public sealed class GalleryService(
    IGalleryStore store,
    IImageStore images,
    IUserStore users,
    IUploadIntake intake,
    PresetCatalog presets,
    GalleryOptions options,
    TimeProvider time,
    ILogger<GalleryService> logger)
{
    private const string Alphabet = "0123456789abcdefghijkmnopqrstuvwxyz";

    public GalleryOptions Options => options;

    /// <summary>A picture of this kind can go to the gallery (a preview sheet shows the user's own photo: never).</summary>
    public static bool Shareable(Job job) => job is { ResultImage: not null, Kind: not JobKind.Gallery, State: JobState.Done or JobState.Cancelled };

    public async Task<ShareResult> ShareAsync(Job job, bool withPainting, CancellationToken ct)
    {
        if (!options.Sharing || !Shareable(job)) return new ShareResult(null, false, ShareRefusal.NotShareable);
        if (await store.OfJobAsync(job.Id, ct) is { } existing) return new ShareResult(existing, false);
        byte[] picture;
        try
        {
            picture = await images.GetAsync(job.ResultImage!, ct);
        }
        catch (KeyNotFoundException)
        {
            return new ShareResult(null, false, ShareRefusal.Gone);
        }
        var now = time.GetUtcNow();
        var owner = $"{UserProfile.KeyOf(job.Platform, job.UserId)}/gallery";
        // The gallery's own copies: kept while shared, whatever the retention period does to the job's.
        var kept = new List<string> { await images.PutAsync(picture, now, owner, ct, keep: true) };
        string? thumbnail = null, painting = null;
        if (job.Kind != JobKind.Animation)
        {
            thumbnail = await images.PutAsync(await intake.ThumbnailAsync(picture, options.ThumbnailSide, ct), now, owner, ct, keep: true);
            kept.Add(thumbnail);
        }
        if (withPainting && job is { Kind: JobKind.Stylize, StyleImage: { } style })
        {
            try
            {
                painting = await images.PutAsync(await intake.ThumbnailAsync(await images.GetAsync(style, ct), options.ThumbnailSide / 2, ct), now, owner, ct, keep: true);
                kept.Add(painting);
            }
            catch (KeyNotFoundException)
            {
                // The painting is past retention: the picture is shared without it.
            }
        }
        var entry = await store.AddAsync(new GalleryEntry
        {
            Id = RandomNumberGenerator.GetString(Alphabet, 10), Platform = job.Platform, UserId = job.UserId, JobId = job.Id, Kind = job.Kind,
            PresetId = job.PresetId, Image = kept[0], Thumbnail = thumbnail, PaintingThumbnail = painting, SharedAt = now,
        }, ct);
        if (entry.Image != kept[0])
        {
            // Shared by a press a moment earlier: that entry stands, these copies go.
            await images.DeleteAsync(kept, ct);
            return new ShareResult(entry, false);
        }
        logger.LogInformation("{Platform}:{User}: job {Job} shared as {Entry}", job.Platform, job.UserId, job.Id, entry.Id);
        return new ShareResult(entry, true);
    }

    /// <summary>Takes the entry of <paramref name="jobId"/> out, when it is this user's; false when there is none.</summary>
    public async Task<bool> UnshareAsync(string platform, long userId, long jobId, CancellationToken ct)
    {
        if (await store.OfJobAsync(jobId, ct) is not { } entry || entry.Platform != platform || entry.UserId != userId) return false;
        await RemoveAsync(entry, ct);
        logger.LogInformation("{Platform}:{User}: {Entry} taken out of the gallery", platform, userId, entry.Id);
        return true;
    }

    private async Task RemoveAsync(GalleryEntry entry, CancellationToken ct)
    {
        if (await store.RemoveAsync(entry.Id, ct) is { } removed) await images.DeleteAsync(ImagesOf(removed), ct);
    }

    private static IEnumerable<string> ImagesOf(GalleryEntry entry) =>
        new[] { entry.Image, entry.Thumbnail, entry.PaintingThumbnail }.OfType<string>();

    /// <summary>An entry a visitor may see; null when there is none, or it is hidden, in review or its author banned.</summary>
    public async Task<GalleryEntry?> VisibleAsync(string id, CancellationToken ct)
    {
        if (!IsId(id) || await store.GetAsync(id, ct) is not { Hidden: false, InReview: false } entry) return null;
        return await users.IsBannedAsync(entry.Platform, entry.UserId, ct) ? null : entry;
    }

    /// <summary>An image of a visible entry (the picture, its thumbnail or its painting's), by the entry's id and which one.</summary>
    public async Task<(byte[] Bytes, string ETag)?> ImageAsync(string id, GalleryImage which, CancellationToken ct)
    {
        if (await VisibleAsync(id, ct) is not { } entry) return null;
        var stored = which switch
        {
            GalleryImage.Thumbnail => entry.Thumbnail ?? (entry.IsAnimation ? null : entry.Image),
            GalleryImage.Painting => entry.PaintingThumbnail,
            _ => entry.Image,
        };
        if (stored == null) return null;
        try
        {
            // Stored images never change: their id is their version.
            return (await images.GetAsync(stored, ct), $"\"{stored.Replace("img/", "", StringComparison.Ordinal)}\"");
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }

    public Task<IReadOnlyList<GalleryEntry>> PageAsync(GalleryOrder order, int page, CancellationToken ct) =>
        store.ListAsync(order, WeekStart, Math.Max(0, page) * options.PageSize, options.PageSize + 1, ct);

    /// <summary>The week's best, for /top.</summary>
    public Task<IReadOnlyList<GalleryEntry>> TopAsync(CancellationToken ct) => store.ListAsync(GalleryOrder.WeekBest, WeekStart, 0, options.TopCount, ct);

    private DateTimeOffset WeekStart => time.GetUtcNow().AddDays(-7);

    /// <summary>A like from <paramref name="person"/> (a platform key): counted once, on a visible entry only; with the count it makes.</summary>
    public async Task<(GalleryVote Vote, int Likes)> LikeAsync(string id, string person, CancellationToken ct)
    {
        if (await VisibleAsync(id, ct) is not { } entry) return (GalleryVote.Missing, 0);
        var vote = await store.LikeAsync(id, person, ct);
        // The entry as read before the vote, plus this one: another like at the same moment may be missing from it.
        return (vote, entry.Likes + (vote == GalleryVote.Counted ? 1 : 0));
    }

    public async Task<GalleryVote> ReportAsync(string id, string person, CancellationToken ct)
    {
        if (await VisibleAsync(id, ct) is null) return GalleryVote.Missing;
        var vote = await store.ReportAsync(id, person, options.ReportsForReview, ct);
        if (vote == GalleryVote.Counted) logger.LogInformation("Gallery {Entry} reported by {Person}", id, person);
        return vote;
    }

    /// <summary>The style a picture was painted in, as the gallery names it.</summary>
    public string StyleName(Language language, GalleryEntry entry) => entry.Kind switch
    {
        JobKind.Preset or JobKind.Animation => presets.Find(entry.PresetId ?? "")?.Name.For(language) ?? entry.PresetId ?? "?",
        JobKind.Dream => Texts.Get(language, TextKey.KindDream),
        _ => Texts.Get(language, TextKey.KindStylize),
    };

    public Task<bool> SetHiddenAsync(string id, bool hidden, CancellationToken ct) =>
        IsId(id) ? store.SetHiddenAsync(id, hidden, ct) : Task.FromResult(false);

    public Task<IReadOnlyList<GalleryEntry>> InReviewAsync(CancellationToken ct) => store.InReviewAsync(ct);

    public Task<IReadOnlyList<GalleryEntry>> OfUserAsync(string platform, long userId, CancellationToken ct) => store.OfUserAsync(platform, userId, ct);

    /// <summary>Takes a user's pictures out with their images, and their likes and reports; returns how many pictures.</summary>
    public async Task<int> ForgetAsync(string platform, long userId, CancellationToken ct)
    {
        var entries = await store.ForgetAsync(platform, userId, ct);
        await images.DeleteAsync(entries.SelectMany(ImagesOf), ct);
        return entries.Count;
    }

    /// <summary>Only ids this service makes: a path segment never reaches a store otherwise.</summary>
    public static bool IsId(string id) => id is { Length: 10 } && id.All(c => Alphabet.Contains(c));
}

public enum GalleryImage { Picture, Thumbnail, Painting }
