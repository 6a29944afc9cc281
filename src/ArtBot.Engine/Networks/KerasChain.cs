using ArtBot.Engine.Weights;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArtBot.Engine.Networks;

/// <summary>
/// Runs a chain-shaped Keras model from a TensorFlow.js layers file, returning the outputs of
/// the layers asked for by their Keras names and stopping after the deepest of them.
/// </summary>
internal sealed class KerasChain : nn.Module<Tensor, Dictionary<string, Tensor>>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;
    private readonly string[] names;
    private readonly HashSet<string> capture;

    private KerasChain(IList<(string Name, nn.Module<Tensor, Tensor> Layer)> chain, HashSet<string> capture) : base("keras_chain")
    {
        layers = new ModuleList<nn.Module<Tensor, Tensor>>(chain.Select(c => c.Layer).ToArray());
        names = chain.Select(c => c.Name).ToArray();
        this.capture = capture;
        RegisterComponents();
    }

    public override Dictionary<string, Tensor> forward(Tensor x) => Stream(x).ToDictionary(o => o.Name, o => o.Output);

    /// <summary>
    /// The outputs asked for, each as soon as it is computed (shallow to deep), so a caller can
    /// build on one before the deeper layers run.
    /// </summary>
    /// <param name="keepOutputs">False: each output is disposed once the next layer has read it, so a
    /// caller that takes what it needs from an output before asking for the next holds no feature maps.</param>
    public IEnumerable<(string Name, Tensor Output)> Stream(Tensor x, bool keepOutputs = true)
    {
        var current = x;
        var keep = true;
        var yielded = 0;
        for (var i = 0; i < names.Length && yielded < capture.Count; i++)
        {
            var next = layers[i].forward(current);
            // Intermediates nobody keeps are freed now rather than at the scope's end.
            if (!keep) current.Dispose();
            current = next;
            var captured = capture.Contains(names[i]);
            keep = captured && keepOutputs;
            if (!captured) continue;
            yielded++;
            yield return (names[i], current);
        }
        if (!keep) current.Dispose();
    }

    /// <summary>Builds the layers up to the deepest one in <paramref name="capture"/>.</summary>
    public static KerasChain Create(TfjsLayersModel model, IEnumerable<string> capture)
    {
        var wanted = capture.ToHashSet(StringComparer.Ordinal);
        var source = Path.Combine(model.Folder, TfjsLayersModel.FileName);
        var unknown = wanted.Where(w => model.Layers.All(l => l.Name != w)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"{source} has no layer(s) {string.Join(", ", unknown)}");

        var chain = new List<(string, nn.Module<Tensor, Tensor>)>();
        foreach (var layer in model.Layers)
        {
            if (wanted.All(w => chain.Any(c => c.Item1 == w))) break;
            nn.Module<Tensor, Tensor>? module = layer.ClassName switch
            {
                "InputLayer" => null,
                "Conv2D" => TfConv2d.Create(layer.Name,
                    model.Weight($"{layer.Name}/kernel"),
                    layer.Bool("use_bias", true) ? model.Weight($"{layer.Name}/bias") : null,
                    layer.Int("strides"), IsSame(layer), layer.String("activation") ?? "linear", source),
                "BatchNormalization" => TfBatchNorm.Create(layer.Name,
                    model.OptionalWeight($"{layer.Name}/gamma"), model.OptionalWeight($"{layer.Name}/beta"),
                    model.Weight($"{layer.Name}/moving_mean"), model.Weight($"{layer.Name}/moving_variance"),
                    layer.Double("epsilon", 1e-3), source),
                "LeakyReLU" => new LeakyRelu(layer.Name, layer.Double("alpha", 0.3)),
                "MaxPooling2D" => new TfMaxPool2d(layer.Name, layer.Int("pool_size"), layer.Int("strides"), IsSame(layer)),
                "GlobalAveragePooling2D" => new GlobalAveragePool(layer.Name),
                _ => throw new ModelLoadException(source, $"layer '{layer.Name}' is a {layer.ClassName}, which ArtBot cannot run"),
            };
            if (layer.ClassName == "Conv2D" && layer.String("activation") is { } act && act is not ("linear" or "relu"))
                throw new ModelLoadException(source, $"layer '{layer.Name}' uses activation '{act}', which ArtBot cannot run");
            if (module != null) chain.Add((layer.Name, module));
        }
        return new KerasChain(chain, wanted);
    }

    private static bool IsSame(TfjsLayer layer) => string.Equals(layer.String("padding"), "same", StringComparison.OrdinalIgnoreCase);
}
