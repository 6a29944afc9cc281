using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Bot;

/// <summary>Every keyboard the bot sends, made of offers (<see cref="OfferBook"/>): what each button does is decided here, once.</summary>
public sealed class Menus(OfferBook offers, PresetCatalog presets, ArtCapabilities capabilities, BotOptions options, BillingOptions billing, Gallery.GalleryOptions gallery)
{
    /// <summary>The presets whose weights this host has, in the catalog's order (the preview sheet numbers its tiles the same way).</summary>
    private IEnumerable<StylePreset> Offered => presets.All.Where(p => capabilities.Presets.Contains(p.Id));

    private static readonly int[] SettingSizes = [384, 512, 768, 1024, 1600];

    /// <summary>After a photo: every preset, "Dream" and "I'll send a style photo", for that photo.</summary>
    public Task<Keyboard> PhotoAsync(UserProfile user, string content, CancellationToken ct) =>
        PhotoAsync(user.Platform, user.UserId, user.Language, content, ct);

    /// <summary>After an animation: every preset, for that animation.</summary>
    public Task<Keyboard> AnimationAsync(UserProfile user, string video, CancellationToken ct) =>
        offers.KeyboardAsync(user.Platform, user.UserId,
            Offered.Select((p, i) => ($"{i + 1}. {p.Name.For(user.Language)}", (Offer)new AnimationOffer(p.Id, video))).Chunk(3).Select(r => (IReadOnlyList<(string, Offer)>)r).ToList(),
            cancellationToken: ct);

    /// <summary>The same menu under the preview sheet of that photo: the tiles are numbered as the buttons.</summary>
    public Task<Keyboard> PhotoAsync(Job gallery, CancellationToken ct) =>
        PhotoAsync(gallery.Platform, gallery.UserId, gallery.Language, gallery.ContentImage, ct);

    private Task<Keyboard> PhotoAsync(string platform, long userId, Language language, string content, CancellationToken ct)
    {
        var rows = Offered
            .Select((p, i) => ($"{i + 1}. {p.Name.For(language)}", (Offer)new PresetOffer(p.Id, content)))
            .Chunk(3)
            .Select(r => (IReadOnlyList<(string, Offer)>)r)
            .ToList();
        var more = new List<(string, Offer)>();
        if (capabilities.Dream) more.Add((Texts.Get(language, TextKey.ButtonDream), new DreamOffer(content)));
        if (capabilities.Gatys) more.Add((Texts.Get(language, TextKey.ButtonStyleNext), new StyleNextOffer(content)));
        if (more.Count > 0) rows.Add(more);
        return offers.KeyboardAsync(platform, userId, rows, cancellationToken: ct);
    }

    /// <summary>The tier choice of one request, priced from configuration. One-shot: the first press books, any later one is stale.</summary>
    public Task<Keyboard> TiersAsync(UserProfile user, JobRequest request, Func<Tier, int?, int> iterations, Func<Tier, int> side, CancellationToken ct)
    {
        // An animation's tiers differ in size and seconds (its "iterations" are frames); a picture's in size and steps.
        var animation = request.Kind == JobKind.Animation;
        string Seconds(int frames) => (frames / (double)options.AnimationFps).ToString("0.#", user.Language == Language.Ru ? RussianNumbers : System.Globalization.CultureInfo.InvariantCulture);
        var free = iterations(Tier.Free, null);
        var premium = iterations(Tier.Premium, null);
        var rows = new List<IReadOnlyList<(string, Offer)>>
        {
            new[] { (animation ? T(user, TextKey.ButtonAnimationFree, side(Tier.Free), Seconds(free)) : T(user, TextKey.ButtonTierFree, side(Tier.Free), free),
                (Offer)new TierOffer(Tier.Free, free, request)) },
            new[] { (animation
                    ? T(user, TextKey.ButtonAnimationPremium, side(Tier.Premium), Seconds(premium), billing.PriceOf(Tier.Premium, premium))
                    : T(user, TextKey.ButtonTierPremium, side(Tier.Premium), premium, billing.PriceOf(Tier.Premium, premium)),
                (Offer)new TierOffer(Tier.Premium, premium, request)) },
        };
        var hdChoices = request.Kind == JobKind.Stylize
            ? billing.HdSteps.Select(n => iterations(Tier.Hd, n)).Distinct()
            : [iterations(Tier.Hd, null)];
        foreach (var n in hdChoices)
            rows.Add([(animation ? T(user, TextKey.ButtonAnimationHd, side(Tier.Hd), Seconds(n), billing.PriceOf(Tier.Hd, n)) : T(user, TextKey.ButtonTierHd, n, side(Tier.Hd), billing.PriceOf(Tier.Hd, n)),
                new TierOffer(Tier.Hd, n, request))]);
        return offers.KeyboardAsync(user.Platform, user.UserId, rows, oneShot: true, ct);
    }

    private static readonly System.Globalization.CultureInfo RussianNumbers = System.Globalization.CultureInfo.GetCultureInfo("ru");

    public Task<Keyboard> SettingsAsync(UserProfile user, CancellationToken ct)
    {
        // Sizes up to the largest any tier paints: each job is capped by its own tier.
        var max = Math.Max(options.Free.MaxSide, Math.Max(options.Premium.MaxSide, options.Hd.MaxSide));
        var onOff = T(user, user.KeepColors ? TextKey.On : TextKey.Off);
        IReadOnlyList<IReadOnlyList<(string, Offer)>> rows =
        [
            [.. SettingSizes.Where(s => s <= max).Select(s => ($"{s}px", (Offer)new SettingOffer(Setting.Size, s)))],
            [(T(user, TextKey.ButtonColors, onOff), new SettingOffer(Setting.Colors))],
            [(T(user, TextKey.ButtonPreview, T(user, user.LivePreview ? TextKey.On : TextKey.Off)), new SettingOffer(Setting.Preview))],
            [.. Enum.GetValues<StyleStrength>().Select(s => (T(user, "Strength" + s), (Offer)new SettingOffer(Setting.Strength, (int)s)))],
            [(T(user, TextKey.ButtonLanguage), new SettingOffer(Setting.Language))],
        ];
        return offers.KeyboardAsync(user.Platform, user.UserId, rows, cancellationToken: ct);
    }

    /// <summary>Applies a settings offer; false when its value is not one the menu could have offered.</summary>
    public bool Apply(UserProfile user, SettingOffer offer)
    {
        switch (offer.Setting)
        {
            case Setting.Size when SettingSizes.Contains(offer.Value):
                user.OutputSize = offer.Value;
                return true;
            case Setting.Colors:
                user.KeepColors = !user.KeepColors;
                return true;
            case Setting.Strength when Enum.IsDefined((StyleStrength)offer.Value):
                user.Strength = (StyleStrength)offer.Value;
                return true;
            case Setting.Preview:
                user.LivePreview = !user.LivePreview;
                return true;
            case Setting.Language:
                user.Language = user.Language == Language.Ru ? Language.En : Language.Ru;
                user.LanguageChosen = true;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Under a delivered result: "Stronger", "Another style", "Dream this", for that job's owner.</summary>
    /// <summary>
    /// Under a delivered result: "Stronger", "Another style", "Dream this" (an animation: another
    /// style), then "Share" (a Gatys picture: also with its painting) and, where the platform has
    /// inline mode, "Send to a chat". All for that job's owner.
    /// </summary>
    public async Task<Keyboard> ResultAsync(Job job, CancellationToken ct)
    {
        string T(string key) => Texts.Get(job.Language, key);
        var rows = new List<IReadOnlyList<(string, Offer)>>();
        if (job.Kind == JobKind.Animation) rows.Add([(T(TextKey.ButtonAnotherPreset), new FollowUpOffer(job.Id, FollowUp.AnotherStyle))]);
        else
        {
            (string, Offer)[] first =
            [
                (T(TextKey.ButtonStronger), new FollowUpOffer(job.Id, FollowUp.Stronger)),
                (T(TextKey.ButtonAnotherPreset), new FollowUpOffer(job.Id, FollowUp.AnotherStyle)),
                (T(TextKey.ButtonDreamThis), new FollowUpOffer(job.Id, FollowUp.DreamThis)),
            ];
            // A picture from one painting can take a second one, blended.
            if (job is { Kind: JobKind.Stylize, SecondStyleImage: null }) first = [.. first, (T(TextKey.ButtonAddPainting), new FollowUpOffer(job.Id, FollowUp.AddPainting))];
            rows.Add(first);
        }
        if (gallery.Sharing)
            rows.Add(job.Kind == JobKind.Stylize
                ? [(T(TextKey.ButtonShare), new FollowUpOffer(job.Id, FollowUp.Share)), (T(TextKey.ButtonShareWithPainting), new FollowUpOffer(job.Id, FollowUp.ShareWithPainting))]
                : [(T(TextKey.ButtonShare), new FollowUpOffer(job.Id, FollowUp.Share))]);
        var keyboard = await offers.KeyboardAsync(job.Platform, job.UserId, rows, cancellationToken: ct);
        return keyboard.With([Button.SendToChat(T(TextKey.ButtonSendToChat), Gallery.SharingConversation.InlineQueryOf(job))]);
    }

    /// <summary>The mix of two paintings: 30/70, 50/50, 70/30 (the first painting's share first). One-shot: one press, one job.</summary>
    public Task<Keyboard> BlendAsync(UserProfile user, string content, string style, string secondStyle, CancellationToken ct) =>
        offers.KeyboardAsync(user.Platform, user.UserId,
            [[.. BlendShares.Select(share => (T(user, TextKey.ButtonBlend, (int)Math.Round(share * 100), (int)Math.Round((1 - share) * 100)),
                (Offer)new BlendOffer(content, style, new StyleBlend(secondStyle, share))))]],
            oneShot: true, ct);

    /// <summary>The shares of the first painting a blend menu offers.</summary>
    public static readonly double[] BlendShares = [0.3, 0.5, 0.7];

    /// <summary>/history: for each picture, "send it again" and "another style" (the menu of presets for its photo).</summary>
    public Task<Keyboard> HistoryAsync(UserProfile user, IReadOnlyList<Job> recent, IReadOnlySet<long> shared, CancellationToken ct) =>
        offers.KeyboardAsync(user.Platform, user.UserId,
            recent.Select((job, i) => (IReadOnlyList<(string, Offer)>)
            [
                (T(user, TextKey.ButtonSendAgain, i + 1), new FollowUpOffer(job.Id, FollowUp.SendAgain)),
                (T(user, TextKey.ButtonOtherStyle, i + 1), new FollowUpOffer(job.Id, FollowUp.AnotherStyle)),
                .. shared.Contains(job.Id) ? [(T(user, TextKey.ButtonUnshareNumber, i + 1), (Offer)new FollowUpOffer(job.Id, FollowUp.Unshare))] : Array.Empty<(string, Offer)>(),
            ]).ToList(),
            cancellationToken: ct);

    /// <summary>The everyday commands as buttons, under /start and /help: VK and the web chat have no command menu.</summary>
    public Task<Keyboard> CommandsAsync(UserProfile user, CancellationToken ct) =>
        offers.KeyboardAsync(user.Platform, user.UserId,
            BotCommands.Buttons.Select(c => (T(user, "CommandButton_" + c), (Offer)new CommandOffer(c))).Chunk(3).Select(r => (IReadOnlyList<(string, Offer)>)r).ToList(),
            cancellationToken: ct);

    /// <summary>"Cancel" for one job, on its queue notice and its progress message.</summary>
    public Task<Keyboard> CancelAsync(Job job, CancellationToken ct) =>
        offers.KeyboardAsync(job.Platform, job.UserId, [[(Texts.Get(job.Language, TextKey.ButtonCancel), new CancelOffer(job.Id))]], cancellationToken: ct);

    public Task<Keyboard> PacksAsync(UserProfile user, CancellationToken ct) =>
        offers.KeyboardAsync(user.Platform, user.UserId,
            billing.AllPacks.Select(p => (IReadOnlyList<(string, Offer)>)[(T(user, TextKey.ButtonPack, p.Credits, p.Stars), new PackOffer(p.Id))]).ToList(),
            cancellationToken: ct);

    private static string T(UserProfile user, string key, params object[] args) => Texts.Get(user.Language, key, args);
}
