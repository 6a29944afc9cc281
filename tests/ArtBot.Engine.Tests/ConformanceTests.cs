using ArtBot.Engine.Networks;
using ArtBot.Engine.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Tests;

/// <summary>
/// Each port against tensors computed by an independent TensorFlow.js run, at the tolerances
/// of ../shared/conformance/README.md.
/// </summary>
public sealed class ConformanceTests
{
    private const double FeatureRelativeL2 = 1e-4;

    private static Tensor Vector(string name) => Npy.Load(Path.Combine(TestPaths.Conformance, name + ".npy"));

    private static double RelativeL2(Tensor actual, Tensor expected) =>
        (actual - expected).norm().item<float>() / expected.norm().item<float>();

    [Fact]
    public void Preset_wave_reproduces_tfjs_output()
    {
        using var scope = torch.NewDisposeScope();
        using var net = FastStyleNet.Load(Path.Combine(TestPaths.Models, "presets", "wave"));
        var input = Vector("preset_wave_tubingen_input");
        var expected = Vector("preset_wave_tubingen_output");

        Tensor actual;
        using (torch.inference_mode()) actual = net.forward(input);

        Assert.Equal(expected.shape, actual.shape);
        var error = (actual - expected).abs();
        Assert.True(error.max().item<float>() <= 0.1f, $"max abs error {error.max().item<float>()} > 0.1");
        Assert.True(error.mean().item<float>() <= 0.01f, $"mean abs error {error.mean().item<float>()} > 0.01");
    }

    [Fact]
    public void Darknet_reproduces_tfjs_activation_and_logits()
    {
        using var scope = torch.NewDisposeScope();
        var model = TfjsLayersModel.Load(Path.Combine(TestPaths.Models, "darknet-tiny"));
        using var net = DarknetTiny.Load(model, ["leaky_re_lu_8", DarknetTiny.Logits]);
        var input = Vector("darknet_dog_input");

        Dictionary<string, Tensor> outputs;
        using (torch.inference_mode()) outputs = net.forward(input);

        var activation = outputs["leaky_re_lu_8"];
        var logits = outputs[DarknetTiny.Logits];
        var expectedActivation = Vector("darknet_dog_leaky_re_lu_8");
        var expectedLogits = Vector("darknet_dog_logits");
        Assert.Equal(expectedActivation.shape, activation.shape);
        Assert.Equal(expectedLogits.shape, logits.shape);
        Assert.True(RelativeL2(activation, expectedActivation) <= FeatureRelativeL2, $"leaky_re_lu_8 rel L2 {RelativeL2(activation, expectedActivation)}");
        Assert.True(RelativeL2(logits, expectedLogits) <= FeatureRelativeL2, $"logits rel L2 {RelativeL2(logits, expectedLogits)}");
        Assert.Equal(155, logits.argmax(1).item<long>());
    }

    [Theory]
    [InlineData("block1_conv1")]
    [InlineData("block2_conv1")]
    [InlineData("block3_conv1")]
    [InlineData("block3_conv4")]
    public void Vgg19_reproduces_tfjs_features(string kerasLayer)
    {
        using var scope = torch.NewDisposeScope();
        var model = TfjsLayersModel.Load(Path.Combine(TestPaths.Models, "vgg19-block3"));
        var layer = Vgg19Features.ToFeatureName(kerasLayer);
        using var net = Vgg19Features.Load(model, [layer]);
        var input = Vector("vgg19_tubingen_input");
        var expected = Vector("vgg19_tubingen_" + kerasLayer);

        Tensor actual;
        using (torch.inference_mode()) actual = net.forward(input)[layer];

        Assert.Equal(expected.shape, actual.shape);
        Assert.True(RelativeL2(actual, expected) <= FeatureRelativeL2, $"{kerasLayer} rel L2 {RelativeL2(actual, expected)}");
    }
}
