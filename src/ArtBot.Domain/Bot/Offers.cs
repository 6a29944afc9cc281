using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Bot;

/// <summary>
/// What an inline button offers. The bot decides every value here when it sends the button; a
/// press only points at an offer the bot made to that user, so nothing a client writes into
/// button data (a tier, a step count, a job, a price) ever reaches a decision.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$")]
[JsonDerivedType(typeof(PresetOffer), "preset")]
[JsonDerivedType(typeof(DreamOffer), "dream")]
[JsonDerivedType(typeof(StyleNextOffer), "style")]
[JsonDerivedType(typeof(TierOffer), "tier")]
[JsonDerivedType(typeof(FollowUpOffer), "follow")]
[JsonDerivedType(typeof(SettingOffer), "set")]
[JsonDerivedType(typeof(PackOffer), "pack")]
[JsonDerivedType(typeof(CancelOffer), "cancel")]
[JsonDerivedType(typeof(CommandOffer), "command")]
[JsonDerivedType(typeof(BlendOffer), "blend")]
[JsonDerivedType(typeof(AnimationOffer), "animate")]
[JsonDerivedType(typeof(LikeOffer), "like")]
[JsonDerivedType(typeof(ForgetOffer), "forget")]
public abstract record Offer;

/// <summary>Paint this photo with a preset (the photo the menu was sent for, not whatever came later).</summary>
public sealed record PresetOffer(string PresetId, string Content) : Offer;

public sealed record DreamOffer(string Content) : Offer;

/// <summary>Paint this animation (stored under <see cref="Video"/>) with a preset.</summary>
public sealed record AnimationOffer(string PresetId, string Video) : Offer;

/// <summary>"I'll send a style photo" for this content photo.</summary>
public sealed record StyleNextOffer(string Content) : Offer;

/// <summary>A Gatys or dream request at one tier, priced from configuration when pressed.</summary>
public sealed record TierOffer(Tier Tier, int Iterations, JobRequest Request) : Offer;

/// <summary>New actions go last: stored menus name them by number.</summary>
public enum FollowUp { Stronger, AnotherStyle, DreamThis, SendAgain, AddPainting, Share, ShareWithPainting, Unshare }

/// <summary>A button under a delivered result, or beside it in /history.</summary>
public sealed record FollowUpOffer(long JobId, FollowUp Action) : Offer;

public enum Setting { Size, Colors, Strength, Language, Preview }

/// <summary>A /settings button; <see cref="Value"/> is the side or the strength level.</summary>
public sealed record SettingOffer(Setting Setting, int Value = 0) : Offer;

/// <summary>Cancel this one job (the button on its queue notice and its progress message).</summary>
public sealed record CancelOffer(long JobId) : Offer;

/// <summary>A command run from a button under /start or /help (one of <see cref="BotCommands.Buttons"/>).</summary>
public sealed record CommandOffer(string Command) : Offer;

/// <summary>♥ under a picture of /top: one like per person, however often pressed.</summary>
public sealed record LikeOffer(string EntryId) : Offer;

/// <summary>The confirmation of /forget.</summary>
public sealed record ForgetOffer : Offer;

/// <summary>A pack of credits sold for Telegram Stars.</summary>
public sealed record PackOffer(string PackId) : Offer;

/// <summary>What a Gatys or dream job will be, once its tier is picked.</summary>
/// <param name="PresetId">The preset of an animation.</param>
public sealed record JobRequest(JobKind Kind, string Content, string? Style, double? Strength = null, int? Steps = null, StyleBlend? Blend = null, string? PresetId = null);

/// <summary>A second painting, and the first painting's share of the style (0.3, 0.5, 0.7).</summary>
public sealed record StyleBlend(string SecondStyle, double FirstShare);

/// <summary>One mix of two paintings for one content photo: a Gatys request once pressed.</summary>
public sealed record BlendOffer(string Content, string Style, StyleBlend Blend) : Offer;

/// <summary>A press that points at a valid offer: the offer, and the menu it came from.</summary>
public sealed record PressedOffer(Offer Offer, string MenuId, bool OneShot);

/// <summary>One keyboard as sent: its offers, to whom, until when. <see cref="OneShot"/> menus are honoured once.</summary>
public sealed class OfferMenu
{
    public string Id { get; set; } = "";
    public string Platform { get; set; } = "";
    public long UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public bool OneShot { get; set; }
    public bool Used { get; set; }

    /// <summary>The offers in button order, as <see cref="OfferBook"/> encodes them.</summary>
    public string Offers { get; set; } = "";
}

/// <summary>Where the offers of sent keyboards are kept until they expire.</summary>
public interface IOfferStore
{
    /// <summary>Stores a menu; a one-shot menu makes the user's earlier unused one-shot menus stale.</summary>
    Task SaveAsync(OfferMenu menu, CancellationToken cancellationToken = default);

    Task<OfferMenu?> FindAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Marks a one-shot menu used, atomically.</summary>
    /// <returns>False when it was used (or superseded) before: a second press of the same offer does nothing.</returns>
    Task<bool> UseAsync(string id, CancellationToken cancellationToken = default);

    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes every menu sent to a user.</summary>
    Task<int> DeleteUserAsync(string platform, long userId, CancellationToken cancellationToken = default);
}

/// <summary>
/// The one codec between buttons and offers. A keyboard is stored as a menu under a random id;
/// each button's data is "menu id.index" and nothing else. A press is honoured only when that
/// menu exists, was made for the presser, has not expired and (one-shot) was not used: anything
/// else — altered, guessed, someone else's, stale, replayed — is refused.
/// </summary>
public sealed class OfferBook(IOfferStore store, TimeProvider time)
{
    private const int IdLength = 16;
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>How long a button stays good: as long as the photos it points at are kept.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Longest button data this codec makes; anything longer is not ours.</summary>
    public const int MaxDataLength = IdLength + 4;

    public async Task<Keyboard> KeyboardAsync(string platform, long userId, IReadOnlyList<IReadOnlyList<(string Text, Offer Offer)>> rows,
        bool oneShot = false, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var menu = new OfferMenu
        {
            Id = RandomNumberGenerator.GetString(Alphabet, IdLength), Platform = platform, UserId = userId,
            CreatedAt = now, ExpiresAt = now + Lifetime, OneShot = oneShot,
            Offers = JsonSerializer.Serialize(rows.SelectMany(r => r).Select(b => b.Offer).ToArray(), Json),
        };
        await store.SaveAsync(menu, cancellationToken);
        var index = 0;
        return new Keyboard(rows.Select(r => (IReadOnlyList<Button>)r.Select(b => new Button(b.Text, $"{menu.Id}.{index++}")).ToList()).ToList());
    }

    /// <summary>The offer a press points at, when the press may be honoured; null otherwise (nothing changes).</summary>
    /// <remarks>A one-shot offer is only looked at here: <see cref="UseAsync"/> takes it, once the caller commits to it.</remarks>
    public async Task<PressedOffer?> FindAsync(string platform, long userId, string data, CancellationToken cancellationToken = default)
    {
        if (Parse(data) is not var (id, index)) return null;
        var menu = await store.FindAsync(id, cancellationToken);
        if (menu == null || menu.Platform != platform || menu.UserId != userId || menu.Used || time.GetUtcNow() >= menu.ExpiresAt) return null;
        Offer[]? offers;
        try
        {
            offers = JsonSerializer.Deserialize<Offer[]>(menu.Offers, Json);
        }
        catch (JsonException)
        {
            return null;
        }
        return offers != null && index < offers.Length ? new PressedOffer(offers[index], menu.Id, menu.OneShot) : null;
    }

    /// <summary>Takes a pressed offer: always true for a lasting one; for a one-shot one, true for the first press only (atomic).</summary>
    public async Task<bool> UseAsync(PressedOffer pressed, CancellationToken cancellationToken = default) =>
        !pressed.OneShot || await store.UseAsync(pressed.MenuId, cancellationToken);

    private static (string Id, int Index)? Parse(string data)
    {
        if (data.Length is < IdLength + 2 or > MaxDataLength || data[IdLength] != '.') return null;
        var id = data[..IdLength];
        if (!id.All(c => c is >= '0' and <= '9' or >= 'A' and <= 'Z' or >= 'a' and <= 'z')) return null;
        var digits = data[(IdLength + 1)..];
        // Only the form this codec writes: "04" or "+4" is not the button "4".
        if (!digits.All(char.IsAsciiDigit) || !int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            || digits != index.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null;
        return (id, index);
    }
}
