using System.ComponentModel.DataAnnotations;
using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Gallery;

/// <summary>
/// A picture its author chose to show. It holds its own copies of the picture and its thumbnail
/// in the image store (kept past the retention period, deleted with the entry), never the
/// author's photos: a Gatys picture shows its painting's thumbnail only when the author asked.
/// </summary>
public sealed class GalleryEntry
{
    /// <summary>The public id in its address (<c>/p/&lt;id&gt;</c>): random, so unshared pictures cannot be walked to.</summary>
    public string Id { get; set; } = "";

    public string Platform { get; set; } = "";
    public long UserId { get; set; }

    /// <summary>The job that painted it: one entry per job.</summary>
    public long JobId { get; set; }

    public JobKind Kind { get; set; }
    public string? PresetId { get; set; }

    /// <summary>The picture (an MP4 for an animation), in the image store.</summary>
    public string Image { get; set; } = "";

    /// <summary>A small JPEG of the picture, made once when shared (an animation has none: the page plays it).</summary>
    public string? Thumbnail { get; set; }

    /// <summary>A small JPEG of the painting of a Gatys picture, only when its author ticked it.</summary>
    public string? PaintingThumbnail { get; set; }

    public DateTimeOffset SharedAt { get; set; }
    public int Likes { get; set; }
    public int Reports { get; set; }

    /// <summary>Taken down by an admin.</summary>
    public bool Hidden { get; set; }

    /// <summary>Reported often enough to wait for an admin: out of sight until one decides.</summary>
    public bool InReview { get; set; }

    public bool IsAnimation => Kind == JobKind.Animation;

    /// <summary>A new like (the store has checked it is this person's first).</summary>
    public void CountLike() => Likes++;

    /// <summary>A new report; the <paramref name="reviewAt"/>-th puts a shown picture out of sight until an admin decides (a hidden one is decided already).</summary>
    public void CountReport(int reviewAt)
    {
        Reports++;
        if (Reports >= reviewAt && !Hidden) InReview = true;
    }

    /// <summary>An admin's decision ends its review: hidden, or shown again with its reports cleared (their votes go with them, in the same store transaction).</summary>
    public void Decide(bool hidden)
    {
        Hidden = hidden;
        InReview = false;
        if (!hidden) Reports = 0;
    }
}

public enum GalleryOrder { Newest, WeekBest }

/// <summary>What a like or a report did.</summary>
public enum GalleryVote { Counted, Repeated, Missing }

/// <summary>
/// Shared pictures, likes and reports. A listing shows only what may be seen: not hidden, not in
/// review, its author not banned. Likes and reports are one per person (a platform key such as
/// <c>telegram:42</c> or <c>web:7</c>) per picture, counted atomically.
/// </summary>
public interface IGalleryStore
{
    /// <summary>Stores a new entry; when the job is shared already, nothing is stored and that entry is returned.</summary>
    Task<GalleryEntry> AddAsync(GalleryEntry entry, CancellationToken cancellationToken = default);

    Task<GalleryEntry?> GetAsync(string id, CancellationToken cancellationToken = default);

    Task<GalleryEntry?> OfJobAsync(long jobId, CancellationToken cancellationToken = default);

    /// <summary>A user's entries, newest first.</summary>
    Task<IReadOnlyList<GalleryEntry>> OfUserAsync(string platform, long userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes an entry with its likes and reports; returns it (its images are the caller's to delete), or null.</summary>
    Task<GalleryEntry?> RemoveAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Visible entries, newest first or by likes (shared since <paramref name="since"/>); <paramref name="skip"/>, <paramref name="take"/> page them.</summary>
    Task<IReadOnlyList<GalleryEntry>> ListAsync(GalleryOrder order, DateTimeOffset since, int skip, int take, CancellationToken cancellationToken = default);

    Task<GalleryVote> LikeAsync(string id, string person, CancellationToken cancellationToken = default);

    /// <summary>A report; the <paramref name="reviewAt"/>-th puts the entry in review.</summary>
    Task<GalleryVote> ReportAsync(string id, string person, int reviewAt, CancellationToken cancellationToken = default);

    /// <summary>An admin's decision: hidden, or shown again (its reports cleared, out of review).</summary>
    Task<bool> SetHiddenAsync(string id, bool hidden, CancellationToken cancellationToken = default);

    /// <summary>Entries in review, oldest first: the admin's queue.</summary>
    Task<IReadOnlyList<GalleryEntry>> InReviewAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets a person: their entries (returned, for their images), their likes (each liked count
    /// goes down) and their reports.
    /// </summary>
    Task<IReadOnlyList<GalleryEntry>> ForgetAsync(string platform, long userId, CancellationToken cancellationToken = default);
}

/// <summary>Configuration section <c>Gallery</c>: the public gallery of shared pictures.</summary>
public sealed record GalleryOptions
{
    public const string Section = "Gallery";

    /// <summary>Sharing is offered when this is on and the gallery has an address (the web host serves it, or <see cref="PublicUrl"/> names it).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The gallery's address as people reach it (https://art.example.com/); unset: the web host's own.</summary>
    [Url]
    public string? PublicUrl { get; init; }

    /// <summary>Reports that put a picture in the admins' review (out of sight until decided).</summary>
    [Range(1, 1000)]
    public int ReportsForReview { get; init; } = 3;

    [Range(4, 100)]
    public int PageSize { get; init; } = 24;

    /// <summary>Long side of a thumbnail, in pixels.</summary>
    [Range(64, 1024)]
    public int ThumbnailSide { get; init; } = 360;

    /// <summary>How many pictures /top sends.</summary>
    [Range(1, 10)]
    public int TopCount { get; init; } = 5;

    /// <summary>
    /// VK: post the week's best to the community's wall once a week (the token must have wall
    /// rights). Off by default.
    /// </summary>
    public bool VkWallPost { get; init; }

    /// <summary>The address links use, ending in "/"; null when the gallery has none.</summary>
    public string? BaseUrl => PublicUrl is { Length: > 0 } url ? (url.EndsWith('/') ? url : url + "/") : null;

    public string PageOf(string id) => $"{BaseUrl}p/{id}";

    public string GalleryPage => $"{BaseUrl}gallery";

    /// <summary>Shares are offered only where they can be seen.</summary>
    public bool Sharing => Enabled && BaseUrl != null;
}
