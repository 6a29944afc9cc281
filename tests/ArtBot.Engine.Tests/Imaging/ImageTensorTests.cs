using ArtBot.Engine.Imaging;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Tests.Imaging;

public sealed class ImageTensorTests
{
    // The glibc++ shim must be in place before the first TorchSharp call.
    public ImageTensorTests() => ArtBot.Engine.Native.TorchNative.EnsureLoaded();

    private static SKBitmap Noise(int width, int height, int seed, int rowBytes = 0)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var bitmap = rowBytes == 0 ? new SKBitmap(info) : new SKBitmap(info, rowBytes);
        var random = new Random(seed);
        var pixels = bitmap.GetPixelSpan();
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var i = y * bitmap.RowBytes + x * 4;
                pixels[i] = (byte)random.Next(256);
                pixels[i + 1] = (byte)random.Next(256);
                pixels[i + 2] = (byte)random.Next(256);
                pixels[i + 3] = 255;
            }
        bitmap.NotifyPixelsChanged();
        return bitmap;
    }

    [Fact]
    public void ToTensor_gives_batched_rgb_planes_in_unit_range()
    {
        using var scope = NewDisposeScope();
        using var bitmap = Noise(7, 5, seed: 1);

        var t = ImageTensor.ToTensor(bitmap);

        Assert.Equal(new long[] { 1, 3, 5, 7 }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.InRange(t.min().item<float>(), 0f, 1f);
        Assert.InRange(t.max().item<float>(), 0f, 1f);
        // Channel order and layout: pixel (x=4, y=2) lands at [0, c, 2, 4].
        var c = bitmap.GetPixel(4, 2);
        Assert.Equal(c.Red / 255f, t[0, 0, 2, 4].item<float>(), 1e-6f);
        Assert.Equal(c.Green / 255f, t[0, 1, 2, 4].item<float>(), 1e-6f);
        Assert.Equal(c.Blue / 255f, t[0, 2, 2, 4].item<float>(), 1e-6f);
    }

    [Fact]
    public void Round_trip_through_a_tensor_keeps_every_pixel()
    {
        using var scope = NewDisposeScope();
        using var original = Noise(33, 17, seed: 2);

        using var back = ImageTensor.ToBitmap(ImageTensor.ToTensor(original));

        Assert.Equal((33, 17), (back.Width, back.Height));
        Assert.Equal(SKColorType.Rgba8888, back.ColorType);
        for (var y = 0; y < 17; y++)
            for (var x = 0; x < 33; x++)
            {
                SKColor a = original.GetPixel(x, y), b = back.GetPixel(x, y);
                Assert.InRange(Math.Abs(a.Red - b.Red), 0, 1);
                Assert.InRange(Math.Abs(a.Green - b.Green), 0, 1);
                Assert.InRange(Math.Abs(a.Blue - b.Blue), 0, 1);
                Assert.Equal(255, b.Alpha);
            }
    }

    [Fact]
    public void Padded_rows_are_read_correctly()
    {
        using var scope = NewDisposeScope();
        using var padded = Noise(5, 4, seed: 3, rowBytes: 5 * 4 + 12);
        Assert.Equal(32, padded.RowBytes);

        var t = ImageTensor.ToTensor(padded);

        var c = padded.GetPixel(4, 3);
        Assert.Equal(c.Blue / 255f, t[0, 2, 3, 4].item<float>(), 1e-6f);
        using var back = ImageTensor.ToBitmap(t);
        Assert.Equal(c, back.GetPixel(4, 3));
    }

    [Fact]
    public void Network_output_out_of_range_is_clamped_and_rounded_not_wrapped()
    {
        using var scope = NewDisposeScope();
        // [3,H,W] without the batch dimension, as some networks return it.
        var t = zeros(3, 1, 4);
        t[0, 0, 0] = tensor(-0.5f);          // below 0 -> 0, not 128 (wrap-around)
        t[0, 0, 1] = tensor(1.7f);           // above 1 -> 255
        t[0, 0, 2] = tensor(0.5f);           // 127.5 -> 128 (rounded, not truncated)
        t[0, 0, 3] = tensor(float.NaN);      // a diverged pixel -> black, not noise

        using var bitmap = ImageTensor.ToBitmap(t);

        Assert.Equal((4, 1), (bitmap.Width, bitmap.Height));
        Assert.Equal(new byte[] { 0, 255, 128, 0 }, Enumerable.Range(0, 4).Select(x => bitmap.GetPixel(x, 0).Red).ToArray());
    }

    [Fact]
    public void Wrong_shapes_are_refused()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => ImageTensor.ToBitmap(zeros(1, 4, 8, 8)));
        Assert.Throws<ArgumentException>(() => ImageTensor.ToBitmap(zeros(2, 3, 8, 8)));
        Assert.Throws<ArgumentException>(() => ImageTensor.ToBitmap(zeros(8, 8)));
    }

    [Fact]
    public void Decoded_photo_becomes_a_tensor_of_the_same_size()
    {
        using var scope = NewDisposeScope();
        using var photo = ImageCodec.Decode(TestPaths.Content("tubingen.jpg"), 40_000_000);

        var t = ImageTensor.ToTensor(photo, CPU);

        Assert.Equal(new long[] { 1, 3, 768, 1024 }, t.shape);
        // A real photo is neither black nor blown out on average.
        Assert.InRange(t.mean().item<float>(), 0.1f, 0.9f);
    }
}
