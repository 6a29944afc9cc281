using System.Text.RegularExpressions;
using System.Xml.Linq;
using ArtBot.Domain.Art;
using ArtBot.Domain.Bot;

namespace ArtBot.Domain.Tests;

public sealed partial class TextsTests
{
    [Theory]
    [InlineData(1, "1 кредит"), InlineData(2, "2 кредита"), InlineData(4, "4 кредита"), InlineData(5, "5 кредитов")]
    [InlineData(11, "11 кредитов"), InlineData(12, "12 кредитов"), InlineData(14, "14 кредитов"), InlineData(21, "21 кредит")]
    [InlineData(22, "22 кредита"), InlineData(25, "25 кредитов"), InlineData(111, "111 кредитов"), InlineData(0, "0 кредитов")]
    public void Russian_counts_take_the_form_their_number_asks_for(long count, string expected)
    {
        Assert.Equal($"Выберите качество. Ваш баланс: {expected}.", Texts.Get(Language.Ru, TextKey.TierMenu, count));
    }

    [Fact]
    public void English_counts_are_singular_only_for_one()
    {
        Assert.Equal("Pick the quality. Your balance: 1 credit.", Texts.Get(Language.En, TextKey.TierMenu, 1));
        Assert.Equal("Pick the quality. Your balance: 25 credits.", Texts.Get(Language.En, TextKey.TierMenu, 25));
        Assert.Equal("Free · 600 px, 1 step", Texts.Get(Language.En, TextKey.ButtonTierFree, 600, 1));
        Assert.Equal("Бесплатно · 600 px, 200 шагов", Texts.Get(Language.Ru, TextKey.ButtonTierFree, 600, 200));
        Assert.Equal("Перерисовано в стиле вашей картины, 201 итерация, 3 с.", Texts.Get(Language.Ru, TextKey.ResultStylize, 201, "3 с"));
    }

    /// <summary>Every text exists in both languages, and a Russian one carries no English beyond names and units.</summary>
    [Fact]
    public void Every_Russian_text_is_Russian()
    {
        static Dictionary<string, string> Load(string file) => XDocument.Load(Path.Combine(Root(), "src/ArtBot.Domain/Bot", file)).Root!
            .Elements("data").ToDictionary(d => d.Attribute("name")!.Value, d => d.Element("value")!.Value);
        var english = Load("Texts.resx");
        var russian = Load("Texts.ru.resx");
        Assert.Equal(english.Keys.Order(), russian.Keys.Order());
        string[] names = ["px", "HD", "JPEG", "PNG", "WebP", "GIF", "MP", "WebM", "MOV", "Telegram", "ArtBot", "English"];
        foreach (var (key, text) in russian)
        {
            var prose = Placeholder().Replace(Command().Replace(text, ""), "");
            var latin = LatinWord().Matches(prose).Select(m => m.Value).Where(w => !names.Contains(w)).ToList();
            Assert.True(latin.Count == 0, $"{key}: {string.Join(", ", latin)} in \"{text}\"");
        }
    }

    private static string Root()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "ArtBot.sln"))) folder = Path.GetDirectoryName(folder)!;
        return folder;
    }

    [GeneratedRegex(@"\{[^}]*\}")] private static partial Regex Placeholder();
    [GeneratedRegex(@"/[a-z_]+")] private static partial Regex Command();
    [GeneratedRegex(@"[A-Za-z]{2,}")] private static partial Regex LatinWord();
}
