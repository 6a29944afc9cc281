using System.Runtime.InteropServices;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Imaging;

/// <summary>
/// Bitmaps to and from the networks' layout: float32 [1,3,H,W] RGB in 0..1. Both directions
/// move pixels in one bulk copy and let torch do the reshuffling, because per-pixel managed
/// loops (or per-element tensor indexing) take seconds on a 12 MP photo.
/// </summary>
public static class ImageTensor
{
    /// <summary>A new float32 [1,3,H,W] tensor with RGB in 0..1; alpha is dropped.</summary>
    public static Tensor ToTensor(SKBitmap bitmap, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(bitmap);

        // Other colour types (BGRA on some decoders) would silently swap red and blue.
        var converted = bitmap.ColorType == SKColorType.Rgba8888 ? null : bitmap.Copy(SKColorType.Rgba8888)
            ?? throw new InvalidOperationException($"could not convert a {bitmap.ColorType} bitmap to RGBA8888");
        try
        {
            var rgba = converted ?? bitmap;
            var bytes = PackedRgba(rgba);
            using var scope = NewDisposeScope();
            var packed = tensor(bytes, new long[] { rgba.Height, rgba.Width, 4 });
            // Ship uint8 to the device, not float32: a quarter of the transfer.
            if (device is not null && device.type != DeviceType.CPU)
                packed = packed.to(device);
            var image = packed.narrow(2, 0, 3).permute(2, 0, 1).unsqueeze(0).to_type(ScalarType.Float32) / 255;
            return image.MoveToOuterDisposeScope();
        }
        finally
        {
            converted?.Dispose();
        }
    }

    /// <summary>An opaque RGBA8888 bitmap from a [1,3,H,W] or [3,H,W] tensor on any device; values are clamped to 0..1.</summary>
    public static SKBitmap ToBitmap(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var shape = image.shape;
        var valid = (shape.Length == 4 && shape[0] == 1 && shape[1] == 3) || (shape.Length == 3 && shape[0] == 3);
        if (!valid)
            throw new ArgumentException($"expected an image tensor [1,3,H,W] or [3,H,W], got [{string.Join(",", shape)}]", nameof(image));
        var height = (int)shape[^2];
        var width = (int)shape[^1];

        byte[] bytes;
        using (NewDisposeScope())
        {
            var chw = shape.Length == 4 ? image.detach()[0] : image.detach();
            // A diverging optimisation can leave NaNs; as bytes they would be arbitrary noise.
            var scaled = chw.to_type(ScalarType.Float32).nan_to_num(0, 1, 0).clamp(0, 1) * 255 + 0.5;
            // Casting to uint8 truncates, so the +0.5 above makes it round to nearest.
            var rgb = scaled.to_type(ScalarType.Byte).permute(1, 2, 0);
            var alpha = full(height, width, 1, 255, ScalarType.Byte, rgb.device);
            var hwc = cat(new[] { rgb, alpha }, 2).contiguous().cpu();
            bytes = hwc.bytes.ToArray();
        }

        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rowBytes = width * 4;
        var pixels = bitmap.GetPixels();
        if (bitmap.RowBytes == rowBytes)
        {
            Marshal.Copy(bytes, 0, pixels, bytes.Length);
        }
        else
        {
            for (var y = 0; y < height; y++)
                Marshal.Copy(bytes, y * rowBytes, pixels + y * bitmap.RowBytes, rowBytes);
        }
        bitmap.NotifyPixelsChanged();
        return bitmap;
    }

    // Bitmaps may pad their rows; the tensor wants them packed.
    private static byte[] PackedRgba(SKBitmap bitmap)
    {
        var span = bitmap.GetPixelSpan();
        var rowBytes = bitmap.Width * 4;
        if (bitmap.RowBytes == rowBytes)
            return span[..(rowBytes * bitmap.Height)].ToArray();
        var packed = new byte[rowBytes * bitmap.Height];
        for (var y = 0; y < bitmap.Height; y++)
            span.Slice(y * bitmap.RowBytes, rowBytes).CopyTo(packed.AsSpan(y * rowBytes));
        return packed;
    }
}
