using System.Globalization;
using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Bot;

/// <summary>Cancels a running job cooperatively (the worker returns the best image so far).</summary>
public interface IRunningJobs
{
    bool Cancel(long jobId);
}

/// <summary>
/// The conversation, the same on every platform: adapters parse an update into an
/// <see cref="Incoming"/>, this decides and answers through the platform's
/// <see cref="IMessenger"/>. It only queues work; it never waits for rendering.
/// </summary>
public sealed class BotService(
    IJobQueue queue,
    IImageStore images,
    IUserStore users,
    PresetCatalog presets,
    QueuePolicy policy,
    BotOptions options,
    IJobSignal signal,
    IRunningJobs running,
    ILedger ledger,
    Payments payments,
    AdminService admin,
    TimeProvider time)
{
    public async Task HandleAsync(Incoming incoming, IMessenger messenger, CancellationToken cancellationToken = default)
    {
        var user = await UserAsync(incoming.From, cancellationToken);
        var chat = incoming.From.ChatId;
        string T(string key, params object[] args) => Texts.Get(user.Language, key, args);

        if (user.Banned && incoming is not PaymentReceived)
        {
            await IgnoreBannedAsync(user, incoming, messenger, cancellationToken);
            return;
        }

        switch (incoming)
        {
            case CommandMessage { Command: "start" }:
                user.Mode = ConversationMode.Idle;
                await messenger.SendTextAsync(chat, T(TextKey.Welcome), cancellationToken: cancellationToken);
                break;
            case CommandMessage { Command: "help" }:
                await messenger.SendTextAsync(chat, T(TextKey.Help), cancellationToken: cancellationToken);
                break;
            case CommandMessage { Command: "dream" }:
                user.Mode = ConversationMode.AwaitingDreamPhoto;
                await messenger.SendTextAsync(chat, T(TextKey.SendDreamPhoto), cancellationToken: cancellationToken);
                break;
            case CommandMessage { Command: "status" }:
                await messenger.SendTextAsync(chat, await StatusAsync(user, cancellationToken), cancellationToken: cancellationToken);
                break;
            case CommandMessage { Command: "cancel" }:
                await messenger.SendTextAsync(chat, await CancelAsync(user, cancellationToken), cancellationToken: cancellationToken);
                break;
            case CommandMessage { Command: "settings" }:
                await messenger.SendTextAsync(chat, SettingsText(user), SettingsKeyboard(user), cancellationToken);
                break;
            case CommandMessage { Command: "balance" or "buy" or "promo" or "paysupport" or "terms" } money:
                await payments.CommandAsync(user, money, messenger, cancellationToken);
                break;
            case CommandMessage { Command: "admin" } command when options.IsAdmin(user.Platform, user.UserId):
                await messenger.SendTextAsync(chat, await admin.HandleAsync(user, command.Argument, cancellationToken), cancellationToken: cancellationToken);
                break;
            case CommandMessage:
                await messenger.SendTextAsync(chat, T(TextKey.UnknownCommand), cancellationToken: cancellationToken);
                break;
            case PreCheckout query:
                await payments.PreCheckoutAsync(user, query, messenger, cancellationToken);
                break;
            case PaymentReceived payment:
                await payments.ReceivedAsync(user, payment, messenger, cancellationToken);
                break;

            case PhotoMessage { Photos.Count: >= 2 } album:
                var content = await images.PutAsync(album.Photos[0], time.GetUtcNow(), cancellationToken);
                var style = await images.PutAsync(album.Photos[1], time.GetUtcNow(), cancellationToken);
                user.Mode = ConversationMode.Idle;
                await RequestAsync(user, incoming.From, messenger, JobKind.Stylize, content, style, cancellationToken);
                break;
            case PhotoMessage photo when IsDreamCaption(photo.Caption) || user.Mode == ConversationMode.AwaitingDreamPhoto:
                user.Mode = ConversationMode.Idle;
                await RequestAsync(user, incoming.From, messenger, JobKind.Dream,
                    await images.PutAsync(photo.Photos[0], time.GetUtcNow(), cancellationToken), null, cancellationToken);
                break;
            case PhotoMessage photo when user is { Mode: ConversationMode.HasContent, ContentImage: { } contentImage }:
                user.Mode = ConversationMode.Idle;
                await RequestAsync(user, incoming.From, messenger, JobKind.Stylize, contentImage,
                    await images.PutAsync(photo.Photos[0], time.GetUtcNow(), cancellationToken), cancellationToken);
                break;
            case PhotoMessage photo:
                user.ContentImage = await images.PutAsync(photo.Photos[0], time.GetUtcNow(), cancellationToken);
                user.Mode = ConversationMode.HasContent;
                await messenger.SendTextAsync(chat, T(TextKey.PhotoMenu), PhotoMenu(user), cancellationToken);
                await EnqueueAsync(user, incoming.From, messenger, JobKind.Gallery, user.ContentImage, null, null, cancellationToken);
                break;

            case ButtonPressed button:
                var answer = await ButtonAsync(user, button, messenger, cancellationToken);
                await messenger.AnswerButtonAsync(button.CallbackId, answer, cancellationToken);
                break;

            case TextMessage:
                await messenger.SendTextAsync(chat, T(TextKey.ExpectPhoto), cancellationToken: cancellationToken);
                break;
            case UnsupportedMessage unsupported:
                await messenger.SendTextAsync(chat, T(TextKey.Unsupported, T("Unsupported" + unsupported.What)), cancellationToken: cancellationToken);
                break;
        }
        await users.SaveAsync(user, cancellationToken);
    }

    /// <summary>Tells the user an upload could not be used (too big to fetch, not an image…).</summary>
    public async Task RejectUploadAsync(ChatUser from, IMessenger messenger, string reason, CancellationToken cancellationToken = default)
    {
        var user = await UserAsync(from, cancellationToken);
        await messenger.SendTextAsync(from.ChatId, Texts.Get(user.Language, TextKey.BadImage, reason), cancellationToken: cancellationToken);
    }

    private async Task<UserProfile> UserAsync(ChatUser from, CancellationToken cancellationToken)
    {
        var user = await users.FindAsync(from.Platform, from.UserId, cancellationToken)
                   ?? new UserProfile { Id = UserProfile.KeyOf(from.Platform, from.UserId), Platform = from.Platform, UserId = from.UserId };
        // Some updates carry no language (VK button presses): the last one known stands.
        if (!user.LanguageChosen && from.LanguageCode != null) user.Language = Texts.LanguageOf(from.LanguageCode);
        return user;
    }

    private static bool IsDreamCaption(string? caption) =>
        caption?.Trim().ToLowerInvariant() is "dream" or "сон" or "/dream";

    private Keyboard PhotoMenu(UserProfile user)
    {
        var rows = presets.All
            .Select((p, i) => new Button($"{i + 1}. {p.Name.For(user.Language)}", $"p:{p.Id}"))
            .Chunk(3)
            .Select(r => (IReadOnlyList<Button>)r)
            .ToList();
        rows.Add([new Button(Texts.Get(user.Language, TextKey.ButtonDream), "d"), new Button(Texts.Get(user.Language, TextKey.ButtonStyleNext), "s")]);
        return new Keyboard(rows);
    }

    private async Task<string?> ButtonAsync(UserProfile user, ButtonPressed button, IMessenger messenger, CancellationToken ct)
    {
        string T(string key, params object[] args) => Texts.Get(user.Language, key, args);
        var parts = button.Data.Split(':');
        switch (parts[0])
        {
            case "p" when parts.Length == 2 && presets.Find(parts[1]) is { } preset:
                if (user.ContentImage is null) return T(TextKey.SendPhotoFirst);
                await EnqueueAsync(user, button.From, messenger, JobKind.Preset, user.ContentImage, null, preset.Id, ct);
                return null;
            case "d":
                if (user.ContentImage is null) return T(TextKey.SendPhotoFirst);
                user.Mode = ConversationMode.Idle;
                await RequestAsync(user, button.From, messenger, JobKind.Dream, user.ContentImage, null, ct);
                return null;
            case "t" when parts.Length >= 2:
                return await TierChosenAsync(user, button, parts, messenger, ct);
            case "buy" when parts.Length == 2:
                return await payments.OfferAsync(user, button, parts[1], messenger, ct);
            case "s":
                if (user.ContentImage is null) return T(TextKey.SendPhotoFirst);
                user.Mode = ConversationMode.HasContent;
                await messenger.SendTextAsync(button.From.ChatId, T(TextKey.SendStyleNext), cancellationToken: ct);
                return null;
            case "x" or "m" or "r" when parts.Length == 2 && long.TryParse(parts[1], out var jobId) && await queue.GetAsync(jobId, ct) is { } job
                                        && job.UserId == user.UserId && job.Platform == user.Platform:
                return await FollowUpAsync(user, button, job, parts[0], messenger, ct);
            case "set":
                return Settings(user, parts) is { } saved ? await ShowSettingsAsync(user, button, messenger, saved, ct) : T(TextKey.UnknownButton);
            default:
                return T(TextKey.UnknownButton);
        }
    }

    private async Task<string?> FollowUpAsync(UserProfile user, ButtonPressed button, Job job, string action, IMessenger messenger, CancellationToken ct)
    {
        switch (action)
        {
            case "m":
                user.ContentImage = job.ContentImage;
                user.Mode = ConversationMode.HasContent;
                await messenger.SendTextAsync(button.From.ChatId, Texts.Get(user.Language, TextKey.PhotoMenu), PhotoMenu(user), ct);
                return null;
            case "r" when job.ResultImage is { } result:
                await RequestAsync(user, button.From, messenger, JobKind.Dream, result, null, ct);
                return null;
            case "x" when job.ResultImage is { } result:
                // Stronger: a preset applied again to its own result, a Gatys transfer with twice
                // the style weight, a dream with twice the steps.
                if (job.Kind == JobKind.Preset)
                    return await EnqueueAsync(user, button.From, messenger, JobKind.Preset, result, null, job.PresetId, ct) ? null : Texts.Get(user.Language, TextKey.UnknownButton);
                await RequestAsync(user, button.From, messenger, job.Kind, job.ContentImage, job.StyleImage, ct,
                    strength: job.StyleStrength * 2, steps: job.Kind == JobKind.Dream ? (job.Iterations ?? options.DreamSteps) * 2 : null);
                return null;
            default:
                return Texts.Get(user.Language, TextKey.UnknownButton);
        }
    }

    private static string? Settings(UserProfile user, string[] parts)
    {
        switch (parts)
        {
            case [_, "size", var size] when int.TryParse(size, CultureInfo.InvariantCulture, out var side) && side is >= 128 and <= 4096:
                user.OutputSize = side;
                return "size";
            case [_, "colors"]:
                user.KeepColors = !user.KeepColors;
                return "colors";
            case [_, "strength", var level] when Enum.TryParse<StyleStrength>(level, true, out var strength):
                user.Strength = strength;
                return "strength";
            case [_, "lang"]:
                user.Language = user.Language == Language.Ru ? Language.En : Language.Ru;
                user.LanguageChosen = true;
                return "lang";
            default:
                return null;
        }
    }

    private async Task<string?> ShowSettingsAsync(UserProfile user, ButtonPressed button, IMessenger messenger, string _, CancellationToken ct)
    {
        await messenger.SendTextAsync(button.From.ChatId, SettingsText(user), SettingsKeyboard(user), ct);
        return Texts.Get(user.Language, TextKey.SettingsSaved);
    }

    private string SettingsText(UserProfile user)
    {
        var strength = user.Strength switch { StyleStrength.Low => TextKey.StrengthLow, StyleStrength.High => TextKey.StrengthHigh, _ => TextKey.StrengthMedium };
        return Texts.Get(user.Language, TextKey.Settings, SideFor(user, Tier.Free), options.Free.MaxSide,
            Texts.Get(user.Language, user.KeepColors ? TextKey.On : TextKey.Off), Texts.Get(user.Language, strength));
    }

    private Keyboard SettingsKeyboard(UserProfile user)
    {
        // Sizes up to the largest any tier paints: each job is capped by its own tier.
        var max = Math.Max(options.Free.MaxSide, Math.Max(options.Premium.MaxSide, options.Hd.MaxSide));
        var sizes = new[] { 384, 512, 768, 1024, 1600 }.Where(s => s <= max).Select(s => new Button($"{s}px", $"set:size:{s}")).ToList();
        var onOff = Texts.Get(user.Language, user.KeepColors ? TextKey.On : TextKey.Off);
        return Keyboard.Of(
            sizes,
            [new Button(Texts.Get(user.Language, TextKey.ButtonColors, onOff), "set:colors")],
            [.. Enum.GetValues<StyleStrength>().Select(s => new Button(Texts.Get(user.Language, "Strength" + s), $"set:strength:{s.ToString().ToLowerInvariant()}"))],
            [new Button(Texts.Get(user.Language, TextKey.ButtonLanguage), "set:lang")]);
    }

    private int SideFor(UserProfile user, Tier tier) => Math.Min(user.OutputSize ?? options.LimitsOf(tier).MaxSide, options.LimitsOf(tier).MaxSide);

    private static double StrengthFactor(StyleStrength strength) => strength switch { StyleStrength.Low => 0.4, StyleStrength.High => 2.5, _ => 1.0 };

    /// <returns>False when the user may not queue it (too many heavy jobs waiting).</returns>
    private async Task<bool> EnqueueAsync(UserProfile user, ChatUser from, IMessenger messenger, JobKind kind, string content, string? style,
        string? presetId, CancellationToken ct, double? strength = null, int? steps = null, Tier tier = Tier.Free)
    {
        var size = kind == JobKind.Gallery ? options.GalleryTile : SideFor(user, tier);
        var iterations = IterationsOf(kind, tier, steps);
        var price = payments.Options.PriceOf(tier, iterations ?? 0);
        var jobClass = policy.Classify(kind, size, iterations);
        var paid = tier != Tier.Free;
        var now = time.GetUtcNow();
        if (jobClass == JobClass.Heavy && !paid)
        {
            var waiting = (await queue.ActiveJobsAsync(user.Platform, user.UserId, ct)).Count(j => j is { Class: JobClass.Heavy, State: JobState.Queued });
            if (!policy.MayQueueHeavy(waiting, paid))
            {
                await messenger.SendTextAsync(from.ChatId, Texts.Get(user.Language, TextKey.TooManyHeavy, waiting), cancellationToken: ct);
                return false;
            }
        }

        var job = await queue.EnqueueAsync(new Job
        {
            Platform = from.Platform,
            UserId = from.UserId,
            ChatId = from.ChatId,
            Language = user.Language,
            Kind = kind,
            PresetId = presetId,
            ContentImage = content,
            StyleImage = style,
            Size = size,
            Iterations = iterations,
            PreserveColors = user.KeepColors,
            StyleStrength = strength ?? StrengthFactor(user.Strength),
            Tier = tier,
            Paid = paid,
            Class = jobClass,
            Rank = QueuePolicy.RankOf(paid, jobClass),
            CreatedAt = now,
        }, ct);
        if (paid && !await ledger.ReserveAsync(new LedgerEntry
            {
                Key = LedgerEntry.ReserveKey(job.Id), Platform = user.Platform, UserId = user.UserId, Kind = LedgerKind.Reserve,
                Amount = -price, JobId = job.Id, At = now, Note = $"{tier} {kind}",
            }, ct))
        {
            // The balance moved since the menu was shown (another job took the credits).
            await queue.CancelQueuedAsync(job.Id, now, ct);
            await messenger.SendTextAsync(from.ChatId, Texts.Get(user.Language, TextKey.NotEnoughCredits, price,
                await ledger.BalanceAsync(user.Platform, user.UserId, ct)), cancellationToken: ct);
            return false;
        }
        signal.JobQueued();

        // The preview arrives on its own; everything else says where it stands.
        if (kind == JobKind.Gallery) return true;
        var position = await queue.PositionAsync(job, ct);
        var text = policy.HeldUntil(job, now) is { } opening
            ? Texts.Get(user.Language, TextKey.QueuedTonight, LocalTime(opening), position)
            : Texts.Get(user.Language, TextKey.Queued, position);
        if (paid) text += "\n" + Texts.Get(user.Language, TextKey.Reserved, price);
        await messenger.SendTextAsync(from.ChatId, text, cancellationToken: ct);
        return true;
    }

    private string LocalTime(DateTimeOffset moment) =>
        TimeZoneInfo.ConvertTime(moment, policy.Night.Zone).ToString("HH:mm", CultureInfo.InvariantCulture);

    private int? IterationsOf(JobKind kind, Tier tier, int? steps)
    {
        var limits = options.LimitsOf(tier);
        return kind switch
        {
            // Paid Gatys runs as many iterations as its tier allows (an HD pick names its own).
            JobKind.Stylize => Math.Min(tier == Tier.Free ? options.StylizeIterations : steps ?? limits.MaxIterations, limits.MaxIterations),
            JobKind.Dream => Math.Min((steps ?? options.DreamSteps) * (tier == Tier.Free ? 1 : 2), limits.MaxIterations),
            _ => null,
        };
    }

    /// <summary>
    /// A Gatys or dream request. A user with credits picks the tier first (price and balance on
    /// the buttons); one without is queued as free at once.
    /// </summary>
    private async Task RequestAsync(UserProfile user, ChatUser from, IMessenger messenger, JobKind kind, string content, string? style,
        CancellationToken ct, double? strength = null, int? steps = null)
    {
        var balance = await ledger.BalanceAsync(user.Platform, user.UserId, ct);
        if (balance <= 0)
        {
            await EnqueueAsync(user, from, messenger, kind, content, style, null, ct, strength, steps);
            return;
        }
        user.Pending = new PendingRequest { Kind = kind, Content = content, Style = style, Strength = strength, Steps = steps };
        string T(string key, params object[] args) => Texts.Get(user.Language, key, args);
        var billing = payments.Options;
        var rows = new List<IReadOnlyList<Button>>
        {
            new[] { new Button(T(TextKey.ButtonTierFree, SideFor(user, Tier.Free), IterationsOf(kind, Tier.Free, steps) ?? 0), "t:free") },
            new[] { new Button(T(TextKey.ButtonTierPremium, SideFor(user, Tier.Premium), IterationsOf(kind, Tier.Premium, steps) ?? 0,
                billing.PriceOf(Tier.Premium, IterationsOf(kind, Tier.Premium, steps) ?? 0)), "t:premium") },
        };
        var hdSteps = kind == JobKind.Stylize
            ? billing.HdSteps.Select(n => Math.Min(n, options.Hd.MaxIterations)).Distinct()
            : [IterationsOf(kind, Tier.Hd, steps) ?? 0];
        foreach (var n in hdSteps)
            rows.Add([new Button(T(TextKey.ButtonTierHd, n, SideFor(user, Tier.Hd), billing.PriceOf(Tier.Hd, n)), $"t:hd:{n}")]);
        await messenger.SendTextAsync(from.ChatId, T(TextKey.TierMenu, balance), new Keyboard(rows), ct);
    }

    private async Task<string?> TierChosenAsync(UserProfile user, ButtonPressed button, string[] parts, IMessenger messenger, CancellationToken ct)
    {
        if (user.Pending is not { } pending) return Texts.Get(user.Language, TextKey.UnknownButton);
        (Tier Tier, int? Steps)? choice = parts switch
        {
            [_, "free"] => (Tier.Free, pending.Steps),
            [_, "premium"] => (Tier.Premium, pending.Steps),
            // A dream's HD button names its steps for the eye; they follow from the request.
            [_, "hd", _] when pending.Kind == JobKind.Dream => (Tier.Hd, pending.Steps),
            [_, "hd", var n] when int.TryParse(n, CultureInfo.InvariantCulture, out var steps) => (Tier.Hd, steps),
            _ => null,
        };
        if (choice is not var (tier, chosenSteps)) return Texts.Get(user.Language, TextKey.UnknownButton);
        var price = payments.Options.PriceOf(tier, IterationsOf(pending.Kind, tier, chosenSteps) ?? 0);
        var balance = await ledger.BalanceAsync(user.Platform, user.UserId, ct);
        if (price > balance) return Texts.Get(user.Language, TextKey.NotEnoughCredits, price, balance);
        user.Pending = null;
        await EnqueueAsync(user, button.From, messenger, pending.Kind, pending.Content, pending.Style, null, ct, pending.Strength, chosenSteps, tier);
        return null;
    }

    private async Task IgnoreBannedAsync(UserProfile user, Incoming incoming, IMessenger messenger, CancellationToken ct)
    {
        switch (incoming)
        {
            // Telegram waits for these answers; they must come even to a banned user.
            case PreCheckout query when messenger is IPaymentMessenger pay:
                await pay.AnswerPreCheckoutAsync(query.QueryId, Texts.Get(user.Language, TextKey.BannedNotice), ct);
                break;
            case ButtonPressed button:
                await messenger.AnswerButtonAsync(button.CallbackId, cancellationToken: ct);
                break;
        }
        if (user.BanNoticeSent) return;
        await messenger.SendTextAsync(incoming.From.ChatId, Texts.Get(user.Language, TextKey.BannedNotice), cancellationToken: ct);
        user.BanNoticeSent = true;
        await users.SaveAsync(user, ct);
    }

    private async Task<string> StatusAsync(UserProfile user, CancellationToken ct)
    {
        var active = await queue.ActiveJobsAsync(user.Platform, user.UserId, ct);
        if (active.Count == 0) return Texts.Get(user.Language, TextKey.StatusNone);
        var now = time.GetUtcNow();
        var lines = new List<string>();
        foreach (var job in active)
        {
            var kind = KindName(user.Language, job);
            if (job.State == JobState.Running)
            {
                var percent = job.ProgressTotal > 0 ? 100 * job.ProgressStep / job.ProgressTotal : 0;
                lines.Add(Texts.Get(user.Language, TextKey.StatusRunning, percent, kind));
            }
            else
            {
                var position = await queue.PositionAsync(job, ct);
                lines.Add(policy.HeldUntil(job, now) is { } opening
                    ? Texts.Get(user.Language, TextKey.StatusHeld, position, LocalTime(opening), kind)
                    : Texts.Get(user.Language, TextKey.StatusQueued, position, kind));
            }
        }
        return string.Join("\n", lines);
    }

    public string KindName(Language language, Job job) => job.Kind switch
    {
        JobKind.Preset => Texts.Get(language, TextKey.KindPreset, presets.Find(job.PresetId ?? "")?.Name.For(language) ?? job.PresetId ?? "?"),
        JobKind.Stylize => Texts.Get(language, TextKey.KindStylize),
        JobKind.Dream => Texts.Get(language, TextKey.KindDream),
        _ => Texts.Get(language, TextKey.KindGallery),
    };

    private async Task<string> CancelAsync(UserProfile user, CancellationToken ct)
    {
        var active = await queue.ActiveJobsAsync(user.Platform, user.UserId, ct);
        if (active.Count == 0) return Texts.Get(user.Language, TextKey.NothingToCancel);
        var stoppingRunning = false;
        var returned = 0L;
        foreach (var job in active)
        {
            if (job.State != JobState.Queued)
            {
                stoppingRunning |= running.Cancel(job.Id);
                continue;
            }
            await queue.CancelQueuedAsync(job.Id, time.GetUtcNow(), ct);
            returned += await ledger.SettleAsync(job.Id, charge: false, time.GetUtcNow(), ct) ?? 0;
        }
        var text = Texts.Get(user.Language, stoppingRunning ? TextKey.CancelledRunning : TextKey.Cancelled);
        return returned > 0 ? text + "\n" + Texts.Get(user.Language, TextKey.Released, returned) : text;
    }
}
