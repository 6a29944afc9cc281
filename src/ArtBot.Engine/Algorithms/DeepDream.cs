using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Algorithms;

public enum DreamNetwork { Darknet, Vgg }

/// <summary>Every knob of DeepDream, with its default.</summary>
public sealed record DreamOptions
{
    /// <summary>Long side of the output.</summary>
    public int Size { get; init; } = 512;

    public int Octaves { get; init; } = 4;

    /// <summary>Each octave is this much smaller than the next.</summary>
    public double OctaveScale { get; init; } = 1.4;

    /// <summary>Gradient-ascent steps per octave.</summary>
    public int Steps { get; init; } = 10;

    /// <summary>Step in 0..1 pixel units, applied to the mean-normalised gradient.</summary>
    public double StepSize { get; init; } = 0.01;

    /// <summary>Null: the network's default (<see cref="DreamLayers"/>).</summary>
    public IReadOnlyList<string>? Layers { get; init; }

    /// <summary>Random shift of up to this many pixels before each step, undone after: hides the network's grid.</summary>
    public int Jitter { get; init; } = 16;

    public DreamNetwork Network { get; init; } = DreamNetwork.Darknet;

    public long Seed { get; init; } = 0;
}

/// <param name="Current">The image as it stands, for a preview: valid only during the report, on the tensor thread.</param>
/// <param name="Work">The share of the work done: pixels × steps over the octaves, so a fine octave's step weighs what it costs.</param>
public sealed record DreamProgress(int Step, int TotalSteps, int Octave, int Octaves, double Activation, TimeSpan Elapsed, TimeSpan? Eta, Func<Tensor>? Current = null, double Work = 0);

public sealed record DreamResult(Tensor Image, IReadOnlyList<string> Layers, bool Cancelled);

/// <summary>
/// DeepDream (Mordvintsev, Olah &amp; Tyka, 2015): gradient ascent on the input to amplify what
/// a classifier's chosen layers see, octave by octave from coarse to fine, carrying the
/// dreamed detail up each octave.
/// </summary>
public static class DeepDream
{
    /// <param name="network">RGB 0..1 in, named activations out.</param>
    /// <param name="image">[1,3,H,W] RGB 0..1 at the output size.</param>
    public static DreamResult Run(
        Func<Tensor, Dictionary<string, Tensor>> network,
        IReadOnlyList<string> layers,
        Tensor image,
        DreamOptions options,
        IProgress<DreamProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        using var outer = torch.NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var random = new Random((int)options.Seed);
        var (height, width) = (image.shape[2], image.shape[3]);

        var octaves = new List<Tensor> { image };
        for (var i = 1; i < Math.Max(1, options.Octaves); i++)
        {
            var factor = Math.Pow(options.OctaveScale, -i);
            var (h, w) = ((long)Math.Round(height * factor), (long)Math.Round(width * factor));
            if (Math.Min(h, w) < 16) break;
            octaves.Add(GatysTransfer.Resize(image, h, w));
        }
        octaves.Reverse();

        var total = octaves.Count * options.Steps;
        var work = octaves.Sum(o => (double)o.shape[2] * o.shape[3] * options.Steps);
        double done = 0;
        var step = 0;
        var cancelled = false;
        var activation = double.NaN;
        Tensor dreamed = octaves[0].clone();
        Tensor detail = torch.zeros_like(octaves[0]);

        for (var o = 0; o < octaves.Count && !cancelled; o++)
        {
            var baseImage = octaves[o];
            var (h, w) = (baseImage.shape[2], baseImage.shape[3]);
            if (o > 0) detail = torch.nn.functional.interpolate(detail, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
            var x = (baseImage + detail).clamp(0f, 1f);

            for (var s = 0; s < options.Steps; s++)
            {
                if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
                using var scope = torch.NewDisposeScope();
                var (dy, dx) = (random.Next(-options.Jitter, options.Jitter + 1), random.Next(-options.Jitter, options.Jitter + 1));
                var shifted = x.roll([dy, dx], [2, 3]).detach().requires_grad_(true);
                var activations = network(shifted);
                var objective = layers.Select(l => activations[l].square().mean()).Aggregate((a, b) => a + b);
                objective.backward();
                using (torch.no_grad())
                {
                    var gradient = shifted.grad!.roll([-dy, -dx], [2, 3]);
                    gradient = gradient / (gradient.abs().mean() + 1e-8f);
                    x.add_(gradient, options.StepSize).clamp_(0f, 1f);
                }
                step++;
                done += (double)h * w;
                if (progress == null) continue;
                // The activation is read (a wait for the device) every few steps and at each octave's end, not every step.
                if (s % GatysTransfer.ProgressLossInterval == 0 || s == options.Steps - 1) activation = objective.item<float>();
                var elapsed = clock.Elapsed;
                progress.Report(new DreamProgress(step, total, o + 1, octaves.Count, activation, elapsed,
                    TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (work - done)), () => x, done / work));
            }
            detail = x - baseImage;
            dreamed = x;
        }

        var result = dreamed.shape[2] == height && dreamed.shape[3] == width ? dreamed : GatysTransfer.Resize(dreamed, height, width);
        return new DreamResult(result.detach().clone().MoveToOuterDisposeScope(), layers, cancelled);
    }
}

/// <summary>The layer a dream amplifies when none is named.</summary>
public static class DreamLayers
{
    /// <summary>Darknet-tiny's: parts of objects, eyes and fur.</summary>
    public const string Darknet = "leaky_re_lu_12";

    /// <summary>VGG's when the network reaches it (a full VGG-19); the block-3 cut dreams on its last but one layer.</summary>
    public const string Vgg = "relu4_2";
}
