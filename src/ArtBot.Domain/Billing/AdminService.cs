using System.Globalization;
using System.Text;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Billing;

/// <summary>
/// <c>/admin …</c> for the users named in <see cref="BotOptions.Admins"/>: stats, credits,
/// promo codes, bans and Stars refunds. Every action that changes something is written to the
/// audit log. Answers are in the admin's language, with its plural forms; the command words
/// themselves are the same in every language.
/// </summary>
public sealed class AdminService(IJobQueue queue, IUserStore users, ILedger ledger, IMessengers messengers, Gallery.GalleryService gallery, TimeProvider time, ILogger<AdminService> logger)
{
    /// <summary>The commands, as typed in any language.</summary>
    public const string Syntax = """
        /admin stats
        /admin grant USER CREDITS [note] · /admin revoke USER CREDITS [note]
        /admin promo CODE CREDITS [USES] [DAYS] [telegram,vk]
        /admin ban USER · /admin unban USER
        /admin refund CHARGE_ID
        /admin audit
        /admin review · /admin hide ID · /admin unhide ID
        """;

    public async Task<string> HandleAsync(UserProfile admin, string argument, CancellationToken ct)
    {
        var who = $"{admin.Platform}:{admin.UserId}";
        var language = admin.Language;
        string T(string key, params object[] args) => Texts.Get(language, key, args);
        var usage = T(TextKey.AdminUsage, Syntax);
        var args = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try
        {
            switch (args)
            {
                case ["stats"]:
                    return await StatsAsync(language, ct);
                case ["grant" or "revoke", var target, var amount, .. var note] when Target(admin, target) is { } user && Credits(amount) is { } credits:
                    var sign = args[0] == "grant" ? 1 : -1;
                    await ledger.PostAsync(new LedgerEntry
                    {
                        Key = $"admin:{Guid.NewGuid():N}", Platform = user.Platform, UserId = user.UserId, Kind = LedgerKind.AdminGrant,
                        Amount = sign * credits, At = time.GetUtcNow(), Note = $"{who} {string.Join(' ', note)}".Trim(),
                    }, ct);
                    var name = $"{user.Platform}:{user.UserId}";
                    return await AuditedAsync(who, args[0], $"{name} {sign * credits}",
                        T(sign > 0 ? TextKey.AdminGranted : TextKey.AdminRevoked, credits, name, await ledger.BalanceAsync(user.Platform, user.UserId, ct)), ct);
                case ["promo", var code, var amount, .. var rest] when PromoCode.IsWellFormed(code) && Credits(amount) is { } credits && rest.Length <= 3:
                    if (Count(rest.ElementAtOrDefault(0), 1, 1_000_000) is not { } uses || Count(rest.ElementAtOrDefault(1), 30, 3650) is not { } days) return usage;
                    // Kept to some platforms (say, those whose users are vouched for): "telegram,vk".
                    var only = rest.ElementAtOrDefault(2)?.ToLowerInvariant().Split(',', StringSplitOptions.RemoveEmptyEntries);
                    if (only != null && (only.Length == 0 || only.Any(p => !Platforms.Contains(p)))) return usage;
                    var promo = new PromoCode
                    {
                        Id = code, Credits = credits, MaxUses = uses, ExpiresAt = time.GetUtcNow().AddDays(days), CreatedBy = who, CreatedAt = time.GetUtcNow(),
                        Platforms = only == null ? null : string.Join(',', only.Distinct()),
                    };
                    return await ledger.CreatePromoAsync(promo, ct)
                        ? await AuditedAsync(who, "promo", $"{promo.Id} {credits} credits, {uses} uses, {days} days{(promo.Platforms == null ? "" : $", {promo.Platforms} only")}",
                            T(TextKey.AdminPromoCreated, promo.Id, credits, uses, promo.ExpiresAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ct)
                        : T(TextKey.AdminPromoExists, code.ToUpperInvariant());
                case ["ban" or "unban", var target] when Target(admin, target) is { } user:
                    var banned = args[0] == "ban";
                    await users.SetBannedAsync(user.Platform, user.UserId, banned, ct);
                    var detail = $"{user.Platform}:{user.UserId}";
                    // A web user is whoever holds a cookie: the ban covers the network they wrote from, or a new cookie would undo it.
                    if (BotOptions.AnonymousPlatforms.Contains(user.Platform) && (await users.FindAsync(user.Platform, user.UserId, ct))?.Network is { } network)
                    {
                        var (platform, id) = UserProfile.NetworkBan(user.Platform, network);
                        await users.SetBannedAsync(platform, id, banned, ct);
                        detail += $" and network {network}";
                    }
                    return await AuditedAsync(who, args[0], detail, T(banned ? TextKey.AdminBanned : TextKey.AdminUnbanned, detail), ct);
                case ["refund", var charge]:
                    return await RefundAsync(who, language, charge, ct);
                case ["hide" or "unhide", var entry]:
                    var hide = args[0] == "hide";
                    return await gallery.SetHiddenAsync(entry, hide, ct)
                        ? await AuditedAsync(who, args[0], entry, T(hide ? TextKey.AdminHidden : TextKey.AdminUnhidden, entry), ct)
                        : T(TextKey.AdminNoEntry, Printable(entry));
                case ["review"]:
                    var waiting = await gallery.InReviewAsync(ct);
                    return waiting.Count == 0
                        ? T(TextKey.AdminReviewEmpty)
                        : T(TextKey.AdminReview, string.Join("\n", waiting.Take(20).Select(e =>
                            $"{e.Id} · {e.Platform}:{e.UserId} · {e.Reports} · {e.SharedAt:yyyy-MM-dd} · {gallery.Options.PageOf(e.Id)}")), "/admin hide ID · /admin unhide ID");
                case ["audit"]:
                    var log = await ledger.AuditLogAsync(ct);
                    return log.Count == 0 ? T(TextKey.AdminAuditEmpty) : string.Join("\n", log.TakeLast(20).Select(a => $"{a.At:yyyy-MM-dd HH:mm} {a.Admin} {a.Action} {a.Detail}"));
                default:
                    return usage;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Admin command '{Command}' by {Admin} failed", argument, who);
            return T(TextKey.AdminFailed, e.Message);
        }
    }

    private async Task<string> RefundAsync(string who, Art.Language language, string charge, CancellationToken ct)
    {
        var purchase = await ledger.FindAsync(Payments.PaymentKey(charge), ct);
        if (purchase == null) return Texts.Get(language, TextKey.AdminNoPayment, charge);
        if (await ledger.FindAsync($"refund:{charge}", ct) != null) return Texts.Get(language, TextKey.AdminRefundedBefore, charge);
        if (messengers.For(purchase.Platform) is not IPaymentMessenger payments) return Texts.Get(language, TextKey.AdminNoPayments, purchase.Platform);
        // Telegram first: if it refuses, the ledger must not say the money went back.
        await payments.RefundAsync(purchase.UserId, charge, ct);
        await ledger.PostAsync(new LedgerEntry
        {
            Key = $"refund:{charge}", Platform = purchase.Platform, UserId = purchase.UserId, Kind = LedgerKind.Refund,
            Amount = -purchase.Amount, At = time.GetUtcNow(), Note = who,
        }, ct);
        return await AuditedAsync(who, "refund", $"{charge} {purchase.Platform}:{purchase.UserId} -{purchase.Amount}",
            Texts.Get(language, TextKey.AdminRefunded, charge, purchase.Amount, $"{purchase.Platform}:{purchase.UserId}"), ct);
    }

    private async Task<string> StatsAsync(Art.Language language, CancellationToken ct)
    {
        var stats = await queue.StatsAsync(ct);
        var states = Texts.Get(language, TextKey.AdminStateNames).Split('|');
        var classes = Texts.Get(language, TextKey.AdminClassNames).Split('|');
        string Seconds(TimeSpan wait) => language == Art.Language.Ru ? $"{wait.TotalSeconds:0} с" : $"{wait.TotalSeconds:0} s";
        return Texts.Get(language, TextKey.AdminStats,
            await users.CountAsync(ct),
            string.Join(", ", Enum.GetValues<JobState>().Select(s => $"{states[(int)s]} {stats.ByState.GetValueOrDefault(s)}")),
            string.Join(", ", Enum.GetValues<JobClass>().Select(c => $"{classes[(int)c]} {stats.ByClass.GetValueOrDefault(c)}")),
            stats.Depth,
            string.Join(", ", Enum.GetValues<JobClass>().Select(c => $"{classes[(int)c]} {(stats.AverageWait.TryGetValue(c, out var w) ? Seconds(w) : "—")}")),
            await ledger.CreditsSoldAsync(ct));
    }

    private async Task<string> AuditedAsync(string admin, string action, string detail, string answer, CancellationToken ct)
    {
        await ledger.AuditAsync(new AuditEntry { At = time.GetUtcNow(), Admin = admin, Action = action, Detail = detail }, ct);
        logger.LogInformation("Admin {Admin}: {Action} {Detail}", admin, action, detail);
        return answer;
    }

    /// <summary>Admins type; typos must not mint a fortune or flip a sign: 1 to 1 000 000 credits.</summary>
    private static long? Credits(string amount) =>
        long.TryParse(amount, NumberStyles.None, CultureInfo.InvariantCulture, out var credits) && credits is > 0 and <= 1_000_000 ? credits : null;

    private static int? Count(string? text, int fallback, int max) =>
        text == null ? fallback : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n <= max ? n : null;

    private static readonly string[] Platforms = ["telegram", "vk", "web"];

    private static string Printable(string text) => new(text.Take(20).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static (string Platform, long UserId)? Target(UserProfile admin, string target)
    {
        var parts = target.Split(':');
        return parts switch
        {
            [var id] when long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var user) && user > 0 => (admin.Platform, user),
            [var platform, var id] when Platforms.Contains(platform.ToLowerInvariant()) && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var user) && user > 0
                => (platform.ToLowerInvariant(), user),
            _ => null,
        };
    }
}
