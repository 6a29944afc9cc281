using ArtBot.Engine.Imaging;
using SkiaSharp;
using static ArtBot.Engine.Tests.Imaging.ImagingFixtures;

namespace ArtBot.Engine.Tests.Imaging;

public sealed class ContactSheetTests
{
    private const int Gutter = 8;

    private static readonly string[] RussianCaptions =
    [
        "Звёздная ночь", "Крик", "Волна", "Удин", "Муза", "Кораблекрушение", "Дождь", "Сцена", "Ла Мюз",
    ];

    private static bool IsDark(SKColor c) => c.Red + c.Green + c.Blue < 3 * 110;

    private static int DarkPixels(SKBitmap bitmap, SKRectI area)
    {
        var count = 0;
        for (var y = area.Top; y < area.Bottom; y++)
            for (var x = area.Left; x < area.Right; x++)
                if (IsDark(bitmap.GetPixel(x, y))) count++;
        return count;
    }

    private static SKBitmap Tile(int width, int height, SKColor colour)
    {
        var bitmap = Opaque(width, height);
        bitmap.Erase(colour);
        return bitmap;
    }

    [Fact]
    public void Nine_tiles_make_a_3x3_grid_with_rendered_russian_captions()
    {
        SKColor[] colours = [Red, Green, Blue, Yellow];
        var bitmaps = Enumerable.Range(0, 9).Select(i => Tile(i == 4 ? 256 : 200, i == 7 ? 256 : 160, colours[i % 4])).ToList();
        try
        {
            using var sheet = ContactSheet.Compose(bitmaps.Select((b, i) => (b, RussianCaptions[i])).ToList());

            const int cell = 256;
            Assert.Equal(3 * cell + 4 * Gutter, sheet.Width);
            var rowHeight = (sheet.Height - 4 * Gutter) / 3.0;
            Assert.Equal(0, (sheet.Height - 4 * Gutter) % 3);
            var caption = (int)rowHeight - cell;
            Assert.InRange(caption, 12, 60);

            // Every caption strip holds text: dark pixels on the light strip.
            for (var i = 0; i < 9; i++)
            {
                var left = Gutter + i % 3 * (cell + Gutter);
                var top = Gutter + i / 3 * ((int)rowHeight + Gutter) + cell;
                var dark = DarkPixels(sheet, new SKRectI(left, top, left + cell, top + caption));
                Assert.True(dark > 20, $"caption {i} ({RussianCaptions[i]}) has only {dark} dark pixels");
            }
            // Corners and gutters stay white.
            Assert.Equal(SKColors.White, sheet.GetPixel(0, 0));
            Assert.Equal(SKColors.White, sheet.GetPixel(sheet.Width - 1, sheet.Height - 1));
        }
        finally
        {
            bitmaps.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public void Cyrillic_letters_render_as_distinct_glyphs_not_placeholder_boxes()
    {
        // A font without Cyrillic draws every letter as the same .notdef box, so two different
        // words of equal length would come out pixel-identical.
        using var tile = Tile(256, 256, Blue);
        using var a = ContactSheet.Compose([(tile, "Жук")]);
        using var b = ContactSheet.Compose([(tile, "Щит")]);

        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        var strip = new SKRectI(Gutter, Gutter + 256, Gutter + 256, a.Height - Gutter);
        var differing = 0;
        for (var y = strip.Top; y < strip.Bottom; y++)
            for (var x = strip.Left; x < strip.Right; x++)
                if (a.GetPixel(x, y) != b.GetPixel(x, y)) differing++;
        Assert.True(DarkPixels(a, strip) > 20, "no text rendered");
        Assert.True(differing > 20, $"only {differing} pixels differ between two different words");
    }

    [Fact]
    public void Tiles_are_scaled_to_the_cell_and_centred()
    {
        using var big = Tile(200, 200, Red);
        using var wide = Tile(100, 50, Blue);

        using var sheet = ContactSheet.Compose([(big, "A"), (wide, "B")], columns: 2);

        Assert.Equal(2 * 200 + 3 * Gutter, sheet.Width);
        var left = Gutter + 200 + Gutter;
        // The 100×50 tile is scaled up to 200×100 and centred vertically: white bands above and below.
        Assert.Equal(SKColors.White, sheet.GetPixel(left + 100, Gutter + 20));
        Assert.Equal("blue", Nearest(sheet.GetPixel(left + 100, Gutter + 100)));
        Assert.Equal("blue", Nearest(sheet.GetPixel(left + 5, Gutter + 60)));
        Assert.Equal(SKColors.White, sheet.GetPixel(left + 100, Gutter + 180));
        Assert.Equal("red", Nearest(sheet.GetPixel(Gutter + 100, Gutter + 100)));
    }

    [Fact]
    public void Long_captions_are_ellipsized_inside_their_cell()
    {
        using var a = Tile(120, 120, Green);
        using var b = Tile(120, 120, Yellow);
        var endless = string.Concat(Enumerable.Repeat("Очень длинная подпись ", 20));

        using var sheet = ContactSheet.Compose([(a, endless), (b, endless)], columns: 2);

        // Text that overflowed would spill over the gutters between and beside the cells.
        for (var y = Gutter + 120; y < sheet.Height - Gutter; y++)
        {
            foreach (var x in new[] { 0, 3, Gutter + 120 + 2, Gutter + 120 + 5, sheet.Width - 2 })
                Assert.Equal(SKColors.White, sheet.GetPixel(x, y));
        }
        Assert.True(DarkPixels(sheet, new SKRectI(Gutter, Gutter + 120, Gutter + 120, sheet.Height - Gutter)) > 20);
    }

    [Fact]
    public void Grid_shape_follows_the_tile_count_or_the_requested_columns()
    {
        var tiles = Enumerable.Range(0, 5).Select(_ => Tile(50, 50, Red)).ToList();
        try
        {
            var pairs = tiles.Select(t => (t, "x")).ToList();
            using var auto = ContactSheet.Compose(pairs);           // ceil(√5) = 3 columns, 2 rows
            using var single = ContactSheet.Compose(pairs, columns: 1);

            Assert.Equal(3 * 50 + 4 * Gutter, auto.Width);
            Assert.Equal(50 + 2 * Gutter, single.Width);
            var autoRow = (auto.Height - 3 * Gutter) / 2;
            var singleRow = (single.Height - 6 * Gutter) / 5;
            Assert.Equal(autoRow, singleRow);
        }
        finally
        {
            tiles.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public void No_tiles_is_an_argument_error() =>
        Assert.Throws<ArgumentException>(() => ContactSheet.Compose([]));
}
