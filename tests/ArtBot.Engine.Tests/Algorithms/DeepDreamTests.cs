using ArtBot.Engine.Algorithms;
using ArtBot.Engine.Imaging;
using ArtBot.Engine.Networks;
using ArtBot.Engine.Weights;
using TorchSharp;

namespace ArtBot.Engine.Tests.Algorithms;

public sealed class DeepDreamTests
{
    public DeepDreamTests() => Native.TorchNative.EnsureLoaded();

    [Fact]
    public void Dream_amplifies_the_layer_and_keeps_the_size()
    {
        using var scope = torch.NewDisposeScope();
        using var net = DarknetTiny.Load(TfjsLayersModel.Load(Path.Combine(TestPaths.Models, "darknet-tiny")), ["leaky_re_lu_12"]);
        using var photo = ImageCodec.Decode(TestPaths.Content("dog.jpg"), long.MaxValue);
        using var small = ImageCodec.ResizeToLongSide(photo, 96);
        var image = ImageTensor.ToTensor(small);
        var reports = new List<DreamProgress>();
        var result = DeepDream.Run(net.forward, ["leaky_re_lu_12"], image, new DreamOptions { Octaves = 3, Steps = 4 }, new Collect<DreamProgress>(reports));

        Assert.Equal(image.shape, result.Image.shape);
        Assert.Equal(12, reports.Count);
        Assert.Equal(12, reports[^1].TotalSteps);
        using (torch.no_grad())
        {
            double Activation(torch.Tensor x) => net.forward(x)["leaky_re_lu_12"].square().mean().item<float>();
            Assert.True(Activation(result.Image) > Activation(image) * 1.5, "the dream should excite the layer far more than the photo does");
        }
        Assert.InRange(result.Image.min().item<float>(), 0f, 1f);
        Assert.InRange(result.Image.max().item<float>(), 0f, 1f);
    }

    [Fact]
    public void Cancelled_dream_still_returns_an_image_of_the_right_size()
    {
        using var scope = torch.NewDisposeScope();
        using var net = DarknetTiny.Load(TfjsLayersModel.Load(Path.Combine(TestPaths.Models, "darknet-tiny")), ["leaky_re_lu_8"]);
        var image = torch.rand(1, 3, 70, 90);
        using var cancel = new CancellationTokenSource();
        var result = DeepDream.Run(net.forward, ["leaky_re_lu_8"], image, new DreamOptions { Octaves = 3, Steps = 50 },
            new Collect<DreamProgress>([], p => { if (p.Step == 3) cancel.Cancel(); }), cancel.Token);
        Assert.True(result.Cancelled);
        Assert.Equal(image.shape, result.Image.shape);
    }
}
