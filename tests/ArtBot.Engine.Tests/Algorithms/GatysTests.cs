using ArtBot.Engine.Algorithms;
using ArtBot.Engine.Imaging;
using ArtBot.Engine.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Tests.Algorithms;

public sealed class GatysTests
{
    private static readonly string[] Block3 = ["relu1_1", "relu1_2", "relu2_1", "relu2_2", "relu3_1", "relu3_2", "relu3_3", "relu3_4"];

    public GatysTests() => Native.TorchNative.EnsureLoaded();

    [Fact]
    public void Block3_network_uses_the_deepest_layers_it_has_and_says_so()
    {
        var layers = GatysLayers.Choose(Block3);
        Assert.Equal(["relu1_1", "relu2_1", "relu3_1"], layers.Style);
        Assert.Equal(["relu3_2"], layers.Content);
        Assert.Contains("relu3_2", layers.Description);
        Assert.Contains("needs VGG-19 to relu5_1", layers.Description);
    }

    [Fact]
    public void Full_network_uses_the_gatys_set()
    {
        var full = Enumerable.Range(1, 5).SelectMany(b => Enumerable.Range(1, b <= 2 ? 2 : 4).Select(c => $"relu{b}_{c}")).ToList();
        var layers = GatysLayers.Choose(full);
        Assert.Equal(["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"], layers.Style);
        Assert.Equal(["relu4_2"], layers.Content);
        Assert.DoesNotContain("needs", layers.Description);
    }

    [Fact]
    public void Unknown_layer_is_refused_with_the_available_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => GatysLayers.Choose(Block3, style: ["relu5_1"]));
        Assert.Contains("relu3_4", e.Message);
    }

    [Fact]
    public void Coarse_to_fine_schedule_ends_at_the_requested_size()
    {
        var sizes = GatysTransfer.ScaleSizes(384, 512, new GatysOptions { Scales = 3 });
        Assert.Equal([(96L, 128L), (192L, 256L), (384L, 512L)], sizes);
        Assert.Equal(300, GatysTransfer.SplitIterations(300, 3).Sum());
        Assert.True(GatysTransfer.SplitIterations(300, 3)[0] > GatysTransfer.SplitIterations(300, 3)[2]);
    }

    private static (Tensor Content, Tensor Style) Images(int side)
    {
        using var content = ImageCodec.Decode(TestPaths.Content("tubingen.jpg"), long.MaxValue);
        using var style = ImageCodec.Decode(TestPaths.Style("starry_night.jpg"), long.MaxValue);
        using var c = ImageCodec.ResizeToLongSide(content, side);
        using var s = ImageCodec.ResizeToLongSide(style, side);
        return (ImageTensor.ToTensor(c), ImageTensor.ToTensor(s));
    }

    /// <summary>
    /// Gatys builds each layer's loss as the network reaches it and, for its targets, lets each layer's
    /// features go once the next layer has read them: the features must be the whole forward's, and
    /// none of the released ones may still hold its memory at the end.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Streamed_features_are_the_forward_pass_and_released_ones_are_freed(bool keepOutputs)
    {
        using var scope = torch.NewDisposeScope();
        var layers = GatysLayers.Choose(Block3);
        using var vgg = Vgg19Features.Load(EngineFixture.Vgg(), layers.Style.Concat(layers.Content));
        var input = Vgg19Features.Preprocess(torch.rand([1, 3, 48, 40], generator: torch.manual_seed(3)));
        var whole = vgg.forward(input);

        var seen = new List<(string Layer, Tensor Features)>();
        foreach (var (layer, features) in vgg.Stream(input, keepOutputs))
        {
            Assert.Equal(0, (features - whole[layer]).abs().max().item<float>());
            seen.Add((layer, features));
        }

        Assert.Equal(["relu1_1", "relu2_1", "relu3_1", "relu3_2"], seen.Select(s => s.Layer));
        Assert.All(seen, s => Assert.Equal(!keepOutputs, s.Features.IsInvalid));
    }

    [Theory]
    [InlineData(GatysOptimizer.Lbfgs)]
    [InlineData(GatysOptimizer.Adam)]
    public void Optimisation_moves_the_photo_towards_the_painting_style(GatysOptimizer optimizer)
    {
        using var scope = torch.NewDisposeScope();
        var (content, style) = Images(64);
        var layers = GatysLayers.Choose(Block3);
        using var vgg = Vgg19Features.Load(EngineFixture.Vgg(), layers.Style.Concat(layers.Content));
        var reports = new List<GatysProgress>();
        var result = GatysTransfer.Run(vgg, layers, content, style,
            new GatysOptions { Iterations = 24, Scales = 2, MinScaleSide = 32, Optimizer = optimizer, AdamLearningRate = 0.05 },
            new Collect<GatysProgress>(reports));

        Assert.False(result.Cancelled);
        Assert.Equal(content.shape, result.Image.shape);
        Assert.Equal(24, reports.Count);
        Assert.Equal([1, 2], reports.Select(r => r.Scale).Distinct());
        var finest = reports.Where(r => r.Scale == 2).ToList();
        Assert.True(finest[^1].StyleLoss < finest[0].StyleLoss * 0.8, $"style loss {finest[0].StyleLoss} → {finest[^1].StyleLoss}");
        Assert.All(reports, r => Assert.NotNull(r.Eta));
        Assert.True((result.Image - content).abs().mean().item<float>() > 0.02f, "the result should not be the photo");
        // Progress follows the work, not the step count: the coarse scale (32 px) gets two thirds of
        // the iterations and a quarter of the pixels, so it is a third of the work (16·¼ / (16·¼ + 8)).
        var coarse = reports.Last(r => r.Scale == 1);
        Assert.Equal(16, coarse.Iteration);
        Assert.InRange(coarse.Work, 0.31, 0.36);
        Assert.Equal(1.0, reports[^1].Work, 6);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.Work > p.First.Work), "the work share only grows");
    }

    /// <summary>Two paintings blended (neural-style's -style_blend_weights): each share pulls the picture towards its painting.</summary>
    [Fact]
    public void A_blend_of_two_paintings_leans_towards_the_one_with_the_larger_share()
    {
        using var scope = torch.NewDisposeScope();
        var (content, starry) = Images(64);
        using var screamBitmap = ImageCodec.Decode(TestPaths.Style("the_scream.jpg"), long.MaxValue);
        using var screamSized = ImageCodec.ResizeToLongSide(screamBitmap, 64);
        var scream = ImageTensor.ToTensor(screamSized);
        var layers = GatysLayers.Choose(Block3);
        using var vgg = Vgg19Features.Load(EngineFixture.Vgg(), layers.Style.Concat(layers.Content));
        var options = new GatysOptions { Iterations = 30, Scales = 1 };

        // A zero share is no painting at all: the same picture as the other painting alone.
        var alone = GatysTransfer.Run(vgg, layers, content, starry, options).Image;
        var withNothing = GatysTransfer.Run(vgg, layers, content, [(starry, 0.7), (scream, 0.0)], options).Image;
        Assert.True(alone.allclose(withNothing, rtol: 1e-4, atol: 1e-5));

        double StyleDistance(Tensor image, Tensor painting) => GatysTransfer.Distances(vgg, layers, content, painting, image, options).Style;
        var mostlyStarry = GatysTransfer.Run(vgg, layers, content, [(starry, 0.7), (scream, 0.3)], options).Image;
        var mostlyScream = GatysTransfer.Run(vgg, layers, content, [(starry, 0.3), (scream, 0.7)], options).Image;
        Assert.True(StyleDistance(mostlyStarry, starry) < StyleDistance(mostlyScream, starry), "70 % Starry Night is nearer Starry Night than 30 %");
        Assert.True(StyleDistance(mostlyScream, scream) < StyleDistance(mostlyStarry, scream), "70 % Scream is nearer The Scream than 30 %");
        Assert.Throws<ArgumentException>(() => GatysTransfer.Run(vgg, layers, content, [(starry, 0.0), (scream, 0.0)], options));
    }

    [Fact]
    public void Cancellation_returns_the_best_image_so_far_at_full_size()
    {
        using var scope = torch.NewDisposeScope();
        var (content, style) = Images(64);
        var layers = GatysLayers.Choose(Block3);
        using var vgg = Vgg19Features.Load(EngineFixture.Vgg(), layers.Style.Concat(layers.Content));
        using var cancel = new CancellationTokenSource();
        var reports = new List<GatysProgress>();
        var result = GatysTransfer.Run(vgg, layers, content, style, new GatysOptions { Iterations = 1000, Scales = 2, MinScaleSide = 16 },
            new Collect<GatysProgress>(reports, r => { if (r.Iteration == 5) cancel.Cancel(); }), cancel.Token);

        Assert.True(result.Cancelled);
        Assert.Equal(5, result.Iterations);
        Assert.Equal(content.shape, result.Image.shape);
        Assert.InRange(result.Image.max().item<float>(), 0f, 1f);
    }

    [Fact]
    public void Preserve_colors_keeps_the_photo_chroma()
    {
        using var scope = torch.NewDisposeScope();
        var (content, style) = Images(48);
        var layers = GatysLayers.Choose(Block3);
        using var vgg = Vgg19Features.Load(EngineFixture.Vgg(), layers.Style.Concat(layers.Content));
        var options = new GatysOptions { Iterations = 10, Scales = 1 };
        var plain = GatysTransfer.Run(vgg, layers, content, style, options).Image;
        var kept = GatysTransfer.Run(vgg, layers, content, style, options with { PreserveColors = true }).Image;

        // Per-pixel chroma as the difference of each channel from the grey level.
        static Tensor Chroma(Tensor rgb) => rgb - rgb.mean([1], keepdim: true);
        var keptError = (Chroma(kept) - Chroma(content)).abs().mean().item<float>();
        var plainError = (Chroma(plain) - Chroma(content)).abs().mean().item<float>();
        Assert.True(keptError < 0.02f, $"chroma error with colours kept: {keptError}");
        Assert.True(keptError < plainError / 2, $"{keptError} should be well below {plainError}");
    }
}

internal sealed class Collect<T>(List<T> items, Action<T>? then = null) : IProgress<T>
{
    public void Report(T value)
    {
        items.Add(value);
        then?.Invoke(value);
    }
}
