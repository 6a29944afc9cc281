namespace ArtBot.Domain.Art;

/// <summary>
/// A fast-style preset as the user sees it in the menu. <see cref="Weights"/> names the
/// network's folder relative to a models folder (e.g. <c>presets/wave</c>).
/// </summary>
public sealed record StylePreset(string Id, LocalizedText Name, string Weights, LocalizedText? Painting = null);

/// <summary>The presets on offer, in menu order.</summary>
public sealed class PresetCatalog
{
    private readonly IReadOnlyList<StylePreset> presets;

    public PresetCatalog(IEnumerable<StylePreset> presets)
    {
        this.presets = presets.ToList();
        var duplicate = this.presets.GroupBy(p => p.Id, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new ArgumentException($"Preset id '{duplicate.Key}' is described twice.");
    }

    public IReadOnlyList<StylePreset> All => presets;

    public StylePreset? Find(string id) =>
        presets.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.OrdinalIgnoreCase));
}
