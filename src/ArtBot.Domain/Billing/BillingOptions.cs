using System.ComponentModel.DataAnnotations;
using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Billing;

/// <summary>A pack of credits sold for Telegram Stars.</summary>
public sealed record CreditPack(string Id, int Credits, int Stars);

/// <summary>Configuration section <c>Billing</c>: prices in credits and the packs sold. Prices are the one thing a typo must never get wrong: the bot refuses to start on a bad one.</summary>
public sealed record BillingOptions : IValidatableObject
{
    public const string Section = "Billing";

    /// <summary>A Premium job (Gatys or dream at Premium limits).</summary>
    [Range(1, 1_000_000)]
    public int PremiumPrice { get; init; } = 10;

    /// <summary>An HD job costs this plus <see cref="HdPricePer100Steps"/> for every 100 iterations.</summary>
    [Range(1, 1_000_000)]
    public int HdBasePrice { get; init; } = 10;

    [Range(0, 1_000_000)]
    public int HdPricePer100Steps { get; init; } = 5;

    /// <summary>Iteration counts an HD user picks from. Null: 300, 600, 1000.</summary>
    public int[]? HdIterations { get; init; }

    /// <summary>Packs offered by /buy. Null: 50, 120 and 300 credits for 50, 100 and 225 Stars.</summary>
    public CreditPack[]? Packs { get; init; }

    /// <summary>An invoice older than this is refused at pre-checkout.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan InvoiceLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Where /paysupport sends users (an @username, a mail address).</summary>
    [Required]
    public string Support { get; init; } = "@artbot_support";

    public IReadOnlyList<int> HdSteps => HdIterations is { Length: > 0 } steps ? steps : [300, 600, 1000];

    public IReadOnlyList<CreditPack> AllPacks => Packs is { Length: > 0 } packs ? packs : [new("s", 50, 50), new("m", 120, 100), new("l", 300, 225)];

    /// <summary>The price of a job: positive for every paid tier, by construction.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Iterations that are not positive, or a configuration that would price paid work at nothing.</exception>
    public int PriceOf(Tier tier, int iterations)
    {
        if (tier == Tier.Free) return 0;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        var price = tier == Tier.Premium ? PremiumPrice : HdBasePrice + HdPricePer100Steps * (int)Math.Ceiling(iterations / 100.0);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(price);
        return price;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HdSteps.Any(n => n is <= 0 or > 100_000)) yield return new ValidationResult("HD iteration choices must be between 1 and 100000", [nameof(HdIterations)]);
        foreach (var pack in AllPacks)
            if (string.IsNullOrWhiteSpace(pack.Id) || pack.Credits <= 0 || pack.Stars <= 0 || pack.Credits > LedgerEntry.MaxAmount)
                yield return new ValidationResult($"pack '{pack.Id}' needs an id and positive credits and stars", [nameof(Packs)]);
        if (AllPacks.Select(p => p.Id).Distinct().Count() != AllPacks.Count) yield return new ValidationResult("pack ids must differ", [nameof(Packs)]);
    }
}
