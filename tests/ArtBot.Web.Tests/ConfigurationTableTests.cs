using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using ArtBot.Engine;
using ArtBot.Host;
using ArtBot.Host.Composition;
using ArtBot.Host.Operations;
using ArtBot.Scenarios;
using ArtBot.Scheduling;
using ArtBot.Telegram;
using ArtBot.Vk;
using ArtBot.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ArtBot.Web.Tests;

/// <summary>
/// One source for each default: the options classes hold them, <c>config/artbot.json</c> holds only
/// what differs, and the README's configuration table says what the program, so configured, uses.
/// </summary>
public sealed partial class ConfigurationTableTests
{
    /// <summary>Each configuration section as the program binds it from the shipped file (no environment).</summary>
    private static Dictionary<string, object[]> Sections()
    {
        using var host = BotHost.CreateBuilder(new Dictionary<string, string?>()).Build();
        var s = host.Services;
        return new Dictionary<string, object>
        {
            ["Engine"] = s.GetRequiredService<IOptions<EngineOptions>>().Value,
            // Two options classes share the Queue section: the host's queue and the domain's policy.
            ["Queue"] = new object[] { s.GetRequiredService<IOptions<QueueOptions>>().Value, s.GetRequiredService<IOptions<QueuePolicyOptions>>().Value },
            ["Storage"] = s.GetRequiredService<IOptions<StorageOptions>>().Value,
            ["Bot"] = s.GetRequiredService<BotOptions>(),
            ["Billing"] = s.GetRequiredService<BillingOptions>(),
            ["Web"] = s.GetRequiredService<IOptions<WebOptions>>().Value,
            ["Telegram"] = s.GetRequiredService<IOptions<TelegramOptions>>().Value,
            ["Vk"] = s.GetRequiredService<IOptions<VkOptions>>().Value,
            ["Ops"] = s.GetRequiredService<IOptions<OpsOptions>>().Value,
        }.ToDictionary(p => p.Key, p => p.Value as object[] ?? [p.Value]);
    }

    /// <summary>Lists whose empty default means a built-in list: the program uses what these properties say.</summary>
    private static readonly Dictionary<string, string> Effective = new()
    {
        ["Engine:ModelPaths"] = nameof(EngineOptions.SearchPaths), ["Engine:VggModels"] = nameof(EngineOptions.VggFolders),
    };

    /// <summary>The options class behind each section, as made with nothing configured.</summary>
    private static readonly Dictionary<string, Func<object>> Defaults = new()
    {
        ["Engine"] = () => new EngineOptions(), ["Queue"] = () => new QueueOptions(), ["Storage"] = () => new StorageOptions(), ["Bot"] = () => new BotOptions(),
        ["Billing"] = () => new BillingOptions(), ["Web"] = () => new WebOptions(), ["Telegram"] = () => new TelegramOptions(), ["Vk"] = () => new VkOptions(),
        ["Ops"] = () => new OpsOptions(),
    };

    [Fact]
    public void The_shipped_configuration_file_holds_only_what_differs_from_the_defaults()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "config", "artbot.json")))!.AsObject();
        var same = new List<string>();
        foreach (var (section, node) in file)
        {
            if (!Defaults.TryGetValue(section, out var make)) continue;   // Logging: not an options class
            foreach (var (path, value) in Leaves(node!, ""))
                if (Value(make(), path) is var fallback && Text(fallback) == value) same.Add($"{section}:{path} = {value}");
        }
        Assert.True(same.Count == 0, "config/artbot.json repeats the defaults: " + string.Join("; ", same));
    }

    [Fact]
    public void The_readmes_table_gives_the_values_the_program_uses()
    {
        var sections = Sections();
        var checkedKeys = new List<string>();
        var wrong = new List<string>();
        foreach (var (keys, defaults) in Rows())
        {
            // One key: its whole cell (a list is one value). Several: a value each, or the row is prose.
            var values = keys.Count == 1 ? [defaults] : SplitTop(defaults);
            if (values.Count != keys.Count) continue;
            foreach (var (key, text) in keys.Zip(values))
            {
                var colon = key.IndexOf(':');
                if (colon < 0 || !sections.TryGetValue(key[..colon], out var candidates)) continue;
                if (candidates.FirstOrDefault(o => Has(o, key[(colon + 1)..])) is not { } options)
                {
                    if (!NotOptionsYet.Contains(key)) wrong.Add($"{key}: the README names a setting the program does not have");
                    continue;
                }
                var actual = Value(options, Effective.GetValueOrDefault(key, key[(colon + 1)..]));
                var said = Clean(text);
                // A setting with no value is described in words ("—", "none", "made once…"); a tier is a record.
                if (actual == null || said is "—" || !Comparable(actual)) continue;
                checkedKeys.Add(key);
                if (!Same(actual, said)) wrong.Add($"{key}: README says '{said}', the program uses '{Text(actual)}'");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.True(checkedKeys.Count >= 50, $"only {checkedKeys.Count} settings were compared: {string.Join(", ", checkedKeys)}");
        foreach (var key in new[] { "Bot:Lease", "Bot:SweepInterval", "Bot:RetryDelay", "Telegram:AlbumWindow", "Vk:AlbumWindow", "Engine:Ffmpeg", "Queue:RenderSlots" })
            Assert.Contains(key, checkedKeys);
    }

    /// <summary>The table's rows: the keys named in the first cell (later ones share the first's prefix), and the default cell.</summary>
    private static IEnumerable<(List<string> Keys, string Default)> Rows()
    {
        var readme = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "README.md"));
        var start = Array.IndexOf(readme, "## Configuration");
        foreach (var line in readme.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = Cells(line);
            if (cells.Count < 4 || cells[0].Contains('|')) continue;
            var names = Backticked().Matches(cells[0]).Select(m => m.Groups[1].Value).ToList();
            if (names.Count == 0 || names[0].IndexOf(':') < 0) continue;
            var prefix = names[0][..(names[0].LastIndexOf(':') + 1)];
            yield return (names.Select(n => n.Contains(':') ? n : prefix + n).ToList(), cells[2]);
        }
    }

    /// <summary>A row's cells, split at the bars outside backticks.</summary>
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var current = "";
        var code = false;
        foreach (var c in line.Trim().Trim('|'))
        {
            if (c == '`') code = !code;
            if (c == '|' && !code)
            {
                cells.Add(current.Trim());
                current = "";
            }
            else current += c;
        }
        cells.Add(current.Trim());
        return cells;
    }

    private static List<string> SplitTop(string cell) => cell.Split(", ").Select(v => v.Trim()).ToList();

    /// <summary>A value as the README writes it, without its code marks and remarks in brackets.</summary>
    private static string Clean(string text) => Remark().Replace(text.Replace("`", ""), "").Trim();

    /// <summary>Read from the configuration outside the options classes: none, every key is a property of one.</summary>
    private static readonly string[] NotOptionsYet = [];

    private static bool Has(object options, string path)
    {
        var type = options.GetType();
        foreach (var name in path.Split(':'))
        {
            if (type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is not { } property) return false;
            type = property.PropertyType;
        }
        return true;
    }

    private static bool Comparable(object value) =>
        value is string or bool or TimeSpan or TimeOnly or int or long or double or Enum || value is IEnumerable list && list.Cast<object>().All(Comparable);

    private static object? Value(object options, string path)
    {
        object? current = options;
        foreach (var name in path.Split(':'))
        {
            if (current == null) return null;
            var property = current.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance) ?? throw new InvalidOperationException($"{options.GetType().Name} has no {path}");
            current = property.GetValue(current);
        }
        return current;
    }

    private static bool Same(object actual, string said) => actual switch
    {
        bool b => string.Equals(said, b ? "true" : "false", StringComparison.OrdinalIgnoreCase),
        TimeSpan t => Duration(said) == t,
        TimeOnly t => TimeOnly.TryParseExact(said, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) && at == t,
        Enum e => string.Equals(e.ToString(), said, StringComparison.OrdinalIgnoreCase),
        int or long => Number(said) == Convert.ToInt64(actual, CultureInfo.InvariantCulture),
        double d => double.TryParse(said, CultureInfo.InvariantCulture, out var x) && x == d,
        string s => s == said,
        IEnumerable list => string.Join(", ", list.Cast<object>().Select(Text)) == said.Replace(", ", ", "),
        _ => Text(actual) == said,
    };

    private static long? Number(string said)
    {
        var megabytes = said.EndsWith(" MB", StringComparison.Ordinal);
        var digits = new string((megabytes ? said[..^3] : said).Where(c => !char.IsWhiteSpace(c)).ToArray());
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? megabytes ? n * 1024 * 1024 : n : null;
    }

    private static TimeSpan? Duration(string said)
    {
        var match = DurationText().Match(said);
        if (!match.Success) return null;
        var n = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "min" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromDays(n),
        };
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        TimeOnly t => t.ToString("HH:mm", CultureInfo.InvariantCulture),
        Enum e => e.ToString().ToLowerInvariant(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        string s => s,
        IEnumerable list => string.Join(", ", list.Cast<object>().Select(Text)),
        _ => value.ToString() ?? "",
    };

    private static IEnumerable<(string Path, string Value)> Leaves(JsonNode node, string path) => node switch
    {
        JsonObject o => o.SelectMany(p => Leaves(p.Value!, path.Length == 0 ? p.Key : $"{path}:{p.Key}")),
        JsonArray a => [(path, string.Join(", ", a.Select(x => x?.ToString())))],
        _ => [(path, node.ToString())],
    };

    [GeneratedRegex("`([^`]+)`")] private static partial Regex Backticked();
    [GeneratedRegex(@"\s*\([^)]*\)")] private static partial Regex Remark();
    [GeneratedRegex(@"^(\d+(?:\.\d+)?) (ms|s|min|h|days?)$")] private static partial Regex DurationText();
}
