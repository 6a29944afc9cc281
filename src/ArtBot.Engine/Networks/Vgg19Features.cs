using System.Text.RegularExpressions;
using ArtBot.Engine.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Networks;

/// <summary>
/// VGG-19 convolutional features (Keras weights), named as in the style-transfer literature:
/// <c>relu{block}_{conv}</c>. Works with whatever depth the loaded file has.
/// Input: Keras "caffe" preprocessing (see <see cref="Preprocess"/>).
/// </summary>
public sealed partial class Vgg19Features : nn.Module<Tensor, Dictionary<string, Tensor>>
{
    private static readonly float[] MeanBgr = [103.939f, 116.779f, 123.68f];
    private readonly KerasChain chain;

    private Vgg19Features(KerasChain chain) : base("vgg19_features")
    {
        this.chain = chain;
        RegisterComponents();
    }

    /// <summary>Feature layers the model provides, shallow to deep (e.g. relu1_1 … relu3_4).</summary>
    public static IReadOnlyList<string> AvailableLayers(TfjsLayersModel model) =>
        model.Layers.Where(l => l.ClassName == "Conv2D").Select(l => ToFeatureName(l.Name)).ToList();

    /// <summary>A network that computes exactly up to the deepest of <paramref name="layers"/>.</summary>
    public static Vgg19Features Load(TfjsLayersModel model, IEnumerable<string> layers) =>
        new(KerasChain.Create(model, layers.Select(ToKerasName)));

    public override Dictionary<string, Tensor> forward(Tensor preprocessed) =>
        Stream(preprocessed).ToDictionary(f => f.Layer, f => f.Features);

    /// <summary>The layers' features one by one as the network reaches them, shallow to deep.</summary>
    /// <param name="keepOutputs">False: each layer's features are disposed once the next layer has read them.</param>
    public IEnumerable<(string Layer, Tensor Features)> Stream(Tensor preprocessed, bool keepOutputs = true) =>
        chain.Stream(preprocessed, keepOutputs).Select(o => (ToFeatureName(o.Name), o.Output));

    /// <summary>The type of its weights, which its input must have: fp32 as loaded, bf16 when the engine converts it.</summary>
    public ScalarType Precision => parameters().First().dtype;

    /// <summary>RGB in 0..1 → BGR 0..255 minus the ImageNet mean, as the Keras weights expect.</summary>
    public static Tensor Preprocess(Tensor rgb01)
    {
        using var scope = torch.NewDisposeScope();
        var bgr = rgb01.flip(1) * 255f;
        var mean = torch.tensor(MeanBgr, device: rgb01.device).reshape(1, 3, 1, 1);
        return (bgr - mean).MoveToOuterDisposeScope();
    }

    public static string ToFeatureName(string kerasName)
    {
        var m = KerasConv().Match(kerasName);
        return m.Success ? $"relu{m.Groups[1].Value}_{m.Groups[2].Value}" : kerasName;
    }

    public static string ToKerasName(string featureName)
    {
        var m = FeatureName().Match(featureName);
        return m.Success ? $"block{m.Groups[1].Value}_conv{m.Groups[2].Value}" : featureName;
    }

    [GeneratedRegex(@"^block(\d+)_conv(\d+)$")] private static partial Regex KerasConv();
    [GeneratedRegex(@"^relu(\d+)_(\d+)$")] private static partial Regex FeatureName();
}
