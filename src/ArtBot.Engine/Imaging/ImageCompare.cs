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
        double sum = 0;
        for (var y = 0; y < first.Height; y++)
            for (var x = 0; x < first.Width; x++)
            {
                var (p, q) = (first.GetPixel(x, y), second.GetPixel(x, y));
                sum += Square(p.Red - q.Red) + Square(p.Green - q.Green) + Square(p.Blue - q.Blue);
            }
        var mse = sum / (3.0 * first.Width * first.Height);
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    private static double Square(int d) => (double)d * d;
}
