using ArtBot.Engine.Algorithms;
using ArtBot.Engine.Imaging;
using ArtBot.Engine.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Tests.Algorithms;

public sealed class FastStyleTests : IDisposable
{
    private readonly FastStyleNet net;

    public FastStyleTests()
    {
        Native.TorchNative.EnsureLoaded();
        net = FastStyleNet.Load(Path.Combine(TestPaths.Models, "presets", "wave"));
    }

    public void Dispose() => net.Dispose();

    [Theory]
    [InlineData(97, 61)]
    [InlineData(64, 64)]
    [InlineData(5, 9)]
    [InlineData(130, 203)]
    public void Any_size_comes_back_the_same_size(int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        var input = torch.rand(1, 3, height, width);
        var output = FastStyle.Apply(net, input);
        Assert.Equal(new long[] { 1, 3, height, width }, output.shape);
        Assert.InRange(output.min().item<float>(), 0f, 1f);
        Assert.InRange(output.max().item<float>(), 0f, 1f);
        Assert.True((output - input).abs().mean().item<float>() > 0.05f, "the preset should change the photo");
    }

    /// <summary>
    /// The upstream nets zero-pad each conv and paint a frame (light or dark, by preset). A flat
    /// grey photo should come back as an even texture: averaged over 8×8 blocks, its brightness
    /// should not vary across the image. The frame makes it vary; without the margin it shows,
    /// so the test is sharp.
    /// </summary>
    [Theory]
    [InlineData("wave")]
    [InlineData("udnie")]
    public void Borders_carry_no_frame(string preset)
    {
        using var scope = torch.NewDisposeScope();
        using var presetNet = FastStyleNet.Load(Path.Combine(TestPaths.Models, "presets", preset));
        var grey = torch.full([1, 3, 120, 160], 0.5f);

        double Unevenness(FastStyleOptions options) =>
            torch.nn.functional.avg_pool2d(FastStyle.Apply(presetNet, grey, options).mean([1], keepdim: true), 8).std().item<float>();

        var withMargin = Unevenness(new FastStyleOptions());
        var withoutMargin = Unevenness(new FastStyleOptions(Margin: 0));
        Assert.True(withoutMargin > 0.05, $"the raw network should paint a frame (unevenness {withoutMargin:0.000}; with margin {withMargin:0.000})");
        Assert.True(withMargin < withoutMargin / 4, $"unevenness {withMargin:0.000} with the margin, {withoutMargin:0.000} without");
    }
}
