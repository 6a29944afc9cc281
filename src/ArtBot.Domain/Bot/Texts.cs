using System.Globalization;
using System.Resources;
using ArtBot.Domain.Art;

namespace ArtBot.Domain.Bot;

/// <summary>Every user-facing text, in English (Texts.resx) and Russian (Texts.ru.resx).</summary>
public static class Texts
{
    private static readonly ResourceManager Resources = new("ArtBot.Domain.Bot.Texts", typeof(Texts).Assembly);
    private static readonly CultureInfo Russian = CultureInfo.GetCultureInfo("ru");

    public static string Get(Language language, string key, params object[] args)
    {
        var culture = language == Language.Ru ? Russian : CultureInfo.InvariantCulture;
        var text = Resources.GetString(key, culture) ?? throw new KeyNotFoundException($"text '{key}' is missing");
        return args.Length == 0 ? text : string.Format(culture, text, args);
    }

    /// <summary>Telegram's language_code and the like: ru* → Russian, anything else English.</summary>
    public static Language LanguageOf(string? code) =>
        code != null && code.StartsWith("ru", StringComparison.OrdinalIgnoreCase) ? Language.Ru : Language.En;
}
