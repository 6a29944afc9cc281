using ArtBot.Engine.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ArtBot.Engine.Networks;

/// <summary>TensorFlow padding rules, which PyTorch's symmetric <c>padding=</c> cannot express.</summary>
internal static class TfPadding
{
    /// <summary>
    /// <c>SAME</c>: output = ceil(size / stride); when the total padding is odd the extra
    /// pixel goes after (bottom/right), which matters for stride 2.
    /// </summary>
    public static (long Before, long After) Same(long size, long kernel, long stride)
    {
        var output = (size + stride - 1) / stride;
        var total = Math.Max((output - 1) * stride + kernel - size, 0);
        return (total / 2, total - total / 2);
    }

    /// <summary>Tensor from a TensorFlow kernel (HWIO for conv, H,W,OUT,IN for transposed conv) in PyTorch's layout.</summary>
    public static Tensor KernelToTorch(NamedArray kernel, string source)
    {
        if (kernel.Shape.Length != 4) throw new ModelLoadException(source, $"{kernel} is not a 4-D kernel");
        using var hwio = torch.tensor(kernel.Data, kernel.Shape);
        // HWIO -> OIHW for conv2d; H,W,OUT,IN -> IN,OUT,H,W for conv_transpose2d: the same permutation.
        return hwio.permute(3, 2, 0, 1).contiguous();
    }

    public static Tensor Vector(NamedArray values, long length, string source)
    {
        if (values.Shape.Length != 1 || values.Shape[0] != length)
            throw new ModelLoadException(source, $"{values} should be a vector of {length}");
        return torch.tensor(values.Data);
    }

    public static Parameter Frozen(Tensor t) => new(t, requires_grad: false);
}

/// <summary>Conv2D with TensorFlow <c>SAME</c>/<c>VALID</c> padding and an optional fused activation.</summary>
internal sealed class TfConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly long stride;
    private readonly bool same;
    private readonly string activation;

    private TfConv2d(string name, Tensor weight, Tensor bias, long stride, bool same, string activation) : base(name)
    {
        this.weight = TfPadding.Frozen(weight);
        this.bias = TfPadding.Frozen(bias);
        this.stride = stride;
        this.same = same;
        this.activation = activation;
        RegisterComponents();
    }

    public static TfConv2d Create(string name, NamedArray kernel, NamedArray? bias, long stride, bool same, string activation, string source)
    {
        var w = TfPadding.KernelToTorch(kernel, source);
        var outChannels = w.shape[0];
        var b = bias == null ? torch.zeros(outChannels) : TfPadding.Vector(bias, outChannels, source);
        return new TfConv2d(name, w, b, stride, same, activation);
    }

    public override Tensor forward(Tensor x)
    {
        var kh = weight.shape[2];
        var kw = weight.shape[3];
        Tensor y;
        if (!same)
        {
            y = F.conv2d(x, weight, bias, strides: [stride, stride]);
        }
        else
        {
            var (top, bottom) = TfPadding.Same(x.shape[2], kh, stride);
            var (left, right) = TfPadding.Same(x.shape[3], kw, stride);
            if (top == bottom && left == right)
            {
                y = F.conv2d(x, weight, bias, strides: [stride, stride], padding: [top, left]);
            }
            else
            {
                using var padded = F.pad(x, [left, right, top, bottom]);
                y = F.conv2d(padded, weight, bias, strides: [stride, stride]);
            }
        }
        return activation switch
        {
            "relu" => y.relu_(),
            _ => y,
        };
    }
}

/// <summary>
/// TensorFlow <c>conv2d_transpose</c> with <c>SAME</c> padding and output = input × stride. That
/// is the gradient of a SAME conv, whose padding sits bottom/right, so it equals PyTorch's
/// unpadded transposed conv with the trailing rows/columns cropped, not
/// <c>padding=1, output_padding=1</c>, which crops the leading ones.
/// </summary>
internal sealed class TfConvTranspose2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly long stride;

    private TfConvTranspose2d(string name, Tensor weight, long stride) : base(name)
    {
        this.weight = TfPadding.Frozen(weight);
        this.stride = stride;
        RegisterComponents();
    }

    public static TfConvTranspose2d Create(string name, NamedArray kernel, long stride, string source) =>
        new(name, TfPadding.KernelToTorch(kernel, source), stride);

    public override Tensor forward(Tensor x)
    {
        var outH = x.shape[2] * stride;
        var outW = x.shape[3] * stride;
        using var full = F.conv_transpose2d(x, weight, strides: [stride, stride]);
        var (top, _) = TfPadding.Same(outH, weight.shape[2], stride);
        var (left, _) = TfPadding.Same(outW, weight.shape[3], stride);
        return full.narrow(2, top, outH).narrow(3, left, outW).contiguous();
    }
}

/// <summary>Keras BatchNormalization in inference mode, reduced to a per-channel affine map.</summary>
internal sealed class TfBatchNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter scale;
    private readonly Parameter shift;

    private TfBatchNorm(string name, Tensor scale, Tensor shift) : base(name)
    {
        this.scale = TfPadding.Frozen(scale);
        this.shift = TfPadding.Frozen(shift);
        RegisterComponents();
    }

    public static TfBatchNorm Create(string name, NamedArray? gamma, NamedArray? beta, NamedArray mean, NamedArray variance, double epsilon, string source)
    {
        var channels = mean.Shape[0];
        using var g = gamma == null ? torch.ones(channels) : TfPadding.Vector(gamma, channels, source);
        using var b = beta == null ? torch.zeros(channels) : TfPadding.Vector(beta, channels, source);
        using var m = TfPadding.Vector(mean, channels, source);
        using var v = TfPadding.Vector(variance, channels, source);
        var scale = g / (v + epsilon).sqrt();
        var shift = b - m * scale;
        return new TfBatchNorm(name, scale.reshape(1, channels, 1, 1), shift.reshape(1, channels, 1, 1));
    }

    public override Tensor forward(Tensor x) => torch.addcmul(shift, x, scale, 1);
}

/// <summary>Engstrom's instance norm: per-channel mean and biased variance over H×W, epsilon 1e-3.</summary>
internal sealed class InstanceNorm : nn.Module<Tensor, Tensor>
{
    private const double Epsilon = 1e-3;
    private readonly Parameter shift;
    private readonly Parameter scale;

    public InstanceNorm(string name, Tensor shift, Tensor scale) : base(name)
    {
        this.shift = TfPadding.Frozen(shift);
        this.scale = TfPadding.Frozen(scale);
        RegisterComponents();
    }

    // group_norm with one group per channel is instance norm, in one fused ATen kernel.
    public override Tensor forward(Tensor x) => F.group_norm(x, x.shape[1], scale, shift, Epsilon);
}

internal sealed class LeakyRelu(string name, double alpha) : nn.Module<Tensor, Tensor>(name)
{
    public override Tensor forward(Tensor x) => F.leaky_relu(x, alpha);
}

/// <summary>MaxPooling2D; <c>SAME</c> pads with −∞ after, like TensorFlow.</summary>
internal sealed class TfMaxPool2d(string name, long pool, long stride, bool same) : nn.Module<Tensor, Tensor>(name)
{
    public override Tensor forward(Tensor x)
    {
        if (!same) return F.max_pool2d(x, [pool, pool], [stride, stride]);
        var (top, bottom) = TfPadding.Same(x.shape[2], pool, stride);
        var (left, right) = TfPadding.Same(x.shape[3], pool, stride);
        if (top + bottom + left + right == 0) return F.max_pool2d(x, [pool, pool], [stride, stride]);
        using var padded = F.pad(x, [left, right, top, bottom], value: double.NegativeInfinity);
        return F.max_pool2d(padded, [pool, pool], [stride, stride]);
    }
}

internal sealed class GlobalAveragePool(string name) : nn.Module<Tensor, Tensor>(name)
{
    public override Tensor forward(Tensor x) => x.mean([2, 3]);
}
