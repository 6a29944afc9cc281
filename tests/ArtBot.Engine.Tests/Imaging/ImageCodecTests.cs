using System.Diagnostics;
using ArtBot.Domain.Art;
using ArtBot.Engine.Imaging;
using SkiaSharp;
using static ArtBot.Engine.Tests.Imaging.ImagingFixtures;

namespace ArtBot.Engine.Tests.Imaging;

public sealed class ImageCodecTests
{
    private const long Limit = 40_000_000;

    [Fact]
    public void Decodes_the_real_tubingen_photo_upright_and_opaque()
    {
        using var bitmap = ImageCodec.Decode(TestPaths.Content("tubingen.jpg"), Limit);

        Assert.Equal(1024, bitmap.Width);
        Assert.Equal(768, bitmap.Height);
        Assert.Equal(SKColorType.Rgba8888, bitmap.ColorType);

        // A real photo: many distinct colours, every pixel opaque.
        var colours = new HashSet<uint>();
        for (var y = 0; y < bitmap.Height; y += 7)
            for (var x = 0; x < bitmap.Width; x += 7)
            {
                var c = bitmap.GetPixel(x, y);
                Assert.Equal(255, c.Alpha);
                colours.Add((uint)c);
            }
        Assert.True(colours.Count > 1000, $"only {colours.Count} distinct colours in a photo");
    }

    [Fact]
    public void Empty_upload_is_reported_as_empty()
    {
        var e = Assert.Throws<ArtInputException>(() => ImageCodec.Decode([], Limit));
        Assert.Equal(ArtInputError.Empty, e.Error);
    }

    [Theory]
    [InlineData("hello, this is a text file, not a photo\n")]
    [InlineData("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")]
    public void Text_is_not_an_image(string text)
    {
        var e = Assert.Throws<ArtInputException>(() => ImageCodec.Decode(System.Text.Encoding.UTF8.GetBytes(text), Limit));
        Assert.Equal(ArtInputError.NotAnImage, e.Error);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Random_bytes_are_not_an_image()
    {
        var noise = new byte[4096];
        new Random(42).NextBytes(noise);
        var e = Assert.Throws<ArtInputException>(() => ImageCodec.Decode(noise, Limit));
        Assert.Equal(ArtInputError.NotAnImage, e.Error);
    }

    [Fact]
    public void Gif_is_refused_even_though_skia_could_read_it()
    {
        var gif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");
        var e = Assert.Throws<ArtInputException>(() => ImageCodec.Decode(gif, Limit));
        Assert.Equal(ArtInputError.NotAnImage, e.Error);
    }

    [Fact]
    public void Truncated_jpeg_is_reported_as_corrupt()
    {
        var whole = File.ReadAllBytes(TestPaths.Content("tubingen.jpg"));
        var half = whole[..(whole.Length / 2)];

        var e = Assert.Throws<ArtInputException>(() => ImageCodec.Decode(half, Limit));
        Assert.Equal(ArtInputError.Corrupt, e.Error);
        Assert.Equal("the image data is damaged or truncated", e.Message);
    }

    [Fact]
    public void Decompression_bomb_is_refused_from_its_header_without_decoding()
    {
        var bomb = PngClaiming(30_000, 30_000);
        Assert.True(bomb.Length < 1000, "the fixture itself must stay tiny");

        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ArtInputException>(() => ImageCodec.Decode(bomb, Limit));
        clock.Stop();

        // Corrupt would mean the codec tried (and allocated 3.6 GB) before failing on the missing data.
        Assert.Equal(ArtInputError.TooLarge, e.Error);
        Assert.Equal("image is 30000×30000 (900.0 MP); the limit is 40.0 MP", e.Message);
        Assert.True(clock.ElapsedMilliseconds < 2000, $"took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Image_at_the_limit_is_accepted()
    {
        using var small = Quadrants(10, 8);
        using var bitmap = ImageCodec.Decode(EncodePng(small), maxPixels: 80);
        Assert.Equal((10, 8), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "artbot-no-such-file-" + Guid.NewGuid() + ".jpg");
        var e = Assert.Throws<ArtInputException>(() => ImageCodec.Decode(path, Limit));
        Assert.Equal(ArtInputError.NotAnImage, e.Error);
        Assert.Equal("file not found: " + path, e.Message);
    }

    [Fact]
    public void Exif_orientation_6_turns_a_sideways_photo_upright()
    {
        // Stored 40×20 with a red left half; orientation 6 means "rotate 90° clockwise to view".
        using var stored = Opaque(40, 20);
        stored.Erase(Blue);
        stored.Erase(Red, new SKRectI(0, 0, 20, 20));
        var jpeg = WithExifOrientation(EncodeJpeg(stored), 6);

        using var upright = ImageCodec.Decode(jpeg, Limit);

        Assert.Equal((20, 40), (upright.Width, upright.Height));
        Assert.Equal("red", Nearest(upright.GetPixel(10, 5)));
        Assert.Equal("red", Nearest(upright.GetPixel(10, 14)));
        Assert.Equal("blue", Nearest(upright.GetPixel(10, 25)));
        Assert.Equal("blue", Nearest(upright.GetPixel(10, 35)));
    }

    // Expected colours of the displayed quadrants (top-left, top-right, bottom-left, bottom-right)
    // for a stored image whose quadrants are red, green / blue, yellow, per the EXIF definitions.
    [Theory]
    [InlineData(1, false, "red", "green", "blue", "yellow")]
    [InlineData(2, false, "green", "red", "yellow", "blue")]   // mirrored horizontally
    [InlineData(3, false, "yellow", "blue", "green", "red")]   // rotated 180°
    [InlineData(4, false, "blue", "yellow", "red", "green")]   // mirrored vertically
    [InlineData(5, true, "red", "blue", "green", "yellow")]    // transposed
    [InlineData(6, true, "blue", "red", "yellow", "green")]    // rotated 90° clockwise
    [InlineData(7, true, "yellow", "green", "blue", "red")]    // transversed
    [InlineData(8, true, "green", "yellow", "red", "blue")]    // rotated 90° counter-clockwise
    public void Every_exif_orientation_is_applied(int orientation, bool swapsSides, string topLeft, string topRight, string bottomLeft, string bottomRight)
    {
        using var stored = Quadrants(64, 32);
        var jpeg = WithExifOrientation(EncodeJpeg(stored), (ushort)orientation);

        using var shown = ImageCodec.Decode(jpeg, Limit);

        Assert.Equal(swapsSides ? (32, 64) : (64, 32), (shown.Width, shown.Height));
        int w = shown.Width, h = shown.Height;
        var actual = (
            Nearest(shown.GetPixel(w / 4, h / 4)),
            Nearest(shown.GetPixel(3 * w / 4, h / 4)),
            Nearest(shown.GetPixel(w / 4, 3 * h / 4)),
            Nearest(shown.GetPixel(3 * w / 4, 3 * h / 4)));
        Assert.Equal((topLeft, topRight, bottomLeft, bottomRight), actual);
    }

    [Fact]
    public void Transparent_png_is_shown_on_white_not_black()
    {
        using var rgba = new SKBitmap(new SKImageInfo(20, 10, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        rgba.Erase(SKColors.Transparent);
        rgba.Erase(Red, new SKRectI(0, 0, 10, 10));
        byte[] png;
        using (var data = rgba.Encode(SKEncodedImageFormat.Png, 100)) png = data.ToArray();

        using var decoded = ImageCodec.Decode(png, Limit);

        Assert.Equal(Red, decoded.GetPixel(5, 5));
        Assert.Equal(SKColors.White, decoded.GetPixel(15, 5));
    }

    [Fact]
    public void Webp_is_accepted()
    {
        using var stored = Quadrants(30, 20);
        byte[] webp;
        using (var data = stored.Encode(SKEncodedImageFormat.Webp, 100)) webp = data.ToArray();

        using var decoded = ImageCodec.Decode(webp, Limit);

        Assert.Equal((30, 20), (decoded.Width, decoded.Height));
        Assert.Equal("green", Nearest(decoded.GetPixel(25, 3)));
    }

    [Fact]
    public void ResizeToLongSide_keeps_aspect_and_sets_the_long_side()
    {
        using var photo = ImageCodec.Decode(TestPaths.Content("tubingen.jpg"), Limit);

        using var landscape = ImageCodec.ResizeToLongSide(photo, 512);
        Assert.Equal((512, 384), (landscape.Width, landscape.Height));

        using var portraitSource = Opaque(300, 1000);
        using var portrait = ImageCodec.ResizeToLongSide(portraitSource, 333);
        Assert.Equal((100, 333), (portrait.Width, portrait.Height));

        using var sliver = Opaque(1000, 2);
        using var thin = ImageCodec.ResizeToLongSide(sliver, 100);
        Assert.Equal((100, 1), (thin.Width, thin.Height));
    }

    [Fact]
    public void ResizeToLongSide_does_not_upscale_unless_asked_and_always_returns_a_copy()
    {
        using var small = Quadrants(300, 100);

        using var kept = ImageCodec.ResizeToLongSide(small, 1000);
        Assert.Equal((300, 100), (kept.Width, kept.Height));
        Assert.NotSame(small, kept);
        Assert.NotEqual(small.GetPixels(), kept.GetPixels());
        Assert.Equal(small.GetPixel(10, 10), kept.GetPixel(10, 10));

        using var upscaled = ImageCodec.ResizeToLongSide(small, 1000, allowUpscale: true);
        Assert.Equal((1000, 333), (upscaled.Width, upscaled.Height));
    }

    [Fact]
    public void Large_reduction_averages_fine_detail_instead_of_aliasing()
    {
        // A one-pixel checkerboard: naive sampling at 1/8 picks all-black or all-white pixels (moiré).
        using var checker = Opaque(512, 512);
        var pixels = checker.GetPixelSpan();
        for (var y = 0; y < 512; y++)
            for (var x = 0; x < 512; x++)
            {
                var v = (byte)(((x + y) & 1) == 0 ? 0 : 255);
                var i = y * checker.RowBytes + x * 4;
                pixels[i] = pixels[i + 1] = pixels[i + 2] = v;
                pixels[i + 3] = 255;
            }
        checker.NotifyPixelsChanged();

        using var small = ImageCodec.Resize(checker, 64, 64);

        Assert.Equal((64, 64), (small.Width, small.Height));
        for (var y = 0; y < 64; y += 3)
            for (var x = 0; x < 64; x += 3)
                Assert.InRange(small.GetPixel(x, y).Red, 100, 155);
    }

    [Theory]
    [InlineData(ImageFormat.Png)]
    [InlineData(ImageFormat.Jpeg)]
    public void Encoded_output_decodes_back_to_the_same_size(ImageFormat format)
    {
        using var image = Quadrants(64, 48);

        var bytes = ImageCodec.Encode(image, format);
        using var back = ImageCodec.Decode(bytes, Limit);

        byte[] magic = format == ImageFormat.Png ? [0x89, (byte)'P', (byte)'N', (byte)'G'] : [0xFF, 0xD8, 0xFF];
        Assert.Equal(magic, bytes[..magic.Length]);
        Assert.Equal((64, 48), (back.Width, back.Height));
        Assert.Equal("yellow", Nearest(back.GetPixel(48, 36)));
        if (format == ImageFormat.Png)
            Assert.Equal(image.GetPixel(48, 36), back.GetPixel(48, 36));
    }

    [Fact]
    public void Jpeg_quality_trades_size_for_fidelity()
    {
        using var photo = ImageCodec.Decode(TestPaths.Content("tubingen.jpg"), Limit);
        Assert.True(ImageCodec.Encode(photo, ImageFormat.Jpeg, 40).Length < ImageCodec.Encode(photo, ImageFormat.Jpeg, 95).Length);
    }

    [Theory]
    [InlineData("out.png", ImageFormat.Png)]
    [InlineData("/tmp/Out.PNG", ImageFormat.Png)]
    [InlineData("art.jpg", ImageFormat.Jpeg)]
    [InlineData("dir.v2/art.JPEG", ImageFormat.Jpeg)]
    public void FormatForPath_follows_the_extension(string path, ImageFormat expected) =>
        Assert.Equal(expected, ImageCodec.FormatForPath(path));

    [Theory]
    [InlineData("out.webp")]
    [InlineData("out")]
    [InlineData("out.png.txt")]
    [InlineData("")]
    public void FormatForPath_refuses_other_extensions(string path)
    {
        var e = Assert.Throws<ArgumentException>(() => ImageCodec.FormatForPath(path));
        Assert.Equal("output must end in .jpg, .jpeg or .png", e.Message);
    }
}
