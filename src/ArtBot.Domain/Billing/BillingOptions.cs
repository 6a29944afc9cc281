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

    public int PriceOf(Tier tier, int iterations) => tier switch
    {
        Tier.Premium => PremiumPrice,
        Tier.Hd => HdBasePrice + HdPricePer100Steps * (int)Math.Ceiling(iterations / 100.0),
        _ => 0,
    };
}
