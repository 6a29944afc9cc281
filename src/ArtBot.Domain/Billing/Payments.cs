using System.Globalization;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Billing;

/// <summary>
/// The money side of the conversation: balance, credit packs for Telegram Stars (invoice,
/// pre-checkout, payment), promo codes, and the texts Telegram asks of bots that take payments.
/// Credits are posted to the ledger under keys that name their cause, so nothing counts twice.
/// </summary>
public sealed class Payments(ILedger ledger, ICursorStore marks, BillingOptions options, Menus menus, RequestGate gate, TimeProvider time, ILogger<Payments> logger)
{
    public const string Currency = "XTR";

    public BillingOptions Options => options;

    public async Task CommandAsync(UserProfile user, CommandMessage command, IMessenger messenger, CancellationToken ct)
    {
        var chat = command.From.ChatId;
        string T(string key, params object[] args) => Texts.Get(user.Language, key, args);
        switch (command.Command)
        {
            case "balance":
                await messenger.SendTextAsync(chat, T(TextKey.Balance, await ledger.BalanceAsync(user.Platform, user.UserId, ct),
                    await ledger.HeldAsync(user.Platform, user.UserId, ct), options.PremiumPrice, LowestHdPrice()), cancellationToken: ct);
                break;
            case "buy" when messenger is IPaymentMessenger:
                await messenger.SendTextAsync(chat, T(TextKey.BuyMenu, options.PremiumPrice, LowestHdPrice(), await ledger.BalanceAsync(user.Platform, user.UserId, ct)),
                    await menus.PacksAsync(user, ct), ct);
                break;
            case "buy":
                await messenger.SendTextAsync(chat, T(TextKey.BuyNotHere), cancellationToken: ct);
                break;
            case "promo":
                await messenger.SendTextAsync(chat, await RedeemAsync(user, command.From, command.Argument, ct), cancellationToken: ct);
                break;
            case "paysupport":
                await messenger.SendTextAsync(chat, T(TextKey.PaySupport, options.Support), cancellationToken: ct);
                break;
            case "terms":
                await messenger.SendTextAsync(chat, T(TextKey.Terms), cancellationToken: ct);
                break;
        }
    }

    /// <summary>A pack's button: sends its invoice. The payload names the pack, the buyer and when it was issued.</summary>
    public async Task<string?> OfferAsync(UserProfile user, ButtonPressed button, string packId, IMessenger messenger, CancellationToken ct)
    {
        if (messenger is not IPaymentMessenger payments || options.AllPacks.FirstOrDefault(p => p.Id == packId) is not { } pack)
            return Texts.Get(user.Language, TextKey.UnknownButton);
        var payload = string.Create(CultureInfo.InvariantCulture, $"buy:{pack.Id}:{user.UserId}:{time.GetUtcNow().ToUnixTimeSeconds()}");
        await payments.SendInvoiceAsync(button.From.ChatId, Texts.Get(user.Language, TextKey.InvoiceTitle, pack.Credits),
            Texts.Get(user.Language, TextKey.InvoiceDescription), payload, pack.Stars, ct);
        return null;
    }

    /// <summary>Lets the payment go ahead only for a fresh invoice of this user, for a known pack at its price.</summary>
    public async Task PreCheckoutAsync(UserProfile user, PreCheckout query, IMessenger messenger, CancellationToken ct)
    {
        if (messenger is not IPaymentMessenger payments) return;
        var error = Check(query.From.UserId, query.Payload, query.Currency, query.TotalAmount, out var issued) switch
        {
            null when time.GetUtcNow() - issued > options.InvoiceLifetime => TextKey.PreCheckoutStale,
            null => null,
            _ => TextKey.PreCheckoutInvalid,
        };
        if (error != null) logger.LogWarning("Pre-checkout {Query} of {Platform}:{User} refused: {Reason}", query.QueryId, user.Platform, user.UserId, error);
        await payments.AnswerPreCheckoutAsync(query.QueryId, error == null ? null : Texts.Get(user.Language, error), ct);
    }

    /// <summary>Credits a payment once, by its charge id, whatever else happens: the money was taken.</summary>
    public async Task ReceivedAsync(UserProfile user, PaymentReceived payment, IMessenger messenger, CancellationToken ct)
    {
        var problem = Check(payment.From.UserId, payment.Payload, payment.Currency, payment.TotalAmount, out _);
        var pack = PackOf(payment.Payload);
        if (pack == null)
        {
            // Telegram took the money for an invoice we cannot read: support must sort it out, and the log says so.
            logger.LogError("Payment {Charge} of {Platform}:{User} has an unknown payload; nothing credited", payment.ChargeId, user.Platform, user.UserId);
            await messenger.SendTextAsync(payment.From.ChatId, Texts.Get(user.Language, TextKey.PaySupport, options.Support), cancellationToken: ct);
            return;
        }
        if (problem != null) logger.LogWarning("Payment {Charge} of {Platform}:{User} does not match its invoice ({Problem}); credited as {Pack}", payment.ChargeId, user.Platform, user.UserId, problem, pack.Id);
        var credited = await ledger.PostAsync(new LedgerEntry
        {
            Key = PaymentKey(payment.ChargeId), Platform = user.Platform, UserId = user.UserId, Kind = LedgerKind.Purchase,
            Amount = pack.Credits, At = time.GetUtcNow(), Note = $"{pack.Id}:{payment.TotalAmount} {payment.Currency}",
        }, ct);
        if (credited) logger.LogInformation("Payment {Charge}: {Credits} credits to {Platform}:{User}", payment.ChargeId, pack.Credits, user.Platform, user.UserId);
        // A retry of an update whose first try credited it and then failed: the user still hears of
        // it, once. Told is marked after the thanks go out, so a crash in between thanks twice, never none.
        var told = ThanksKey(payment.ChargeId);
        if (await marks.GetAsync(told, ct) != null)
        {
            logger.LogInformation("Payment {Charge} was credited and acknowledged before; nothing more", payment.ChargeId);
            return;
        }
        if (!credited) logger.LogInformation("Payment {Charge} was credited before; acknowledged now", payment.ChargeId);
        await messenger.SendTextAsync(payment.From.ChatId, Texts.Get(user.Language, TextKey.PaymentThanks, pack.Credits,
            await ledger.BalanceAsync(user.Platform, user.UserId, ct)), cancellationToken: ct, dedupeKey: told);
        await marks.SetAsync(told, 1, CancellationToken.None);
    }

    private static string ThanksKey(string chargeId) => $"payment-thanks:telegram:{chargeId}";

    public static string PaymentKey(string chargeId) => $"payment:telegram:{chargeId}";

    /// <summary>
    /// A code is one person's once: a user redeems it once, and on a platform whose users cost
    /// nothing to make (the web chat) so does a network; a code can also be kept to the platforms
    /// whose users are vouched for (Telegram, VK).
    /// </summary>
    private async Task<string> RedeemAsync(UserProfile user, ChatUser from, string code, CancellationToken ct)
    {
        string T(string key, params object[] args) => Texts.Get(user.Language, key, args);
        if (string.IsNullOrWhiteSpace(code)) return T(TextKey.PromoUsage);
        if (!PromoCode.IsWellFormed(code.Trim()))
        {
            logger.LogInformation("Promo attempt by {Platform}:{User} with a malformed code", user.Platform, user.UserId);
            return T(TextKey.PromoUnknown);
        }
        if (gate.PromoRedeemedFrom(from, code))
        {
            logger.LogInformation("Promo {Code} for {Platform}:{User}: redeemed from network {Network} before", code.Trim().ToUpperInvariant(), user.Platform, user.UserId, from.Network);
            return T(TextKey.PromoAlreadyRedeemed);
        }
        var (outcome, credits) = await ledger.RedeemAsync(code, user.Platform, user.UserId, time.GetUtcNow(), ct);
        logger.LogInformation("Promo {Code} for {Platform}:{User}: {Outcome}", code.Trim().ToUpperInvariant(), user.Platform, user.UserId, outcome);
        if (outcome == PromoOutcome.Redeemed) gate.PromoRedeemed(from, code);
        return outcome switch
        {
            PromoOutcome.Redeemed => T(TextKey.PromoRedeemed, credits, await ledger.BalanceAsync(user.Platform, user.UserId, ct)),
            PromoOutcome.Expired => T(TextKey.PromoExpired),
            PromoOutcome.UsedUp => T(TextKey.PromoUsedUp),
            PromoOutcome.AlreadyRedeemed => T(TextKey.PromoAlreadyRedeemed),
            PromoOutcome.NotHere => T(TextKey.PromoNotHere),
            _ => T(TextKey.PromoUnknown),
        };
    }

    private int LowestHdPrice() => options.PriceOf(Tier.Hd, options.HdSteps.Min());

    private CreditPack? PackOf(string payload) =>
        payload.Split(':') is ["buy", var id, _, _] ? options.AllPacks.FirstOrDefault(p => p.Id == id) : null;

    /// <returns>Why the invoice does not hold, or null; <paramref name="issued"/> when it was made.</returns>
    private string? Check(long payer, string payload, string currency, long amount, out DateTimeOffset issued)
    {
        issued = DateTimeOffset.MinValue;
        if (payload.Split(':') is not ["buy", _, var user, var at]
            || !long.TryParse(user, CultureInfo.InvariantCulture, out var buyer)
            || !long.TryParse(at, CultureInfo.InvariantCulture, out var seconds)) return "unreadable payload";
        issued = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (PackOf(payload) is not { } pack) return "unknown pack";
        if (buyer != payer) return "another user's invoice";
        if (currency != Currency || amount != pack.Stars) return $"{amount} {currency} instead of {pack.Stars} {Currency}";
        if (issued > time.GetUtcNow().AddMinutes(5)) return "issued in the future";
        return null;
    }
}
