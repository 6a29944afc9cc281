using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace ArtBot.Engine.Tests.Imaging;

/// <summary>Small images built in memory, and the byte surgery the codec tests need.</summary>
internal static class ImagingFixtures
{
    public static readonly SKColor Red = new(230, 20, 20);
    public static readonly SKColor Green = new(20, 200, 40);
    public static readonly SKColor Blue = new(20, 40, 230);
    public static readonly SKColor Yellow = new(240, 230, 30);

    public static SKBitmap Opaque(int width, int height) =>
        new(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));

    /// <summary>Quadrants red (top-left), green (top-right), blue (bottom-left), yellow (bottom-right).</summary>
    public static SKBitmap Quadrants(int width, int height)
    {
        var bitmap = Opaque(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                bitmap.SetPixel(x, y, (x < width / 2, y < height / 2) switch
                {
                    (true, true) => Red,
                    (false, true) => Green,
                    (true, false) => Blue,
                    _ => Yellow,
                });
        return bitmap;
    }

    public static byte[] EncodeJpeg(SKBitmap bitmap, int quality = 100)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    public static byte[] EncodePng(SKBitmap bitmap)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Which of the four fixture colours a decoded (lossy) pixel is closest to.</summary>
    public static string Nearest(SKColor c)
    {
        (string Name, SKColor Color)[] palette = [("red", Red), ("green", Green), ("blue", Blue), ("yellow", Yellow), ("white", SKColors.White), ("black", SKColors.Black)];
        return palette.MinBy(p => Sq(p.Color.Red - c.Red) + Sq(p.Color.Green - c.Green) + Sq(p.Color.Blue - c.Blue)).Name;
        static int Sq(int v) => v * v;
    }

    /// <summary>
    /// Inserts an EXIF APP1 segment carrying only an Orientation tag right after SOI (and JFIF
    /// APP0 when present), the way a camera tags a photo it stored sideways.
    /// </summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        Assert.True(jpeg[0] == 0xFF && jpeg[1] == 0xD8, "not a JPEG");
        var insertAt = 2;
        if (jpeg[2] == 0xFF && jpeg[3] == 0xE0)
            insertAt = 4 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(4));

        var tiff = new byte[]
        {
            (byte)'M', (byte)'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF, IFD0 at 8
            0x00, 0x01,                                             // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,         // Orientation, SHORT, count 1
            (byte)(orientation >> 8), (byte)orientation, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,                                 // no next IFD
        };
        var payload = Encoding.ASCII.GetBytes("Exif\0\0").Concat(tiff).ToArray();
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);

        return [.. jpeg.AsSpan(0, insertAt), .. segment, .. jpeg.AsSpan(insertAt)];
    }

    /// <summary>
    /// A valid small PNG whose IHDR claims <paramref name="width"/>×<paramref name="height"/>:
    /// what a decompression bomb looks like to a decoder before it reads any pixel data.
    /// </summary>
    public static byte[] PngClaiming(int width, int height)
    {
        using var small = Opaque(4, 4);
        small.Erase(Red);
        var png = EncodePng(small);
        // Signature (8) + IHDR length (4) + "IHDR" (4): width and height follow, then 5 more bytes and the CRC.
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 4 + 13)));
        return png;
    }

    // PNG's CRC-32 (ISO 3309, reflected 0xEDB88320); System.IO.Hashing is not referenced here.
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
