using System.Globalization;

namespace ArtBot.Host.Cli;

/// <summary>A usage mistake: printed with the verb's help, exit code 64 (EX_USAGE).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Positionals and <c>--name value</c> / <c>--flag</c> / <c>-o value</c> options, checked
/// against what the verb declares so a typo is an error rather than silently ignored.
/// </summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, string?> options = new(StringComparer.Ordinal);

    public ParsedArgs(IEnumerable<string> args, IReadOnlySet<string> valueOptions, IReadOnlySet<string> flags)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            if (arg == "--") { Positionals.AddRange(list.Skip(i + 1)); break; }
            if (!arg.StartsWith('-') || arg == "-" || double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                Positionals.Add(arg);
                continue;
            }
            var name = arg;
            string? inline = null;
            if (arg.StartsWith("--") && arg.Contains('='))
            {
                name = arg[..arg.IndexOf('=')];
                inline = arg[(arg.IndexOf('=') + 1)..];
            }
            if (flags.Contains(name)) { options[name] = null; continue; }
            if (!valueOptions.Contains(name)) throw new UsageException($"unknown option {name}");
            if (inline != null) { options[name] = inline; continue; }
            if (i + 1 >= list.Count) throw new UsageException($"{name} needs a value");
            options[name] = list[++i];
        }
    }

    public List<string> Positionals { get; } = [];

    public bool Has(string name) => options.ContainsKey(name);

    public string? String(string name) => options.GetValueOrDefault(name);

    public int? Int(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        if (String(name) is not { } raw) return null;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new UsageException($"{name} must be a whole number from {min} to {max}, not '{raw}'");
        return value;
    }

    public double? Double(string name, double min = double.MinValue, double max = double.MaxValue)
    {
        if (String(name) is not { } raw) return null;
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max || !double.IsFinite(value))
            throw new UsageException($"{name} must be a number from {min} to {max}, not '{raw}'");
        return value;
    }

    public T? Enum<T>(string name) where T : struct, Enum
    {
        if (String(name) is not { } raw) return null;
        return System.Enum.TryParse<T>(raw, ignoreCase: true, out var value) && System.Enum.IsDefined(value)
            ? value
            : throw new UsageException($"{name} must be one of {string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}, not '{raw}'");
    }

    public IReadOnlyList<string>? List(string name) =>
        String(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
