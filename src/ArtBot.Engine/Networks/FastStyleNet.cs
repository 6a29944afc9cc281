using ArtBot.Engine.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArtBot.Engine.Networks;

/// <summary>
/// Johnson et al.'s feed-forward style network as trained by Engstrom's fast-style-transfer
/// (the ml5 presets): 9×9 conv, two stride-2 convs, five residual blocks, two stride-2
/// transposed convs, 9×9 conv, then 150·tanh + 127.5. Input and output RGB 0..255.
/// The raw network; <see cref="Algorithms.FastStyle"/> handles borders and odd sizes.
/// </summary>
public sealed class FastStyleNet : nn.Module<Tensor, Tensor>
{
    private readonly ConvLayer conv1;
    private readonly ConvLayer conv2;
    private readonly ConvLayer conv3;
    private readonly ModuleList<ResidualBlock> residuals;
    private readonly UpsampleLayer deconv1;
    private readonly UpsampleLayer deconv2;
    private readonly ConvLayer output;

    private FastStyleNet(ConvLayer[] convs, ResidualBlock[] residuals, UpsampleLayer[] deconvs) : base("fast_style_net")
    {
        conv1 = convs[0];
        conv2 = convs[1];
        conv3 = convs[2];
        this.residuals = new ModuleList<ResidualBlock>(residuals);
        deconv1 = deconvs[0];
        deconv2 = deconvs[1];
        output = convs[3];
        RegisterComponents();
    }

    /// <summary>The type of its weights, which its input must have: fp32 as loaded, bf16 when the engine converts it.</summary>
    public ScalarType Precision => parameters().First().dtype;

    public override Tensor forward(Tensor rgb255)
    {
        using var scope = torch.NewDisposeScope();
        // Each activation is freed once the next layer has read it, not at the scope's end: at most a
        // layer's input and output are alive (at 1024 px the chain kept whole held ~300 MB more).
        var x = rgb255;
        foreach (var layer in new nn.Module<Tensor, Tensor>[] { conv1, conv2, conv3 }.Concat(residuals).Concat([deconv1, deconv2, output]))
        {
            var next = layer.forward(x);
            if (!ReferenceEquals(x, rgb255)) x.Dispose();
            x = next;
        }
        return x.tanh_().mul_(150f).add_(127.5f).clamp_(0f, 255f).MoveToOuterDisposeScope();
    }

    /// <summary>Loads a checkpoint manifest folder (Variable, Variable_1, … Variable_47).</summary>
    public static FastStyleNet Load(string folder)
    {
        var variables = CheckpointManifest.Load(folder);
        var source = Path.Combine(folder, CheckpointManifest.FileName);
        var next = 0;

        (NamedArray Kernel, Tensor Shift, Tensor Scale) Block(int kernel, long inChannels, long outChannels, bool transposed)
        {
            NamedArray Get(int index)
            {
                var name = index == 0 ? "Variable" : $"Variable_{index}";
                return variables.TryGetValue(name, out var v) ? v : throw new ModelLoadException(source, $"variable '{name}' is missing");
            }
            var k = Get(next);
            long[] expected = transposed ? [kernel, kernel, outChannels, inChannels] : [kernel, kernel, inChannels, outChannels];
            if (!k.Shape.SequenceEqual(expected))
                throw new ModelLoadException(source, $"{k} should have shape [{string.Join(",", expected)}]");
            var shift = TfPadding.Vector(Get(next + 1), outChannels, source);
            var scale = TfPadding.Vector(Get(next + 2), outChannels, source);
            next += 3;
            return (k, shift, scale);
        }

        ConvLayer Conv(string name, int kernel, long stride, long inC, long outC, bool relu)
        {
            var (k, shift, scale) = Block(kernel, inC, outC, transposed: false);
            return new ConvLayer(name, TfConv2d.Create(name + "_conv", k, null, stride, same: true, "linear", source), new InstanceNorm(name + "_norm", shift, scale), relu);
        }

        var conv1 = Conv("conv1", 9, 1, 3, 32, true);
        var conv2 = Conv("conv2", 3, 2, 32, 64, true);
        var conv3 = Conv("conv3", 3, 2, 64, 128, true);
        var residuals = Enumerable.Range(1, 5)
            .Select(i => new ResidualBlock($"residual{i}", Conv($"residual{i}a", 3, 1, 128, 128, true), Conv($"residual{i}b", 3, 1, 128, 128, false)))
            .ToArray();
        UpsampleLayer Up(string name, long inC, long outC)
        {
            var (k, shift, scale) = Block(3, inC, outC, transposed: true);
            return new UpsampleLayer(name, TfConvTranspose2d.Create(name + "_deconv", k, 2, source), new InstanceNorm(name + "_norm", shift, scale));
        }
        var deconv1 = Up("deconv1", 128, 64);
        var deconv2 = Up("deconv2", 64, 32);
        var output = Conv("output", 9, 1, 32, 3, false);
        var net = new FastStyleNet([conv1, conv2, conv3, output], residuals, [deconv1, deconv2]);
        net.eval();
        return net;
    }

    private sealed class ConvLayer : nn.Module<Tensor, Tensor>
    {
        private readonly TfConv2d conv;
        private readonly InstanceNorm norm;
        private readonly bool relu;

        public ConvLayer(string name, TfConv2d conv, InstanceNorm norm, bool relu) : base(name)
        {
            this.conv = conv;
            this.norm = norm;
            this.relu = relu;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var c = conv.forward(x);
            var y = norm.forward(c);
            return relu ? y.relu_() : y;
        }
    }

    private sealed class ResidualBlock : nn.Module<Tensor, Tensor>
    {
        private readonly ConvLayer first;
        private readonly ConvLayer second;

        public ResidualBlock(string name, ConvLayer first, ConvLayer second) : base(name)
        {
            this.first = first;
            this.second = second;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var a = first.forward(x);
            using var b = second.forward(a);
            return x + b;
        }
    }

    private sealed class UpsampleLayer : nn.Module<Tensor, Tensor>
    {
        private readonly TfConvTranspose2d deconv;
        private readonly InstanceNorm norm;

        public UpsampleLayer(string name, TfConvTranspose2d deconv, InstanceNorm norm) : base(name)
        {
            this.deconv = deconv;
            this.norm = norm;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var d = deconv.forward(x);
            return norm.forward(d).relu_();
        }
    }
}
