using System.Globalization;
using ArtBot.Domain.Art;
using SkiaSharp;

namespace ArtBot.Engine.Imaging;

/// <summary>
/// The engine's only door between encoded files and pixels. Everything a user uploads passes
/// through <see cref="Decode(byte[], long)"/>, so every failure there is an
/// <see cref="ArtInputException"/> with a one-line message, never a crash.
/// </summary>
public static class ImageCodec
{
    // Mitchell-Netravali is the usual compromise between ringing (Catmull-Rom) and blur (B-spline).
    private static readonly SKSamplingOptions Cubic = new(SKCubicResampler.Mitchell);

    // Trilinear mipmaps average whole pixel blocks; a cubic kernel alone skips pixels and aliases
    // once the reduction passes 2x.
    private static readonly SKSamplingOptions Mipmapped = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    // Rotations and flips move whole pixels, so nearest sampling keeps them exact.
    private static readonly SKSamplingOptions Exact = new(SKFilterMode.Nearest, SKMipmapMode.None);

    /// <summary>Decodes a JPEG, PNG or WebP into an upright, opaque RGBA8888 bitmap.</summary>
    /// <param name="maxPixels">Refused before any pixel memory is allocated, so a decompression bomb costs nothing.</param>
    /// <exception cref="ArtInputException">The data is empty, not a supported image, too large or damaged.</exception>
    public static SKBitmap Decode(byte[] data, long maxPixels) => Decode(data, maxPixels, fit: null);

    /// <summary>
    /// Decodes an upload to keep: at most <paramref name="longSide"/> on its long side. A large JPEG
    /// is decoded already scaled down (its DCT scaling), so a 48 MP photo costs a few MB of pixels, not 190.
    /// </summary>
    /// <exception cref="ArtInputException">As <see cref="Decode(byte[], long)"/>.</exception>
    public static SKBitmap DecodeToFit(byte[] data, long maxPixels, int longSide)
    {
        using var decoded = Decode(data, maxPixels, longSide);
        return ResizeToLongSide(decoded, Math.Min(longSide, Math.Max(decoded.Width, decoded.Height)));
    }

    private static SKBitmap Decode(byte[] data, long maxPixels, int? fit)
    {
        if (data is null || data.Length == 0)
            throw new ArtInputException(ArtInputError.Empty, "the file is empty");

        using var skData = SKData.CreateCopy(data);
        using var codec = SKCodec.Create(skData)
            ?? throw new ArtInputException(ArtInputError.NotAnImage, "not an image: expected JPEG, PNG or WebP");

        // GIF, BMP, ICO, HEIF... may decode, but nothing downstream promises to handle them well
        // (animation, palettes), so the accepted set is the one the bot advertises.
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png or SKEncodedImageFormat.Webp))
            throw new ArtInputException(ArtInputError.NotAnImage, "not an image: expected JPEG, PNG or WebP");

        var width = codec.Info.Width;
        var height = codec.Info.Height;
        if (width <= 0 || height <= 0)
            throw new ArtInputException(ArtInputError.Corrupt, "the image data is damaged or truncated");
        var pixels = (long)width * height;
        if (pixels > maxPixels)
            throw new ArtInputException(ArtInputError.TooLarge, string.Format(CultureInfo.InvariantCulture,
                "image is {0}×{1} ({2:0.0} MP); the limit is {3:0.0} MP", width, height, pixels / 1e6, maxPixels / 1e6));

        // Opaque sources decode straight into an opaque bitmap; the rest keep straight alpha so
        // compositing over white below sees the real colours.
        var opaque = codec.Info.AlphaType == SKAlphaType.Opaque;
        // sRGB target: phones tag photos with Display P3 and similar; converting here makes the
        // colours the network sees match what the user sees.
        // The smallest size the codec can decode to whose long side still covers the fit (JPEG: 1/8 steps).
        if (fit is { } side && Math.Max(width, height) > 2 * side)
            foreach (var scale in new[] { 0.125f, 0.25f, 0.5f })
            {
                var scaled = codec.GetScaledDimensions(scale);
                if (Math.Max(scaled.Width, scaled.Height) < side || scaled.Width >= width) continue;
                (width, height) = (scaled.Width, scaled.Height);
                break;
            }
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888,
            opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul, SKColorSpace.CreateSrgb());

        var decoded = new SKBitmap(info);
        try
        {
            var result = codec.GetPixels(info, decoded.GetPixels());
            if (result != SKCodecResult.Success)
                throw new ArtInputException(ArtInputError.Corrupt, "the image data is damaged or truncated");
            decoded.NotifyPixelsChanged();

            if (!opaque)
            {
                var flattened = FlattenOnWhite(decoded);
                decoded.Dispose();
                decoded = flattened;
            }

            if (codec.EncodedOrigin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default)
                return decoded;
            var upright = ApplyOrigin(decoded, codec.EncodedOrigin);
            decoded.Dispose();
            return upright;
        }
        catch
        {
            decoded.Dispose();
            throw;
        }
    }

    /// <summary>Reads and decodes a file; a missing file is reported like any other bad input.</summary>
    public static SKBitmap Decode(string path, long maxPixels)
    {
        if (!File.Exists(path))
            throw new ArtInputException(ArtInputError.NotAnImage, $"file not found: {path}");
        return Decode(File.ReadAllBytes(path), maxPixels);
    }

    /// <summary>
    /// Scales so the longer side is <paramref name="longSide"/>, keeping the aspect ratio.
    /// Always returns a new bitmap, even when nothing changes, so the caller owns and disposes it.
    /// </summary>
    public static SKBitmap ResizeToLongSide(SKBitmap source, int longSide, bool allowUpscale = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(longSide, 1);

        var currentLong = Math.Max(source.Width, source.Height);
        if (currentLong == longSide || (currentLong < longSide && !allowUpscale))
            return source.Copy() ?? throw new InvalidOperationException("could not copy the bitmap");

        var scale = (double)longSide / currentLong;
        var width = Math.Max(1, (int)Math.Round(source.Width * scale, MidpointRounding.AwayFromZero));
        var height = Math.Max(1, (int)Math.Round(source.Height * scale, MidpointRounding.AwayFromZero));
        return Resize(source, width, height);
    }

    /// <summary>Scales to exactly <paramref name="width"/>×<paramref name="height"/> (aspect not kept); always a new bitmap.</summary>
    public static SKBitmap Resize(SKBitmap source, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);

        if (width == source.Width && height == source.Height)
            return source.Copy() ?? throw new InvalidOperationException("could not copy the bitmap");

        // A big reduction goes through the mip chain to twice the target, then the cubic kernel
        // does the last step: smooth like area averaging, yet sharper than trilinear alone.
        var reduction = Math.Max((double)source.Width / width, (double)source.Height / height);
        if (reduction > 2)
        {
            using var halfway = ScaleInto(source, Math.Min(source.Width, width * 2), Math.Min(source.Height, height * 2), Mipmapped);
            return ScaleInto(halfway, width, height, Cubic);
        }
        return ScaleInto(source, width, height, Cubic);
    }

    /// <summary>Encodes for sending back to the user; <paramref name="quality"/> only matters for JPEG.</summary>
    public static byte[] Encode(SKBitmap bitmap, ImageFormat format, int quality = 92)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        var skFormat = format switch
        {
            ImageFormat.Jpeg => SKEncodedImageFormat.Jpeg,
            ImageFormat.Png => SKEncodedImageFormat.Png,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown image format"),
        };
        using var data = bitmap.Encode(skFormat, Math.Clamp(quality, 1, 100))
            ?? throw new InvalidOperationException($"could not encode a {bitmap.Width}×{bitmap.Height} {bitmap.ColorType} bitmap as {format}");
        return data.ToArray();
    }

    /// <summary>The output format a file name asks for.</summary>
    /// <exception cref="ArgumentException">The extension is neither JPEG nor PNG.</exception>
    public static ImageFormat FormatForPath(string path)
    {
        var extension = Path.GetExtension(path ?? "").ToLowerInvariant();
        return extension switch
        {
            ".png" => ImageFormat.Png,
            ".jpg" or ".jpeg" => ImageFormat.Jpeg,
            // No paramName: it would append "(Parameter 'path')" to a message the CLI shows as is.
            _ => throw new ArgumentException("output must end in .jpg, .jpeg or .png"),
        };
    }

    private static SKBitmap ScaleInto(SKBitmap source, int width, int height, SKSamplingOptions sampling)
    {
        var target = new SKBitmap(source.Info.WithSize(width, height));
        if (!source.ScalePixels(target, sampling))
        {
            target.Dispose();
            throw new InvalidOperationException($"could not scale {source.Width}×{source.Height} to {width}×{height}");
        }
        return target;
    }

    // The network has no use for alpha, and black behind transparent pixels (what dropping alpha
    // would give) looks like a bug to the user; white is what they saw in their chat client.
    private static SKBitmap FlattenOnWhite(SKBitmap source)
    {
        var target = new SKBitmap(source.Info.WithAlphaType(SKAlphaType.Opaque));
        using var canvas = new SKCanvas(target);
        canvas.Clear(SKColors.White);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, 0, 0, Exact);
        canvas.Flush();
        return target;
    }

    // Cameras store the sensor's pixels and a tag saying how to turn them; users expect the
    // photo the way their gallery shows it, so the tag is baked into the pixels here.
    private static SKBitmap ApplyOrigin(SKBitmap source, SKEncodedOrigin origin)
    {
        float w = source.Width, h = source.Height;
        // x' = ScaleX·x + SkewX·y + TransX, y' = SkewY·x + ScaleY·y + TransY, in continuous pixel coordinates.
        var (matrix, swap) = origin switch
        {
            SKEncodedOrigin.TopRight => (new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1), false),      // mirror horizontally
            SKEncodedOrigin.BottomRight => (new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1), false),  // rotate 180°
            SKEncodedOrigin.BottomLeft => (new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1), false),    // mirror vertically
            SKEncodedOrigin.LeftTop => (new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1), true),         // transpose
            SKEncodedOrigin.RightTop => (new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1), true),       // rotate 90° clockwise
            SKEncodedOrigin.RightBottom => (new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1), true),   // transverse
            SKEncodedOrigin.LeftBottom => (new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1), true),     // rotate 90° counter-clockwise
            _ => (SKMatrix.Identity, false),
        };

        var target = new SKBitmap(swap ? source.Info.WithSize(source.Height, source.Width) : source.Info);
        using var canvas = new SKCanvas(target);
        canvas.Clear(SKColors.White);
        canvas.SetMatrix(matrix);
        using var image = SKImage.FromBitmap(source);
        using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
        canvas.DrawImage(image, 0, 0, Exact, paint);
        canvas.Flush();
        return target;
    }
}
