using System.Globalization;
using SkiaSharp;

namespace ArtBot.Engine.Imaging;

/// <summary>A captioned grid of images: the gallery command's one-picture answer.</summary>
public static class ContactSheet
{
    private const int Gutter = 8;
    private const string Ellipsis = "…";

    private static readonly SKColor Background = SKColors.White;
    private static readonly SKColor CaptionBackground = new(0xF0, 0xF0, 0xF0);
    private static readonly SKColor CaptionText = new(0x20, 0x20, 0x20);

    // The NoDependencies native build has no fontconfig, so the default typeface may have no
    // glyphs at all; a font file on disk is the only dependable way to render Cyrillic captions.
    private static readonly Lazy<SKTypeface> Typeface = new(LoadTypeface);

    /// <summary>
    /// Lays the tiles out in a grid (by default ceil(√n) columns), each scaled to fit a square as
    /// large as the largest tile side and centred, with its caption in a strip underneath.
    /// </summary>
    public static SKBitmap Compose(IReadOnlyList<(SKBitmap Image, string Caption)> tiles, int? columns = null)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.Count == 0)
            throw new ArgumentException("a contact sheet needs at least one tile", nameof(tiles));
        if (columns is < 1)
            throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns must be at least 1");

        var count = tiles.Count;
        var cols = Math.Min(count, columns ?? (int)Math.Ceiling(Math.Sqrt(count)));
        var rows = (count + cols - 1) / cols;
        var cell = tiles.Max(t => Math.Max(t.Image.Width, t.Image.Height));

        var fontSize = Math.Clamp(cell / 14f, 12f, 28f);
        using var font = new SKFont(Typeface.Value, fontSize) { Edging = SKFontEdging.Antialias, Subpixel = true };
        var metrics = font.Metrics;
        var lineHeight = metrics.Descent - metrics.Ascent;
        var captionHeight = (int)Math.Ceiling(lineHeight * 1.6f);

        var width = cols * cell + (cols + 1) * Gutter;
        var height = rows * (cell + captionHeight) + (rows + 1) * Gutter;
        var sheet = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        try
        {
            using var canvas = new SKCanvas(sheet);
            canvas.Clear(Background);
            using var stripPaint = new SKPaint { Color = CaptionBackground, Style = SKPaintStyle.Fill };
            using var textPaint = new SKPaint { Color = CaptionText, IsAntialias = true };

            for (var i = 0; i < count; i++)
            {
                var (image, caption) = tiles[i];
                var left = Gutter + i % cols * (cell + Gutter);
                var top = Gutter + i / cols * (cell + captionHeight + Gutter);

                var scale = Math.Min((float)cell / image.Width, (float)cell / image.Height);
                float drawW = image.Width * scale, drawH = image.Height * scale;
                var dest = SKRect.Create(left + (cell - drawW) / 2, top + (cell - drawH) / 2, drawW, drawH);
                // Same quality rules as ImageCodec.Resize: mipmaps for big reductions, cubic otherwise.
                var sampling = scale < 0.5f
                    ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
                    : new SKSamplingOptions(SKCubicResampler.Mitchell);
                using (var tile = SKImage.FromBitmap(image))
                    canvas.DrawImage(tile, dest, sampling);

                var stripTop = top + cell;
                canvas.DrawRect(SKRect.Create(left, stripTop, cell, captionHeight), stripPaint);
                var text = Fit(caption ?? "", font, cell - 2 * Gutter);
                if (text.Length == 0) continue;
                var baseline = stripTop + (captionHeight - lineHeight) / 2 - metrics.Ascent;
                canvas.DrawText(text, left + cell / 2f, baseline, SKTextAlign.Center, font, textPaint);
            }
            canvas.Flush();
            return sheet;
        }
        catch
        {
            sheet.Dispose();
            throw;
        }
    }

    // Cuts by text elements, not chars, so a surrogate pair or combining accent is never split.
    private static string Fit(string text, SKFont font, float maxWidth)
    {
        if (font.MeasureText(text) <= maxWidth) return text;
        var boundaries = StringInfo.ParseCombiningCharacters(text);
        int lo = 0, hi = boundaries.Length - 1;
        // Largest number of text elements whose prefix plus the ellipsis still fits.
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (font.MeasureText(text[..boundaries[mid]].TrimEnd() + Ellipsis) <= maxWidth) lo = mid;
            else hi = mid - 1;
        }
        var prefix = lo == 0 ? "" : text[..boundaries[lo]].TrimEnd();
        return prefix + Ellipsis;
    }

    private static SKTypeface LoadTypeface()
    {
        SKTypeface? withoutCyrillic = null;
        foreach (var path in CandidateFonts())
        {
            try
            {
                if (!File.Exists(path)) continue;
                var typeface = SKTypeface.FromFile(path);
                if (typeface is null) continue;
                // Russian captions are the point; a Latin-only font is kept only as a last resort.
                using (var probe = new SKFont(typeface))
                    if (probe.ContainsGlyphs("Жж")) return typeface;
                if (withoutCyrillic is null) withoutCyrillic = typeface;
                else typeface.Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // An unreadable font is just one candidate fewer.
            }
        }
        return withoutCyrillic ?? SKTypeface.Default;
    }

    private static IEnumerable<string> CandidateFonts()
    {
        if (Environment.GetEnvironmentVariable("ARTBOT_FONT") is { Length: > 0 } configured)
            yield return configured;
        yield return "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
        yield return "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
        yield return "/usr/share/fonts/TTF/DejaVuSans.ttf";
        yield return "/usr/share/fonts/dejavu/DejaVuSans.ttf";

        string[] any;
        try
        {
            any = Directory.Exists("/usr/share/fonts")
                ? Directory.GetFiles("/usr/share/fonts", "*.ttf", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MatchCasing = MatchCasing.CaseInsensitive })
                : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            any = [];
        }
        // Sorted so the same machine always picks the same font.
        Array.Sort(any, StringComparer.Ordinal);
        foreach (var path in any) yield return path;
    }
}
