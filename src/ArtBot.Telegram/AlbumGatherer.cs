using Telegram.Bot.Types;

namespace ArtBot.Telegram;

/// <summary>
/// Telegram sends each photo of an album as its own update, and does not promise that one
/// <c>getUpdates</c> answer holds all of them. Pieces wait here, by chat and <c>media_group_id</c>,
/// until no new piece has come for the window (or the album is full), whatever the poll boundaries;
/// then the album is handled as one message. Not thread-safe: the receiver's loop owns it.
/// </summary>
internal sealed class AlbumGatherer(TimeSpan window)
{
    /// <summary>Telegram's own limit on an album.</summary>
    public const int MaxPieces = 10;

    private readonly Dictionary<(long Chat, string Group), Pending> pending = [];

    private sealed class Pending(DateTimeOffset at)
    {
        public List<Update> Pieces { get; } = [];
        public DateTimeOffset LastPieceAt { get; set; } = at;
    }

    public static bool IsPiece(Update update) => update.Message?.MediaGroupId != null;

    public bool IsEmpty => pending.Count == 0;

    /// <summary>The oldest update still waiting: the stored offset must not move past it, or a restart would lose it.</summary>
    public int? OldestWaiting => pending.Count == 0 ? null : pending.Values.Min(p => p.Pieces.Min(u => u.Id));

    public void Add(Update piece, DateTimeOffset now)
    {
        var key = (piece.Message!.Chat.Id, piece.Message.MediaGroupId!);
        if (!pending.TryGetValue(key, out var album)) pending[key] = album = new Pending(now);
        if (album.Pieces.All(p => p.Id != piece.Id)) album.Pieces.Add(piece);
        album.LastPieceAt = now;
    }

    /// <summary>Albums whose window has closed (or that are full), oldest first, removed from the wait.</summary>
    public IReadOnlyList<IReadOnlyList<Update>> TakeDue(DateTimeOffset now) =>
        Take(p => now - p.LastPieceAt >= window || p.Pieces.Count >= MaxPieces);

    /// <summary>Every album of <paramref name="chatId"/>: something else came from that chat, and the album was before it.</summary>
    public IReadOnlyList<IReadOnlyList<Update>> TakeChat(long chatId) => Take(p => p.Pieces[0].Message!.Chat.Id == chatId);

    /// <summary>Everything waiting (the receiver stops).</summary>
    public IReadOnlyList<IReadOnlyList<Update>> TakeAll() => Take(_ => true);

    /// <summary>How long until the next album's window closes; null when none waits.</summary>
    public TimeSpan? NextDue(DateTimeOffset now) =>
        pending.Count == 0 ? null : pending.Values.Min(p => p.LastPieceAt + window - now) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    private IReadOnlyList<IReadOnlyList<Update>> Take(Func<Pending, bool> which)
    {
        var taken = pending.Where(p => which(p.Value)).OrderBy(p => p.Value.Pieces.Min(u => u.Id)).ToList();
        foreach (var (key, _) in taken) pending.Remove(key);
        return taken.Select(p => (IReadOnlyList<Update>)p.Value.Pieces.OrderBy(u => u.Id).ToList()).ToList();
    }
}
