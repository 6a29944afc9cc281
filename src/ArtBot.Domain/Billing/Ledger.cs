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
}

public enum PromoOutcome { Redeemed, Unknown, Expired, UsedUp, AlreadyRedeemed }

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
/// the entries it leads to are one step.
/// </summary>
public interface ILedger
{
    /// <returns>False when an entry with the same key was posted before (nothing changes).</returns>
    Task<bool> PostAsync(LedgerEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Posts a (negative) reservation only if the balance covers it.</summary>
    /// <returns>False when the balance is too low, or the key was posted before.</returns>
    Task<bool> ReserveAsync(LedgerEntry reservation, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends a job's reservation: releases it and, when <paramref name="charge"/>, charges it.
    /// Once settled, later calls change nothing.
    /// </summary>
    /// <returns>The credits reserved, when this call settled them; null when there was nothing (left) to settle.</returns>
    Task<long?> SettleAsync(long jobId, bool charge, DateTimeOffset at, CancellationToken cancellationToken = default);

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
