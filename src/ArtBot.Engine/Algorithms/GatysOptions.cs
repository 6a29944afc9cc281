using static TorchSharp.torch;
namespace ArtBot.Engine.Algorithms;

public enum GatysOptimizer { Lbfgs, Adam }

public enum GatysInit { Content, Noise }

/// <summary>
/// Every knob of the Gatys et al. optimisation, with its default. Losses are relative squared
/// errors (‖G−A‖²/‖A‖² for Gram matrices, likewise for content features), so the weights mean
/// the same whatever the network depth or image size.
/// </summary>
public sealed record GatysOptions
{
    /// <summary>Long side of the output in pixels.</summary>
    public int Size { get; init; } = 512;

    /// <summary>Optimisation steps over all scales together.</summary>
    public int Iterations { get; init; } = 300;

    public double ContentWeight { get; init; } = 1.0;

    public double StyleWeight { get; init; } = 30.0;

    /// <summary>Total-variation weight: smooths high-frequency noise.</summary>
    public double TvWeight { get; init; } = 20.0;

    public GatysOptimizer Optimizer { get; init; } = GatysOptimizer.Lbfgs;

    /// <summary>Adam step in 0..1 pixel units.</summary>
    public double AdamLearningRate { get; init; } = 0.02;

    /// <summary>Pairs of (s, y) vectors L-BFGS remembers.</summary>
    public int LbfgsHistory { get; init; } = 20;

    public GatysInit Init { get; init; } = GatysInit.Content;

    /// <summary>Style image long side relative to the current output side: larger paints larger strokes.</summary>
    public double StyleScale { get; init; } = 1.0;

    /// <summary>Coarse-to-fine schedule: number of scales, each twice the previous side, ending at <see cref="Size"/>.</summary>
    public int Scales { get; init; } = 3;

    /// <summary>No scale below this long side.</summary>
    public int MinScaleSide { get; init; } = 128;

    /// <summary>Transfer on luminance only and keep the photo's colours.</summary>
    public bool PreserveColors { get; init; }

    /// <summary>Null: the Gatys set where the network has it, else the deepest available.</summary>
    public IReadOnlyList<string>? StyleLayers { get; init; }

    /// <summary>Null: relu4_2 where present, else one layer of the deepest block.</summary>
    public IReadOnlyList<string>? ContentLayers { get; init; }

    /// <summary>Seed for the noise init.</summary>
    public long Seed { get; init; } = 0;
}

/// <param name="Scale">1-based index of the current scale.</param>
/// <param name="Current">The image as it stands (RGB 0..1 at the current scale), for a preview: valid only during the report, on the tensor thread.</param>
/// <param name="Work">The share of the work done: pixels × iterations over the scales, so a coarse iteration counts for what it costs.</param>
public sealed record GatysProgress(
    int Iteration,
    int TotalIterations,
    int Scale,
    int Scales,
    int Width,
    int Height,
    double ContentLoss,
    double StyleLoss,
    double TvLoss,
    TimeSpan Elapsed,
    TimeSpan? Eta,
    Func<Tensor>? Current = null,
    double Work = 0)
{
    public double TotalLoss => ContentLoss + StyleLoss + TvLoss;
}
