using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Art;

/// <summary>What the engine can be asked for; each needs a program or weights the host may lack.</summary>
public enum ArtCapability { Presets, Gatys, Dream, Animation }

/// <summary>
/// The engine cannot do this on this host (ffmpeg is not installed, weights are missing or
/// broken). Permanent: trying again fails the same way, so the job ends at once, refunded, and the
/// user is told what is not available.
/// </summary>
public sealed class ArtUnavailableException(ArtCapability capability, string message, Exception? inner = null) : Exception(message, inner)
{
    public ArtCapability Capability { get; } = capability;
}

/// <summary>
/// What this host can render, probed at start: the programs and weights each kind of job needs.
/// The bot offers only what is here, and /healthz lists what is missing.
/// </summary>
/// <param name="Presets">Ids of the presets whose weights are here.</param>
/// <param name="Missing">What is missing, one line each (a program, a model folder).</param>
/// <param name="Checked">False where the weights were not looked at (a receiver: the workers render).</param>
public sealed record ArtCapabilities(bool Animation, bool Gatys, bool Dream, IReadOnlySet<string> Presets, IReadOnlyList<string> Missing, bool Checked = true)
{
    /// <summary>Everything in <paramref name="catalog"/>, as a host with every program and model has it.</summary>
    public static ArtCapabilities Everything(PresetCatalog catalog) =>
        new(true, true, true, catalog.All.Select(p => p.Id).ToHashSet(StringComparer.Ordinal), []);

    public bool Has(ArtCapability capability) => capability switch
    {
        ArtCapability.Animation => Animation,
        ArtCapability.Gatys => Gatys,
        ArtCapability.Dream => Dream,
        _ => Presets.Count > 0,
    };

    /// <summary>The capability a job of <paramref name="kind"/> needs, and whether it is here (for a preset, that preset's weights).</summary>
    public (ArtCapability Capability, bool Available) For(JobKind kind, string? presetId) => kind switch
    {
        JobKind.Stylize => (ArtCapability.Gatys, Gatys),
        JobKind.Dream => (ArtCapability.Dream, Dream),
        JobKind.Animation => (ArtCapability.Animation, Animation && presetId != null && Presets.Contains(presetId)),
        JobKind.Gallery => (ArtCapability.Presets, Presets.Count > 0),
        _ => (ArtCapability.Presets, presetId != null && Presets.Contains(presetId)),
    };
}
