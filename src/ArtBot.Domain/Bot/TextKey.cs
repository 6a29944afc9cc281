namespace ArtBot.Domain.Bot;

/// <summary>Names of the texts in Texts.resx / Texts.ru.resx.</summary>
public static class TextKey
{
    public const string Welcome = nameof(Welcome);
    public const string Help = nameof(Help);
    public const string PhotoMenu = nameof(PhotoMenu);
    public const string ButtonDream = nameof(ButtonDream);
    public const string ButtonStyleNext = nameof(ButtonStyleNext);
    public const string SendStyleNext = nameof(SendStyleNext);
    public const string SendDreamPhoto = nameof(SendDreamPhoto);
    public const string SendPhotoFirst = nameof(SendPhotoFirst);
    public const string Queued = nameof(Queued);
    public const string QueuedTonight = nameof(QueuedTonight);
    public const string TooManyHeavy = nameof(TooManyHeavy);
    public const string Progress = nameof(Progress);
    public const string Started = nameof(Started);
    public const string ResultPreset = nameof(ResultPreset);
    public const string ResultStylize = nameof(ResultStylize);
    public const string ResultDream = nameof(ResultDream);
    public const string GalleryCaption = nameof(GalleryCaption);
    public const string ButtonStronger = nameof(ButtonStronger);
    public const string ButtonAnotherPreset = nameof(ButtonAnotherPreset);
    public const string ButtonDreamThis = nameof(ButtonDreamThis);
    public const string Failed = nameof(Failed);
    public const string FailedForGood = nameof(FailedForGood);
    public const string Cancelled = nameof(Cancelled);
    public const string CancelledRunning = nameof(CancelledRunning);
    public const string NothingToCancel = nameof(NothingToCancel);
    public const string StatusNone = nameof(StatusNone);
    public const string StatusQueued = nameof(StatusQueued);
    public const string StatusHeld = nameof(StatusHeld);
    public const string StatusRunning = nameof(StatusRunning);
    public const string KindPreset = nameof(KindPreset);
    public const string KindStylize = nameof(KindStylize);
    public const string KindDream = nameof(KindDream);
    public const string KindGallery = nameof(KindGallery);
    public const string Settings = nameof(Settings);
    public const string On = nameof(On);
    public const string Off = nameof(Off);
    public const string StrengthLow = nameof(StrengthLow);
    public const string StrengthMedium = nameof(StrengthMedium);
    public const string StrengthHigh = nameof(StrengthHigh);
    public const string ButtonColors = nameof(ButtonColors);
    public const string ButtonLanguage = nameof(ButtonLanguage);
    public const string SettingsSaved = nameof(SettingsSaved);
    public const string UnknownCommand = nameof(UnknownCommand);
    public const string ExpectPhoto = nameof(ExpectPhoto);
    public const string Unsupported = nameof(Unsupported);
    public const string BadImage = nameof(BadImage);
    public const string ImageExpired = nameof(ImageExpired);
    public const string UnknownButton = nameof(UnknownButton);
}
