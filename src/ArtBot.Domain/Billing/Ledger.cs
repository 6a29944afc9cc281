using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Billing;

public enum LedgerKind { Purchase, Promo, AdminGrant, Reserve, Charge, Release, Refund }

/// <summary>
/// One movement of a user's credits. The balance is the sum of a user's entries: a reservation
/// is a negative entry, and settling it adds the release (+) and, when the job was delivered,
/// the charge (−). <see cref="Key"/> is unique: posting the same key twice changes nothing, so
/// a replayed payment, a retried delivery or a restart never counts twice.
/// </summary>
public sealed class LedgerEntry
{
    public long Id { get; set; }
    public string Key { get; set; } = "";
    public string Platform { get; set; } = "";
    public long UserId { get; set; }
    public LedgerKind Kind { get; set; }
    public long Amount { get; set; }
    public long? JobId { get; set; }
    public DateTimeOffset At { get; set; }
    public string? Note { get; set; }

    public static string ReserveKey(long jobId) => $"job:{jobId}:reserve";
    public static string ReleaseKey(long jobId) => $"job:{jobId}:release";
    public static string ChargeKey(long jobId) => $"job:{jobId}:charge";

    /// <summary>The reservation of a paid job's price, posted with the job in one transaction.</summary>
    public static LedgerEntry Reservation(Job job, long price) => new()
    {
        Key = ReserveKey(job.Id), Platform = job.Platform, UserId = job.UserId, Kind = LedgerKind.Reserve,
        Amount = -price, JobId = job.Id, At = job.CreatedAt, Note = $"{job.Tier} {job.Kind}",
    };

    /// <summary>The entries that end a reservation: its release and, when something is charged, the charge.</summary>
    public static IEnumerable<LedgerEntry> Settling(LedgerEntry reservation, Settlement settlement, DateTimeOffset at)
    {
        var job = reservation.JobId ?? throw new ArgumentException("a reservation names its job", nameof(reservation));
        yield return new LedgerEntry
        {
            Key = ReleaseKey(job), Platform = reservation.Platform, UserId = reservation.UserId, Kind = LedgerKind.Release, Amount = settlement.Reserved, JobId = job, At = at,
        };
        if (settlement.Charged > 0)
            yield return new LedgerEntry
            {
                Key = ChargeKey(job), Platform = reservation.Platform, UserId = reservation.UserId, Kind = LedgerKind.Charge, Amount = -settlement.Charged, JobId = job, At = at,
            };
    }

    /// <summary>
    /// The sign rules every store enforces before it writes an entry: money comes in only as a
    /// purchase, a promo or an admin grant, and a job can only ever hold, return or take what it
    /// reserved. A reservation that is not a debit, or a purchase of −100000 credits, cannot exist.
    /// </summary>
    /// <exception cref="LedgerRuleException">The entry breaks a rule; nothing is written.</exception>
    public void Validate()
    {
        string? problem = Kind switch
        {
            _ when string.IsNullOrWhiteSpace(Key) || string.IsNullOrWhiteSpace(Platform) => "an entry needs a key and an owner",
            LedgerKind.Purchase or LedgerKind.Promo when Amount <= 0 => $"a {Kind} must credit, not {Amount}",
            LedgerKind.AdminGrant when Amount == 0 => "an admin grant of 0",
            LedgerKind.Reserve or LedgerKind.Charge when Amount >= 0 => $"a {Kind} must debit, not {Amount}",
            LedgerKind.Release when Amount <= 0 => $"a release must credit, not {Amount}",
            LedgerKind.Refund when Amount >= 0 => $"a refund must debit, not {Amount}",
            LedgerKind.Reserve or LedgerKind.Charge or LedgerKind.Release when JobId is not > 0 => $"a {Kind} needs its job",
            _ when Math.Abs(Amount) > MaxAmount => $"{Amount} credits in one entry",
            _ => null,
        };
        if (problem != null) throw new LedgerRuleException($"ledger entry {Key} refused: {problem}");
    }

    /// <summary>No single movement is larger than this: a typo in /admin cannot mint a fortune.</summary>
    public const long MaxAmount = 10_000_000;
}

/// <summary>A ledger entry that breaks the ledger's rules; nothing was written.</summary>
public sealed class LedgerRuleException(string message) : InvalidOperationException(message);

/// <summary>
/// How a paid job's reservation ended: <see cref="Reserved"/> credits were held, <see cref="Charged"/>
/// of them taken, the rest returned. Written in the same transaction as the job's final state.
/// </summary>
public sealed record Settlement(long Reserved, long Charged)
{
    public long Returned => Reserved - Charged;

    /// <summary>
    /// The one charging rule. A delivered picture is paid in full; a picture the user stopped is
    /// paid for the share of the work its attempt did (pixels × iterations), rounded up (stopped
    /// at 40 % of 25 credits: 10); a job that ends with no picture (failed, cancelled in the queue
    /// or before its first step, never deliverable, or only a dead attempt's work behind it) costs nothing.
    /// </summary>
    public static Settlement For(Job job, long reserved)
    {
        if (job.DeliveredAt == null || job.ResultImage == null) return new(reserved, 0);
        if (job.State == JobState.Done) return new(reserved, reserved);
        var share = job.ProgressTotal > 0 ? Math.Clamp(job.ProgressWork, 0, 1) : 0;
        return new(reserved, Math.Min(reserved, (long)Math.Ceiling(reserved * share - 1e-9)));
    }
}

/// <summary>
/// The ledger inside a transaction a store holds for a job's change: what the booking and the
/// settlement procedures (<see cref="JobLedger"/>) need, implemented by each storage provider, so
/// a job's state and its credits commit together. A provider that serialises users does so here.
/// </summary>
public interface ILedgerTransaction
{
    Task<long> BalanceAsync(string platform, long userId);

    Task<LedgerEntry?> FindAsync(string key);

    /// <returns>False when the key was posted before (nothing written).</returns>
    /// <exception cref="LedgerRuleException">The entry breaks the ledger's rules.</exception>
    Task<bool> PostAsync(LedgerEntry entry);
}

/// <summary>A job's credits, written once for every store: held when it is booked, settled when it ends.</summary>
public static class JobLedger
{
    /// <summary>
    /// Books a job: a paid one only when the balance covers its price, and then its reservation
    /// is posted with it. <paramref name="store"/> stores the job (and gives it its id).
    /// </summary>
    /// <returns>False, and nothing stored, when the balance does not cover the price.</returns>
    public static async Task<bool> BookAsync(ILedgerTransaction ledger, Job job, Func<Task> store)
    {
        if (job.Paid && await ledger.BalanceAsync(job.Platform, job.UserId) < job.Price) return false;
        await store();
        if (job.Paid) await ledger.PostAsync(LedgerEntry.Reservation(job, job.Price));
        return true;
    }

    /// <summary>Ends a job's reservation by <see cref="Settlement.For"/> and marks the job settled; null when none was open.</summary>
    public static async Task<Settlement?> SettleAsync(ILedgerTransaction ledger, Job job, DateTimeOffset at)
    {
        job.MarkSettled();
        var reserved = await ledger.FindAsync(LedgerEntry.ReserveKey(job.Id));
        if (reserved == null || await ledger.FindAsync(LedgerEntry.ReleaseKey(job.Id)) != null) return null;
        var settlement = Settlement.For(job, -reserved.Amount);
        foreach (var entry in LedgerEntry.Settling(reserved, settlement, at)) await ledger.PostAsync(entry);
        return settlement;
    }
}

/// <summary>A promo code: <see cref="MaxUses"/> users may each redeem it once before it expires.</summary>
public sealed class PromoCode
{
    /// <summary>The code, upper case.</summary>
    public string Id { get; set; } = "";
    public long Credits { get; set; }
    public int MaxUses { get; set; } = 1;
    public int Uses { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The platforms it may be redeemed on, comma-separated (<c>telegram,vk</c>); null: every one.</summary>
    public string? Platforms { get; set; }

    /// <summary>Letters, digits, '-' and '_', 3 to 32 of them: anything else is not a code and never reaches the store.</summary>
    public static bool IsWellFormed(string code) =>
        code.Length is >= 3 and <= 32 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Whether a user of <paramref name="platform"/> may redeem it.</summary>
    public bool AllowedOn(string platform) => Platforms == null || Platforms.Split(',').Contains(platform, StringComparer.Ordinal);
}

/// <summary>What redeeming a code did. <see cref="NotHere"/>: the code is kept to other platforms.</summary>
public enum PromoOutcome { Redeemed, Unknown, Expired, UsedUp, AlreadyRedeemed, NotHere }

/// <summary>One admin action, kept for good.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string Admin { get; set; } = "";
    public string Action { get; set; } = "";
    public string Detail { get; set; } = "";
}

/// <summary>
/// The credit ledger, promo codes and the admin audit log. Every method is atomic: a check and
/// the entries it leads to are one step. Reservations and settlements are not posted here: they
/// belong to a job's state changes and are written with them (<see cref="IJobQueue"/>).
/// </summary>
public interface ILedger
{
    /// <returns>False when an entry with the same key was posted before (nothing changes).</returns>
    Task<bool> PostAsync(LedgerEntry entry, CancellationToken cancellationToken = default);

    Task<long> BalanceAsync(string platform, long userId, CancellationToken cancellationToken = default);

    /// <summary>Credits held by reservations not yet settled.</summary>
    Task<long> HeldAsync(string platform, long userId, CancellationToken cancellationToken = default);

    Task<LedgerEntry?> FindAsync(string key, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<LedgerEntry>> EntriesAsync(string platform, long userId, CancellationToken cancellationToken = default);

    /// <returns>False when the code exists already.</returns>
    Task<bool> CreatePromoAsync(PromoCode promo, CancellationToken cancellationToken = default);

    /// <summary>Checks the code and credits the user, both or neither.</summary>
    Task<(PromoOutcome Outcome, long Credits)> RedeemAsync(string code, string platform, long userId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Credits bought, less those refunded.</summary>
    Task<long> CreditsSoldAsync(CancellationToken cancellationToken = default);

    Task AuditAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AuditEntry>> AuditLogAsync(CancellationToken cancellationToken = default);
}
