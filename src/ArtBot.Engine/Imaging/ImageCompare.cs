using SkiaSharp;

namespace ArtBot.Engine.Imaging;

/// <summary>How far apart two renderings of one picture are, as a viewer would judge the files.</summary>
public static class ImageCompare
{
    /// <summary>
    /// Peak signal-to-noise ratio in dB over the RGB bytes of two encoded images of one size
    /// (PNG for a fair figure: JPEG adds its own noise); infinity when they are identical.
    /// </summary>
    public static double Psnr(byte[] a, byte[] b)
    {
        using var first = SKBitmap.Decode(a) ?? throw new ArgumentException("the first image could not be decoded", nameof(a));
        using var second = SKBitmap.Decode(b) ?? throw new ArgumentException("the second image could not be decoded", nameof(b));
        if (first.Width != second.Width || first.Height != second.Height)
            throw new ArgumentException($"sizes differ: {first.Width}x{first.Height} and {second.Width}x{second.Height}");
        // One layout for both, read as bytes: GetPixel per pixel takes seconds on a 2048 px picture.
        using var a8 = first.Copy(SKColorType.Rgba8888);
        using var b8 = second.Copy(SKColorType.Rgba8888);
        var pa = a8.GetPixelSpan();
        var pb = b8.GetPixelSpan();
        double sum = 0;
        for (var y = 0; y < a8.Height; y++)
        {
            var ra = pa.Slice(y * a8.RowBytes, a8.Width * 4);
            var rb = pb.Slice(y * b8.RowBytes, b8.Width * 4);
            for (var i = 0; i < ra.Length; i += 4)
                for (var c = 0; c < 3; c++)
                {
                    double d = ra[i + c] - rb[i + c];
                    sum += d * d;
                }
        }
        var mse = sum / (3.0 * first.Width * first.Height);
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }
}
