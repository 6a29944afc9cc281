using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot;

/// <summary>
/// The conversation, the same on every platform: adapters parse an update into an
/// <see cref="Incoming"/>, this routes it and answers through the platform's
/// <see cref="IMessenger"/>. It only queues work (<see cref="Booking"/>); it never waits for
/// rendering. Buttons are offers (<see cref="OfferBook"/>): a press that points at no valid offer
/// made to this user is "out of date" and changes nothing.
/// </summary>
public sealed class BotService(
    IImageStore images,
    IUserStore users,
    OfferBook offers,
    Menus menus,
    Booking booking,
    JobControl jobs,
    RequestGate gate,
    IJobQueue queue,
    BotOptions options,
    Payments payments,
    AdminService admin,
    Art.ArtCapabilities capabilities,
    Art.IUploadIntake intake,
    Gallery.SharingConversation sharing,
    TimeProvider time,
    ILogger<BotService> logger)
{
    /// <summary>How many pictures /history lists.</summary>
    public const int HistoryLength = 10;

    public async Task HandleAsync(Incoming incoming, IMessenger messenger, CancellationToken cancellationToken = default)
    {
        var user = await UserAsync(incoming.From, cancellationToken);
        if (user.Banned && incoming is InlineQueryReceived banned)
        {
            // Telegram waits for an answer; a banned user's is empty.
            await sharing.InlineAsync(user, banned, messenger, cancellationToken);
            return;
        }
        if (user.Banned && incoming is not PaymentReceived)
        {
            await IgnoreBannedAsync(user, incoming, messenger, cancellationToken);
            return;
        }
        await HandleCoreAsync(user, incoming, messenger, cancellationToken);
        if (!user.Forgotten) await users.SaveAsync(user, cancellationToken);
    }

    private async Task HandleCoreAsync(UserProfile user, Incoming incoming, IMessenger messenger, CancellationToken cancellationToken)
    {
        var chat = incoming.From.ChatId;
        string T(string key, params object[] args) => Texts.Get(user.Language, key, args);

        switch (incoming)
        {
            case CommandMessage { Command: "start" }:
                user.Mode = ConversationMode.Idle;
                await messenger.SendTextAsync(chat, T(TextKey.Welcome), await menus.CommandsAsync(user, cancellationToken), cancellationToken);
                break;
            case CommandMessage { Command: "help" }:
                await messenger.SendTextAsync(chat, T(TextKey.Help), await menus.CommandsAsync(user, cancellationToken), cancellationToken);
                break;
            case CommandMessage { Command: "dream" }:
                user.Mode = ConversationMode.AwaitingDreamPhoto;
                await messenger.SendTextAsync(chat, T(TextKey.SendDreamPhoto), cancellationToken: cancellationToken);
                break;
            case CommandMessage { Command: "status" }:
                await messenger.SendTextAsync(chat, await jobs.StatusAsync(user, cancellationToken), cancellationToken: cancellationToken);
                break;
            case CommandMessage { Command: "cancel" }:
                await messenger.SendTextAsync(chat, await jobs.CancelAsync(user, cancellationToken), cancellationToken: cancellationToken);
                break;
            case CommandMessage { Command: "history" }:
                var recent = await queue.RecentResultsAsync(user.Platform, user.UserId, HistoryLength, cancellationToken);
                var shared = await sharing.SharedAsync(user, cancellationToken);
                if (recent.Count == 0) await messenger.SendTextAsync(chat, T(TextKey.HistoryEmpty), cancellationToken: cancellationToken);
                else
                    await messenger.SendTextAsync(chat,
                        T(TextKey.History) + "\n" + string.Join("\n", recent.Select((j, i) => T(TextKey.HistoryLine, i + 1, jobs.KindName(user.Language, j), j.FinishedAt ?? j.CreatedAt)
                            + (shared.TryGetValue(j.Id, out var entry) ? T(TextKey.HistoryShared, entry.Likes) : ""))),
                        await menus.HistoryAsync(user, recent, shared.Keys.ToHashSet(), cancellationToken), cancellationToken);
                break;
            case CommandMessage { Command: "top" }:
                await sharing.TopAsync(user, chat, messenger, cancellationToken);
                break;
            case CommandMessage { Command: "gallery" }:
                await sharing.GalleryLinkAsync(user, chat, messenger, cancellationToken);
                break;
            case CommandMessage { Command: "export" }:
                await sharing.ExportAsync(user, chat, messenger, cancellationToken);
                break;
            case CommandMessage { Command: "forget" }:
                await sharing.ForgetAskAsync(user, chat, messenger, cancellationToken);
                break;
            case InlineQueryReceived inline:
                await sharing.InlineAsync(user, inline, messenger, cancellationToken);
                break;
            case CommandMessage { Command: "settings" }:
                await messenger.SendTextAsync(chat, SettingsText(user), await menus.SettingsAsync(user, cancellationToken), cancellationToken);
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

            case PhotoMessage photo when !gate.AdmitUpload(incoming.From):
                logger.LogInformation("{Platform}:{User}: photo refused, over {Limit} a minute", user.Platform, user.UserId, options.Limits.UploadsPerMinute);
                await messenger.SendTextAsync(chat, Booking.RefusalText(user, Refusal.TooManyUploads), cancellationToken: cancellationToken);
                break;
            case PhotoMessage photo:
                // Checked and brought to the size jobs use before anything is stored; a refusal was told.
                if (await KeepAsync(user, incoming.From, photo.Photos.Take(PhotoMessage.PhotosUsed).ToList(), messenger, cancellationToken) is not { } kept) break;
                await PhotoAsync(user, photo, kept, messenger, cancellationToken);
                break;

            case AnimationMessage when !capabilities.Animation:
                // Nothing stored, nothing offered: this host cannot paint a clip, whatever the menu would say.
                logger.LogInformation("{Platform}:{User}: animation refused, animations are not available here", user.Platform, user.UserId);
                await messenger.SendTextAsync(chat, Worker.JobNotices.Unavailable(user.Language, Art.ArtCapability.Animation), cancellationToken: cancellationToken);
                break;
            case AnimationMessage when !gate.AdmitUpload(incoming.From):
                logger.LogInformation("{Platform}:{User}: animation refused, over {Limit} a minute", user.Platform, user.UserId, options.Limits.UploadsPerMinute);
                await messenger.SendTextAsync(chat, Booking.RefusalText(user, Refusal.TooManyUploads), cancellationToken: cancellationToken);
                break;
            case AnimationMessage animation:
                if (await KeepAsync(user, incoming.From, [animation.Video], messenger, cancellationToken, photos: false) is not [var video]) break;
                await messenger.SendTextAsync(chat, T(TextKey.AnimationMenu, options.Free.AnimationSeconds, options.Free.AnimationSide),
                    await menus.AnimationAsync(user, video, cancellationToken), cancellationToken);
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
    }

    /// <summary>Where a photo message goes, by how many photos it has and where the conversation stands; <paramref name="kept"/> are its stored photos.</summary>
    private async Task PhotoAsync(UserProfile user, PhotoMessage photo, IReadOnlyList<string> kept, IMessenger messenger, CancellationToken ct)
    {
        var chat = photo.From.ChatId;
        switch (kept.Count)
        {
            case >= 3:
                // Content and two paintings: the mix is asked for, then it goes as any Gatys request.
                user.Mode = ConversationMode.Idle;
                await BlendMenuAsync(user, chat, messenger, kept[0], kept[1], kept[2], ct);
                return;
            case >= 1 when user is { Mode: ConversationMode.AwaitingSecondPainting, ContentImage: { } blendContent, StyleImage: { } firstPainting }:
                user.Mode = ConversationMode.Idle;
                await BlendMenuAsync(user, chat, messenger, blendContent, firstPainting, kept[0], ct);
                return;
            case 2:
                user.Mode = ConversationMode.Idle;
                await booking.RequestAsync(user, photo.From, messenger, new JobRequest(JobKind.Stylize, kept[0], kept[1]), ct);
                return;
            case 1 when IsDreamCaption(photo.Caption) || user.Mode == ConversationMode.AwaitingDreamPhoto:
                user.Mode = ConversationMode.Idle;
                await booking.RequestAsync(user, photo.From, messenger, new JobRequest(JobKind.Dream, kept[0], null), ct);
                return;
            case 1 when user is { Mode: ConversationMode.HasContent, ContentImage: { } contentImage }:
                user.Mode = ConversationMode.Idle;
                await booking.RequestAsync(user, photo.From, messenger, new JobRequest(JobKind.Stylize, contentImage, kept[0]), ct);
                return;
            default:
                user.ContentImage = kept[0];
                user.Mode = ConversationMode.HasContent;
                await messenger.SendTextAsync(chat, Texts.Get(user.Language, TextKey.PhotoMenu), await menus.PhotoAsync(user, user.ContentImage, ct), ct);
                await booking.BookAsync(user, photo.From, messenger, JobKind.Gallery, user.ContentImage, null, null, ct);
                return;
        }
    }

    /// <summary>
    /// Stores an upload as the bot keeps it: photos checked and brought to the size jobs use
    /// (<see cref="IUploadIntake"/>), a clip as it came; within the day's allowance of its owner
    /// (the user, or on the web the user's network). Null when refused: the user was told why.
    /// </summary>
    private async Task<IReadOnlyList<string>?> KeepAsync(UserProfile user, ChatUser from, IReadOnlyList<byte[]> uploads, IMessenger messenger, CancellationToken ct, bool photos = true)
    {
        var prepared = new List<byte[]>();
        try
        {
            foreach (var upload in uploads) prepared.Add(photos ? await intake.PhotoAsync(upload, ct) : upload);
        }
        catch (Art.ArtInputException e)
        {
            logger.LogInformation("{Platform}:{User}: upload refused ({Reason})", user.Platform, user.UserId, e.Message);
            await messenger.SendTextAsync(from.ChatId, Texts.Get(user.Language, TextKey.Failed, Texts.Get(user.Language, "Input" + e.Error)), cancellationToken: ct);
            return null;
        }
        var owner = OwnerOf(from);
        var now = time.GetUtcNow();
        var stored = await images.StoredBytesAsync(owner, now - TimeSpan.FromDays(1), ct);
        if (stored + prepared.Sum(p => (long)p.Length) > options.Limits.StoredBytesPerDay)
        {
            logger.LogInformation("{Platform}:{User}: upload refused, {Owner} stored {Bytes} bytes today", user.Platform, user.UserId, owner, stored);
            await messenger.SendTextAsync(from.ChatId, Texts.Get(user.Language, TextKey.TooMuchStored), cancellationToken: ct);
            return null;
        }
        var ids = new List<string>();
        foreach (var upload in prepared) ids.Add(await images.PutAsync(upload, now, owner, ct));
        return ids;
    }

    /// <summary>Whose allowance an upload counts against: the user's, or on the web their network's (users cost nothing to make there).</summary>
    public static string OwnerOf(ChatUser from) => from.Network is { } network ? $"{from.Platform}-net:{network}" : UserProfile.KeyOf(from.Platform, from.UserId);

    /// <summary>Tells the user an upload could not be used (too big to fetch, not an image…).</summary>
    public async Task RejectUploadAsync(ChatUser from, IMessenger messenger, UploadRefusal refusal, CancellationToken cancellationToken = default)
    {
        var user = await UserAsync(from, cancellationToken);
        logger.LogInformation("{Platform}:{User}: upload refused ({Problem})", from.Platform, from.UserId, refusal.Problem);
        var reason = Texts.Get(user.Language, "Upload" + refusal.Problem, Math.Max(1, refusal.LimitBytes / (1024 * 1024)));
        await messenger.SendTextAsync(from.ChatId, Texts.Get(user.Language, TextKey.BadImage, reason), cancellationToken: cancellationToken);
    }

    private async Task<UserProfile> UserAsync(ChatUser from, CancellationToken cancellationToken)
    {
        var user = await users.FindAsync(from.Platform, from.UserId, cancellationToken)
                   ?? new UserProfile
                   {
                       Id = UserProfile.KeyOf(from.Platform, from.UserId), Platform = from.Platform, UserId = from.UserId,
                       // An admin may ban an id that never wrote.
                       Banned = await users.IsBannedAsync(from.Platform, from.UserId, cancellationToken),
                   };
        // Some updates carry no language (VK button presses): the last one known stands.
        if (!user.LanguageChosen && from.LanguageCode != null) user.Language = Texts.LanguageOf(from.LanguageCode);
        if (from.Network is { } network)
        {
            // A ban on the web can cover the network: a fresh cookie from it is the same person.
            user.Network = network;
            var (platform, id) = UserProfile.NetworkBan(from.Platform, network);
            if (await users.IsBannedAsync(platform, id, cancellationToken)) user.Banned = true;
        }
        return user;
    }

    private static bool IsDreamCaption(string? caption) =>
        caption is { Length: <= 32 } && caption.Trim().ToLowerInvariant() is "dream" or "сон" or "/dream";

    private async Task<string?> ButtonAsync(UserProfile user, ButtonPressed button, IMessenger messenger, CancellationToken ct)
    {
        string T(string key, params object[] args) => Texts.Get(user.Language, key, args);
        var pressed = await offers.FindAsync(user.Platform, user.UserId, button.Data, ct);
        // A tier is taken only once its price is covered, so a user short of credits can still pick another.
        if (pressed == null || (pressed.Offer is not TierOffer && !await offers.UseAsync(pressed, ct)))
        {
            // Altered, guessed, someone else's, stale or replayed: nothing happens, and the log says so.
            logger.LogInformation("{Platform}:{User}: button refused ({Data})", user.Platform, user.UserId, Printable(button.Data));
            return T(TextKey.UnknownButton);
        }
        switch (pressed.Offer)
        {
            case PresetOffer preset:
                await booking.BookAsync(user, button.From, messenger, JobKind.Preset, preset.Content, null, preset.PresetId, ct);
                return null;
            case AnimationOffer animate:
                await booking.RequestAsync(user, button.From, messenger, new JobRequest(JobKind.Animation, animate.Video, null, PresetId: animate.PresetId), ct);
                return null;
            case DreamOffer dream:
                user.Mode = ConversationMode.Idle;
                await booking.RequestAsync(user, button.From, messenger, new JobRequest(JobKind.Dream, dream.Content, null), ct);
                return null;
            case StyleNextOffer next:
                user.ContentImage = next.Content;
                user.Mode = ConversationMode.HasContent;
                await messenger.SendTextAsync(button.From.ChatId, T(TextKey.SendStyleNext), cancellationToken: ct);
                return null;
            case TierOffer:
                return await booking.TierChosenAsync(user, button.From, messenger, pressed, ct);
            case PackOffer pack:
                return await payments.OfferAsync(user, button, pack.PackId, messenger, ct);
            case SettingOffer setting when menus.Apply(user, setting):
                await messenger.SendTextAsync(button.From.ChatId, SettingsText(user), await menus.SettingsAsync(user, ct), ct);
                return T(TextKey.SettingsSaved);
            case BlendOffer blend when Menus.BlendShares.Contains(blend.Blend.FirstShare):
                await booking.RequestAsync(user, button.From, messenger, new JobRequest(JobKind.Stylize, blend.Content, blend.Style, Blend: blend.Blend), ct);
                return null;
            case CommandOffer command when BotCommands.Buttons.Contains(command.Command):
                // The press is the command typed: the same path, the same checks.
                await HandleCoreAsync(user, new CommandMessage(button.From, command.Command), messenger, ct);
                return null;
            case LikeOffer like:
                return await sharing.LikeAsync(user, like, ct);
            case ForgetOffer:
                user.Forgotten = await sharing.ForgetAsync(user, button.From.ChatId, messenger, ct);
                return null;
            case CancelOffer cancel:
                // The offer was made to this user for their own job: the menu's owner is checked by the book.
                await messenger.SendTextAsync(button.From.ChatId, await jobs.CancelAsync(user, ct, cancel.JobId), cancellationToken: ct);
                return null;
            case FollowUpOffer follow when await queue.GetAsync(follow.JobId, ct) is { } job && job.UserId == user.UserId && job.Platform == user.Platform:
                return await FollowUpAsync(user, button, job, follow.Action, messenger, ct);
            default:
                return T(TextKey.UnknownButton);
        }
    }

    private async Task<string?> FollowUpAsync(UserProfile user, ButtonPressed button, Job job, FollowUp action, IMessenger messenger, CancellationToken ct)
    {
        switch (action)
        {
            case FollowUp.Share or FollowUp.ShareWithPainting:
                return await sharing.ShareAsync(user, button.From.ChatId, job, action == FollowUp.ShareWithPainting, messenger, ct);
            case FollowUp.Unshare:
                return await sharing.UnshareAsync(user, button.From.ChatId, job, messenger, ct);
            // An animation from /history: the same choices, for a clip.
            case FollowUp.AnotherStyle when job.Kind == JobKind.Animation:
                await messenger.SendTextAsync(button.From.ChatId, Texts.Get(user.Language, TextKey.AnimationMenu, options.Free.AnimationSeconds, options.Free.AnimationSide),
                    await menus.AnimationAsync(user, job.ContentImage, ct), ct);
                return null;
            case FollowUp.SendAgain when job is { Kind: JobKind.Animation, ResultImage: { } clip }:
                await messenger.SendAnimationAsync(button.From.ChatId, await images.GetAsync(clip, ct),
                    Texts.Get(user.Language, TextKey.SentAgain, jobs.KindName(user.Language, job)), cancellationToken: ct);
                return null;
            case FollowUp.AnotherStyle:
                user.ContentImage = job.ContentImage;
                user.Mode = ConversationMode.HasContent;
                await messenger.SendTextAsync(button.From.ChatId, Texts.Get(user.Language, TextKey.PhotoMenu), await menus.PhotoAsync(user, job.ContentImage, ct), ct);
                return null;
            case FollowUp.AddPainting when job is { Kind: JobKind.Stylize, StyleImage: { } painting }:
                user.ContentImage = job.ContentImage;
                user.StyleImage = painting;
                user.Mode = ConversationMode.AwaitingSecondPainting;
                await messenger.SendTextAsync(button.From.ChatId, Texts.Get(user.Language, TextKey.SendSecondPainting), cancellationToken: ct);
                return null;
            case FollowUp.SendAgain when job.ResultImage is { } result:
                await messenger.SendImageAsync(button.From.ChatId, await images.GetAsync(result, ct),
                    Texts.Get(user.Language, TextKey.SentAgain, jobs.KindName(user.Language, job)), await menus.ResultAsync(job, ct), cancellationToken: ct);
                return null;
            case FollowUp.DreamThis when job is { ResultImage: { } result, Kind: not JobKind.Animation }:
                await booking.RequestAsync(user, button.From, messenger, new JobRequest(JobKind.Dream, result, null), ct);
                return null;
            case FollowUp.Stronger when job.ResultImage is { } result:
                // Stronger: a preset applied again to its own result, a Gatys transfer with twice
                // the style weight, a dream with twice the steps.
                if (job.Kind == JobKind.Preset)
                {
                    await booking.BookAsync(user, button.From, messenger, JobKind.Preset, result, null, job.PresetId, ct);
                    return null;
                }
                if (job.Kind is JobKind.Gallery or JobKind.Animation) return Texts.Get(user.Language, TextKey.UnknownButton);
                await booking.RequestAsync(user, button.From, messenger, new JobRequest(job.Kind, job.ContentImage, job.StyleImage,
                    Math.Min(job.StyleStrength * 2, Booking.MaxStyleStrength), job.Kind == JobKind.Dream ? (job.Iterations ?? options.DreamSteps) * 2 : null,
                    job.SecondStyleImage is { } second ? new StyleBlend(second, job.StyleShare) : null), ct);
                return null;
            default:
                return Texts.Get(user.Language, TextKey.UnknownButton);
        }
    }

    private async Task BlendMenuAsync(UserProfile user, long chat, IMessenger messenger, string content, string style, string secondStyle, CancellationToken ct) =>
        await messenger.SendTextAsync(chat, Texts.Get(user.Language, TextKey.BlendMenu), await menus.BlendAsync(user, content, style, secondStyle, ct), ct);

    private string SettingsText(UserProfile user)
    {
        var strength = user.Strength switch { StyleStrength.Low => TextKey.StrengthLow, StyleStrength.High => TextKey.StrengthHigh, _ => TextKey.StrengthMedium };
        return Texts.Get(user.Language, TextKey.Settings, booking.SideFor(user, Tier.Free), options.Free.MaxSide,
            Texts.Get(user.Language, user.KeepColors ? TextKey.On : TextKey.Off), Texts.Get(user.Language, strength));
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

    /// <summary>Client data for a log line: short, and nothing that could forge a line.</summary>
    private static string Printable(string data) =>
        new(data.Take(40).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
