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
        return args.Length == 0 ? text : string.Format(new PluralFormat(culture), text, args);
    }

    /// <summary>
    /// The noun that goes with a count, by the language's plural rules: Russian one / few / many
    /// (1 кредит, 2 кредита, 5 кредитов, 21 кредит, 11 кредитов), English one / other.
    /// </summary>
    public static string Plural(Language language, long count, params string[] forms)
    {
        if (language == Language.Ru && forms.Length == 3)
        {
            var (mod10, mod100) = (Math.Abs(count) % 10, Math.Abs(count) % 100);
            return mod10 == 1 && mod100 != 11 ? forms[0]
                : mod10 is >= 2 and <= 4 && mod100 is < 12 or > 14 ? forms[1]
                : forms[2];
        }
        if (forms.Length is 2 or 3) return Math.Abs(count) == 1 ? forms[0] : forms[^1];
        throw new FormatException($"plural forms must be 2 (English) or 3 (Russian), not {forms.Length}");
    }

    /// <summary>
    /// <c>{0:p|кредит|кредита|кредитов}</c> in a text is the number and its noun in the right form;
    /// every other placeholder formats as the culture does.
    /// </summary>
    private sealed class PluralFormat(CultureInfo culture) : IFormatProvider, ICustomFormatter
    {
        public object? GetFormat(Type? formatType) => formatType == typeof(ICustomFormatter) ? this : culture.GetFormat(formatType);

        public string Format(string? format, object? arg, IFormatProvider? formatProvider)
        {
            if (format != null && format.StartsWith("p|", StringComparison.Ordinal) && arg is IConvertible number)
            {
                var count = number.ToInt64(culture);
                var language = culture.TwoLetterISOLanguageName == "ru" ? Language.Ru : Language.En;
                return $"{count.ToString(culture)} {Plural(language, count, format[2..].Split('|'))}";
            }
            return arg is IFormattable formattable ? formattable.ToString(format, culture) : arg?.ToString() ?? "";
        }
    }

    /// <summary>Telegram's language_code and the like: ru* → Russian, anything else English.</summary>
    public static Language LanguageOf(string? code) =>
        code != null && code.StartsWith("ru", StringComparison.OrdinalIgnoreCase) ? Language.Ru : Language.En;
}
