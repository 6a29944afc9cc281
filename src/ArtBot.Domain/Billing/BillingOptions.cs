using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Billing;

/// <summary>A pack of credits sold for Telegram Stars.</summary>
public sealed record CreditPack(string Id, int Credits, int Stars);

/// <summary>Configuration section <c>Billing</c>: prices in credits and the packs sold.</summary>
public sealed record BillingOptions
{
    /// <summary>A Premium job (Gatys or dream at Premium limits).</summary>
    public int PremiumPrice { get; init; } = 10;

    /// <summary>An HD job costs this plus <see cref="HdPricePer100Steps"/> for every 100 iterations.</summary>
    public int HdBasePrice { get; init; } = 10;

    public int HdPricePer100Steps { get; init; } = 5;

    /// <summary>Iteration counts an HD user picks from. Null: 300, 600, 1000.</summary>
    public int[]? HdIterations { get; init; }

    /// <summary>Packs offered by /buy. Null: 50, 120 and 300 credits for 50, 100 and 225 Stars.</summary>
    public CreditPack[]? Packs { get; init; }

    /// <summary>An invoice older than this is refused at pre-checkout.</summary>
    public TimeSpan InvoiceLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Where /paysupport sends users (an @username, a mail address).</summary>
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

    /// <summary>What is wrong with these numbers, checked once at start: the bot refuses to run with any of it.</summary>
    public IEnumerable<string> Problems()
    {
        if (PremiumPrice <= 0) yield return $"Billing:PremiumPrice must be positive, not {PremiumPrice}";
        if (HdBasePrice <= 0) yield return $"Billing:HdBasePrice must be positive, not {HdBasePrice}";
        if (HdPricePer100Steps < 0) yield return $"Billing:HdPricePer100Steps must not be negative, not {HdPricePer100Steps}";
        if (HdSteps.Any(n => n is <= 0 or > 100_000)) yield return "Billing:HdIterations must be between 1 and 100000";
        if (InvoiceLifetime <= TimeSpan.Zero) yield return "Billing:InvoiceLifetime must be positive";
        foreach (var pack in AllPacks)
            if (string.IsNullOrWhiteSpace(pack.Id) || pack.Credits <= 0 || pack.Stars <= 0 || pack.Credits > LedgerEntry.MaxAmount)
                yield return $"Billing:Packs: pack '{pack.Id}' needs an id and positive credits and stars";
        if (AllPacks.Select(p => p.Id).Distinct().Count() != AllPacks.Count) yield return "Billing:Packs: pack ids must differ";
    }
}
