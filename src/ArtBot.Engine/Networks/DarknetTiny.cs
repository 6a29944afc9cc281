using ArtBot.Engine.Weights;
using static TorchSharp.torch;

namespace ArtBot.Engine.Networks;

/// <summary>
/// Darknet "tiny" ImageNet classifier (16 conv + batch norm + leaky ReLU, global average
/// pooling to 1000 logits). Input RGB 0..1, any size. Outputs are named by Keras layer
/// (e.g. <c>leaky_re_lu_8</c>); <see cref="Logits"/> names the pooled class scores.
/// </summary>
public sealed class DarknetTiny : nn.Module<Tensor, Dictionary<string, Tensor>>
{
    public const string Logits = "logits";
    private readonly KerasChain chain;
    private readonly string logitsLayer;

    private DarknetTiny(KerasChain chain, string logitsLayer) : base("darknet_tiny")
    {
        this.chain = chain;
        this.logitsLayer = logitsLayer;
        RegisterComponents();
    }

    /// <summary>Layers that can be asked for, shallow to deep (activations, then logits).</summary>
    public static IReadOnlyList<string> AvailableLayers(TfjsLayersModel model) =>
        model.Layers.Where(l => l.ClassName == "LeakyReLU").Select(l => l.Name).Append(Logits).ToList();

    public static DarknetTiny Load(TfjsLayersModel model, IEnumerable<string> layers)
    {
        var logitsLayer = model.Layers[^1].Name;
        return new DarknetTiny(KerasChain.Create(model, layers.Select(l => l == Logits ? logitsLayer : l)), logitsLayer);
    }

    public override Dictionary<string, Tensor> forward(Tensor rgb01) =>
        chain.forward(rgb01).ToDictionary(kv => kv.Key == logitsLayer ? Logits : kv.Key, kv => kv.Value);
}
