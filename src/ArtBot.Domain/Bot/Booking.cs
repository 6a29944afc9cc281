using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot.Worker;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot;

/// <summary>
/// Turns a request into a queued job: the tier's size and steps (from configuration only), the
/// limits, the price, and the booking itself, which stores the job and reserves its credits in
/// one transaction. A user with credits picks the tier first; one without is queued as free.
/// </summary>
public sealed class Booking(
    IJobQueue queue,
    ILedger ledger,
    QueuePolicy policy,
    BotOptions options,
    BillingOptions billing,
    RequestGate gate,
    Menus menus,
    OfferBook offers,
    IJobSignal signal,
    ArtCapabilities capabilities,
    JobObservers observers,
    TimeProvider time,
    ILogger<Booking> logger)
{

    /// <summary>"Stronger" doubles the style weight, up to this many times the default.</summary>
    public const double MaxStyleStrength = 8;

    public int SideFor(UserProfile user, Tier tier) => Math.Min(user.OutputSize ?? options.LimitsOf(tier).MaxSide, options.LimitsOf(tier).MaxSide);

    private int SideFor(UserProfile user, JobKind kind, Tier tier) => kind == JobKind.Animation ? options.LimitsOf(tier).AnimationSide : SideFor(user, tier);

    /// <summary>Iterations of a job: the tier's, capped by the tier; <paramref name="steps"/> only ever comes from an offer the bot made.</summary>
    public int? IterationsOf(JobKind kind, Tier tier, int? steps)
    {
        var limits = options.LimitsOf(tier);
        return kind switch
        {
            // Paid Gatys runs as many iterations as its tier allows (an HD pick names its own).
            JobKind.Stylize => Math.Clamp(tier == Tier.Free ? options.StylizeIterations : steps ?? limits.MaxIterations, 1, limits.MaxIterations),
            JobKind.Dream => Math.Clamp((steps ?? options.DreamSteps) * (tier == Tier.Free ? 1 : 2), 1, limits.MaxIterations),
            // An animation's "iterations" are its frames: the tier's seconds at the frame rate.
            JobKind.Animation => Math.Max(1, (int)Math.Round(limits.AnimationSeconds * options.AnimationFps)),
            _ => null,
        };
    }

    /// <summary>A Gatys or dream request: the tier menu for a user with credits, else a free job at once.</summary>
    public async Task RequestAsync(UserProfile user, ChatUser from, IMessenger messenger, JobRequest request, CancellationToken ct)
    {
        var balance = await ledger.BalanceAsync(user.Platform, user.UserId, ct);
        if (balance <= 0)
        {
            await BookAsync(user, from, messenger, request.Kind, request.Content, request.Style, request.PresetId, ct, request.Strength, request.Steps, blend: request.Blend);
            return;
        }
        var keyboard = await menus.TiersAsync(user, request, (tier, hdSteps) => IterationsOf(request.Kind, tier, hdSteps ?? request.Steps) ?? 0, tier => SideFor(user, request.Kind, tier), ct);
        await messenger.SendTextAsync(from.ChatId, Texts.Get(user.Language, TextKey.TierMenu, balance), keyboard, ct);
    }

    /// <summary>A tier pressed: books the request at that tier if the offer still holds and the balance covers its price.</summary>
    public async Task<string?> TierChosenAsync(UserProfile user, ChatUser from, IMessenger messenger, PressedOffer pressed, CancellationToken ct)
    {
        var offer = (TierOffer)pressed.Offer;
        var request = offer.Request;
        // The offer was made by this bot, but configuration may have changed since: a step count
        // that is no longer one of the choices is stale, never run.
        var allowed = offer.Tier == Tier.Hd && request.Kind == JobKind.Stylize
            ? billing.HdSteps.Select(n => IterationsOf(request.Kind, Tier.Hd, n)).Contains(offer.Iterations)
            : IterationsOf(request.Kind, offer.Tier, request.Steps) == offer.Iterations;
        if (!allowed) return Texts.Get(user.Language, TextKey.UnknownButton);
        var price = billing.PriceOf(offer.Tier, offer.Iterations);
        var balance = await ledger.BalanceAsync(user.Platform, user.UserId, ct);
        if (price > balance) return Texts.Get(user.Language, TextKey.NotEnoughCredits, price, balance);
        // The menu is one-shot: of two presses (a double tap, a replay) only the first books.
        if (!await offers.UseAsync(pressed, ct)) return Texts.Get(user.Language, TextKey.UnknownButton);
        var steps = offer.Tier == Tier.Hd && request.Kind == JobKind.Stylize ? offer.Iterations : request.Steps;
        await BookAsync(user, from, messenger, request.Kind, request.Content, request.Style, request.PresetId, ct, request.Strength, steps, offer.Tier, request.Blend);
        return null;
    }

    /// <returns>False when the job was not queued (a limit, or the credits ran out); the user was told why.</returns>
    public async Task<bool> BookAsync(UserProfile user, ChatUser from, IMessenger messenger, JobKind kind, string content, string? style,
        string? presetId, CancellationToken ct, double? strength = null, int? steps = null, Tier tier = Tier.Free, StyleBlend? blend = null)
    {
        string T(string key, params object[] args) => Texts.Get(user.Language, key, args);
        if (capabilities.For(kind, presetId) is { Available: false } missing)
        {
            logger.LogInformation("{Platform}:{User}: {Kind} refused, {Capability} is not available here", user.Platform, user.UserId, kind, missing.Capability);
            if (kind != JobKind.Gallery) await messenger.SendTextAsync(from.ChatId, JobNotices.Unavailable(user.Language, missing.Capability), cancellationToken: ct);
            return false;
        }
        var size = kind == JobKind.Gallery ? options.GalleryTile : SideFor(user, kind, tier);
        var iterations = IterationsOf(kind, tier, steps);
        var paid = tier != Tier.Free && kind is JobKind.Stylize or JobKind.Dream or JobKind.Animation;
        var price = paid ? billing.PriceOf(tier, iterations ?? 0) : 0;
        var jobClass = policy.Classify(kind, size, iterations);
        var (refusal, count) = await gate.AdmitJobAsync(from, jobClass, paid, ct);
        if (refusal != null)
        {
            logger.LogInformation("{Platform}:{User}: {Kind} refused ({Refusal})", user.Platform, user.UserId, kind, refusal);
            // A preview that does not fit is simply not made; everything else says why.
            if (kind != JobKind.Gallery) await messenger.SendTextAsync(from.ChatId, RefusalText(user, refusal.Value, count), cancellationToken: ct);
            return false;
        }

        var now = time.GetUtcNow();
        var job = new Job
        {
            Platform = from.Platform,
            UserId = from.UserId,
            ChatId = from.ChatId,
            Language = user.Language,
            Kind = kind,
            PresetId = presetId,
            ContentImage = content,
            StyleImage = style,
            SecondStyleImage = kind == JobKind.Stylize ? blend?.SecondStyle : null,
            StyleShare = kind == JobKind.Stylize && blend != null ? Math.Clamp(blend.FirstShare, 0, 1) : 1.0,
            Size = size,
            Iterations = iterations,
            PreserveColors = user.KeepColors,
            LivePreview = user.LivePreview,
            StyleStrength = Math.Clamp(strength ?? StrengthFactor(user.Strength), 0.1, MaxStyleStrength),
            Tier = paid ? tier : Tier.Free,
            Paid = paid,
            Class = jobClass,
            Rank = QueuePolicy.RankOf(paid, jobClass),
            CreatedAt = now,
        };
        // The preview arrives on its own; everything else is held from the workers until its
        // notice is out, so "queued" always comes before "started" or the picture.
        var announce = kind != JobKind.Gallery;
        job.Book(price, announceFirst: announce);
        if (await queue.EnqueueAsync(job, ct) is not { } booked)
        {
            // The balance moved since the menu was shown (another job took the credits).
            await messenger.SendTextAsync(from.ChatId, T(TextKey.NotEnoughCredits, price, await ledger.BalanceAsync(user.Platform, user.UserId, ct)), cancellationToken: ct);
            return false;
        }
        observers.Reached(JobStep.Booked, booked);
        if (!announce)
        {
            signal.JobQueued();
            return true;
        }
        try
        {
            var position = await queue.PositionAsync(booked, ct);
            var text = policy.HeldUntil(booked, position, now) is { } opening
                ? T(TextKey.QueuedTonight, policy.LocalClock(opening), position)
                : T(TextKey.Queued, position);
            if (paid) text += "\n" + T(TextKey.Reserved, price);
            await messenger.SendTextAsync(from.ChatId, text, await menus.CancelAsync(booked, ct), ct);
        }
        finally
        {
            // Said or not (a failed send must not strand the job), the workers may take it now.
            await queue.UpdateAsync(booked.Id, time.GetUtcNow(), j => j.Announce(), CancellationToken.None);
            signal.JobQueued();
        }
        return true;
    }

    public static string RefusalText(UserProfile user, Refusal refusal, int count = 0) => refusal switch
    {
        Refusal.TooManyHeavy => Texts.Get(user.Language, TextKey.TooManyHeavy, count),
        Refusal.TooManyJobs => Texts.Get(user.Language, TextKey.TooManyJobs, count),
        Refusal.TooManyUploads => Texts.Get(user.Language, TextKey.TooManyUploads),
        _ => Texts.Get(user.Language, TextKey.QueueFull),
    };

    private static double StrengthFactor(StyleStrength strength) => strength switch { StyleStrength.Low => 0.4, StyleStrength.High => 2.5, _ => 1.0 };
}
