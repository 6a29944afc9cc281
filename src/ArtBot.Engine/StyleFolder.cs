using System.Text.Json;
using ArtBot.Domain.Art;

namespace ArtBot.Engine;

/// <summary>
/// Reads the preset menu from <c>styles/*.json</c>, one file per preset, so adding a preset is a
/// data change: <c>{"id", "order", "name": {"en","ru"}, "painting": {"en","ru"}, "weights"}</c>.
/// </summary>
public static class StyleFolder
{
    private sealed record Names(string En, string Ru);

    private sealed record Description(string Id, int Order, Names Name, string Weights, Names? Painting);

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip };

    public static PresetCatalog Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"styles folder not found: {folder}");
        var presets = new List<(int Order, StylePreset Preset)>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            Description? d;
            try { d = JsonSerializer.Deserialize<Description>(File.ReadAllText(file), Json); }
            catch (JsonException e) { throw new InvalidDataException($"{file}: {e.Message}"); }
            if (d is null || string.IsNullOrWhiteSpace(d.Id) || d.Name is null || string.IsNullOrWhiteSpace(d.Weights))
                throw new InvalidDataException($"{file}: needs id, name.en, name.ru and weights");
            presets.Add((d.Order, new StylePreset(d.Id, new LocalizedText(d.Name.En, d.Name.Ru), d.Weights,
                d.Painting is null ? null : new LocalizedText(d.Painting.En, d.Painting.Ru))));
        }
        return new PresetCatalog(presets.OrderBy(p => p.Order).ThenBy(p => p.Preset.Id, StringComparer.Ordinal).Select(p => p.Preset));
    }
}
