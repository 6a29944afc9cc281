using ArtBot.Domain.Bot;
using ArtBot.Domain.Gallery;
using ArtBot.Domain.Queue;

namespace ArtBot.Storage;

/// <summary>Shared pictures, with one vote (like or report) per person per picture, each counted in the same transaction as its vote.</summary>
public sealed class LiteGalleryStore(ArtBotDatabase database) : IGalleryStore
{
    public Task<GalleryEntry> AddAsync(GalleryEntry entry, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.InTransaction(() =>
        {
            if (database.Gallery.FindOne(e => e.JobId == entry.JobId) is { } existing) return existing;
            database.Gallery.Insert(entry);
            return entry;
        }));

    public Task<GalleryEntry?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult<GalleryEntry?>(database.Gallery.FindById(id));
    }

    public Task<GalleryEntry?> OfJobAsync(long jobId, CancellationToken cancellationToken = default)
    {
        lock (database.Gate) return Task.FromResult<GalleryEntry?>(database.Gallery.FindOne(e => e.JobId == jobId));
    }

    public Task<IReadOnlyList<GalleryEntry>> OfUserAsync(string platform, long userId, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
            return Task.FromResult<IReadOnlyList<GalleryEntry>>(database.Gallery.Find(e => e.UserId == userId && e.Platform == platform)
                .OrderByDescending(e => e.SharedAt).ToList());
    }

    public Task<GalleryEntry?> RemoveAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.InTransaction(() =>
        {
            if (database.Gallery.FindById(id) is not { } entry) return null;
            database.Gallery.Delete(id);
            database.GalleryVotes.DeleteMany(v => v.EntryId == id);
            return entry;
        }));

    public Task<IReadOnlyList<GalleryEntry>> ListAsync(GalleryOrder order, DateTimeOffset since, int skip, int take, CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
        {
            var banned = database.Bans.Find(b => b.Banned).Select(b => b.Id).ToHashSet(StringComparer.Ordinal);
            var visible = database.Gallery.Find(e => !e.Hidden && !e.InReview).Where(e => !banned.Contains(UserProfile.KeyOf(e.Platform, e.UserId)));
            var ordered = order == GalleryOrder.WeekBest
                ? visible.Where(e => e.SharedAt >= since).OrderByDescending(e => e.Likes).ThenByDescending(e => e.SharedAt)
                : visible.OrderByDescending(e => e.SharedAt);
            return Task.FromResult<IReadOnlyList<GalleryEntry>>(ordered.ThenBy(e => e.Id, StringComparer.Ordinal).Skip(skip).Take(take).ToList());
        }
    }

    public Task<GalleryVote> LikeAsync(string id, string person, CancellationToken cancellationToken = default) =>
        VoteAsync(id, person, GalleryVoteKind.Like, entry => entry.CountLike());

    public Task<GalleryVote> ReportAsync(string id, string person, int reviewAt, CancellationToken cancellationToken = default) =>
        VoteAsync(id, person, GalleryVoteKind.Report, entry => entry.CountReport(reviewAt));

    private Task<GalleryVote> VoteAsync(string id, string person, GalleryVoteKind kind, Action<GalleryEntry> count) =>
        Task.FromResult(database.InTransaction(() =>
        {
            if (database.Gallery.FindById(id) is not { } entry) return GalleryVote.Missing;
            var vote = new GalleryVoteRow { Id = GalleryVoteRow.KeyOf(kind, id, person), EntryId = id, Person = person, Kind = kind };
            if (database.GalleryVotes.FindById(vote.Id) != null) return GalleryVote.Repeated;
            database.GalleryVotes.Insert(vote);
            count(entry);
            database.Gallery.Update(entry);
            return GalleryVote.Counted;
        }));

    public Task<bool> SetHiddenAsync(string id, bool hidden, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.InTransaction(() =>
        {
            if (database.Gallery.FindById(id) is not { } entry) return false;
            entry.Decide(hidden);
            if (!hidden) database.GalleryVotes.DeleteMany(v => v.EntryId == id && v.Kind == GalleryVoteKind.Report);
            return database.Gallery.Update(entry);
        }));

    public Task<IReadOnlyList<GalleryEntry>> InReviewAsync(CancellationToken cancellationToken = default)
    {
        lock (database.Gate)
            return Task.FromResult<IReadOnlyList<GalleryEntry>>(database.Gallery.Find(e => e.InReview).OrderBy(e => e.SharedAt).ToList());
    }

    public Task<IReadOnlyList<GalleryEntry>> ForgetAsync(string platform, long userId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<GalleryEntry>>(database.InTransaction(() =>
        {
            var person = UserProfile.KeyOf(platform, userId);
            foreach (var vote in database.GalleryVotes.Find(v => v.Person == person).ToList())
            {
                database.GalleryVotes.Delete(vote.Id);
                if (database.Gallery.FindById(vote.EntryId) is not { } voted) continue;
                if (vote.Kind == GalleryVoteKind.Like) voted.Likes = Math.Max(0, voted.Likes - 1);
                else voted.Reports = Math.Max(0, voted.Reports - 1);
                database.Gallery.Update(voted);
            }
            var own = database.Gallery.Find(e => e.UserId == userId && e.Platform == platform).ToList();
            foreach (var entry in own)
            {
                database.Gallery.Delete(entry.Id);
                database.GalleryVotes.DeleteMany(v => v.EntryId == entry.Id);
            }
            return own;
        }));
}

internal enum GalleryVoteKind { Like, Report }

/// <summary>One person's like or report of one picture: its key makes a second one a no-op.</summary>
internal sealed class GalleryVoteRow
{
    public string Id { get; set; } = "";
    public string EntryId { get; set; } = "";
    public string Person { get; set; } = "";
    public GalleryVoteKind Kind { get; set; }

    public static string KeyOf(GalleryVoteKind kind, string entry, string person) => $"{(kind == GalleryVoteKind.Like ? 'l' : 'r')}:{entry}:{person}";
}
