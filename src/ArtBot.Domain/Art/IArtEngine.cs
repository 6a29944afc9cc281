namespace ArtBot.Domain.Art;

public enum ImageFormat { Jpeg, Png }

/// <summary>Fast feed-forward stylization with a preset network.</summary>
/// <param name="MaxSide">Long side of the output; null keeps the photo's size up to the engine's limit.</param>
public sealed record PresetRequest(byte[] Image, string PresetId, int? MaxSide = null, ImageFormat Format = ImageFormat.Jpeg);

/// <summary>Gatys et al. optimisation: the content photo painted in the style photo.</summary>
/// <param name="StyleStrength">Multiplies the engine's default style weight (1 = default).</param>
/// <param name="SecondStyle">A second painting to blend with the first.</param>
/// <param name="Blend">The first painting's share of the style when there is a second (0..1).</param>
public sealed record StylizeRequest(
    byte[] Content,
    byte[] Style,
    int? Size = null,
    int? Iterations = null,
    bool PreserveColors = false,
    double StyleStrength = 1.0,
    ImageFormat Format = ImageFormat.Jpeg,
    byte[]? SecondStyle = null,
    double Blend = 1.0);

/// <summary>A preset over an animation or a short video: at most <paramref name="MaxSeconds"/> of it, at <paramref name="Fps"/>, long side at most <paramref name="MaxSide"/>.</summary>
/// <param name="Smoothing">How much a still pixel keeps of its last painted colour (0: none; against flicker).</param>
public sealed record AnimationRequest(byte[] Video, string PresetId, int MaxSide = 360, double MaxSeconds = 3, int Fps = 12, double Smoothing = 0.6);

/// <summary>An animation as H.264 in MP4.</summary>
public sealed record AnimationResult(byte[] Video, int Width, int Height, int Frames, int Fps, TimeSpan Elapsed, string Description);

/// <summary>DeepDream of a photo.</summary>
public sealed record DreamRequest(byte[] Image, int? Size = null, int? Steps = null, ImageFormat Format = ImageFormat.Jpeg);

/// <summary>One photo in every preset, as a captioned contact sheet.</summary>
public sealed record GalleryRequest(byte[] Image, int TileSide = 256, Language Language = Language.En, ImageFormat Format = ImageFormat.Jpeg);

/// <summary>Where a long rendering stands.</summary>
/// <param name="Snapshot">The picture as it stands, as a small JPEG (long side ≤ 512): call it only during the report, and sparingly (it waits for the device).</param>
/// <param name="Work">The share of the whole render's work done (pixels × iterations over its scales), where the algorithm knows it.</param>
public sealed record RenderProgress(string Stage, int Step, int TotalSteps, TimeSpan Elapsed, TimeSpan? Eta, double? Loss = null, Func<byte[]>? Snapshot = null, double? Work = null)
{
    /// <summary>How far along it is: the work share where known (a coarse step costs a fraction of a fine one), else the steps.</summary>
    public double Fraction => Work is { } work && double.IsFinite(work) ? Math.Clamp(work, 0, 1) : TotalSteps <= 0 ? 0 : Math.Clamp((double)Step / TotalSteps, 0, 1);
}

/// <summary>A finished (or, when <see cref="Cancelled"/>, best-so-far) image.</summary>
public sealed record ArtResult(byte[] Image, ImageFormat Format, int Width, int Height, TimeSpan Elapsed, string Description, bool Cancelled = false);

public sealed record Prediction(int Index, string Label, float Logit);

/// <summary>The neural engine as the rest of ArtBot sees it: encoded images in, encoded images out.</summary>
public interface IArtEngine
{
    PresetCatalog Presets { get; }

    /// <summary>A preset over every frame of an animation or a short video, as H.264 MP4.</summary>
    Task<AnimationResult> AnimateAsync(AnimationRequest request, CancellationToken cancellationToken = default);

    Task<ArtResult> PresetAsync(PresetRequest request, CancellationToken cancellationToken = default);

    Task<ArtResult> StylizeAsync(StylizeRequest request, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default);

    Task<ArtResult> DreamAsync(DreamRequest request, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default);

    Task<ArtResult> GalleryAsync(GalleryRequest request, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Prediction>> ClassifyAsync(byte[] image, int top = 5, CancellationToken cancellationToken = default);
}

/// <summary>Uploads as the bot keeps them, checked and brought to the size jobs use before anything is stored.</summary>
public interface IUploadIntake
{
    /// <exception cref="ArtInputException">It is not a picture the bot can use (empty, not an image, damaged, too many pixels).</exception>
    Task<byte[]> PhotoAsync(byte[] upload, CancellationToken cancellationToken = default);

    /// <summary>A small JPEG of a picture the bot made, <paramref name="side"/> pixels on its long side at most.</summary>
    Task<byte[]> ThumbnailAsync(byte[] picture, int side, CancellationToken cancellationToken = default);
}
