using ArtBot.Engine.Networks;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ArtBot.Engine.Algorithms;

/// <param name="Margin">Reflected border added before the network and cropped after. The
/// upstream nets zero-pad every conv, which paints a frame as deep as their receptive field
/// (about 60 px; 32 still shows on flat areas such as sky); the frame now falls in the margin.</param>
public sealed record FastStyleOptions(int Margin = 64);

/// <summary>Runs a preset network on any image size, output the size of the input.</summary>
public static class FastStyle
{
    /// <param name="rgb01">[1,3,H,W] RGB in 0..1.</param>
    /// <returns>[1,3,H,W] RGB in 0..1.</returns>
    public static Tensor Apply(FastStyleNet net, Tensor rgb01, FastStyleOptions? options = null)
    {
        options ??= new FastStyleOptions();
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        var height = rgb01.shape[2];
        var width = rgb01.shape[3];
        var margin = Math.Max(0, options.Margin);
        // Two stride-2 convs and two ×2 transposed convs: sides must be multiples of 4 to come back the same size.
        var extraH = (4 - (height + 2 * margin) % 4) % 4;
        var extraW = (4 - (width + 2 * margin) % 4) % 4;
        long[] pad = [margin, margin + extraW, margin, margin + extraH];
        // Reflection needs the padding to be smaller than the side; tiny images replicate instead.
        var mode = pad.Max() < Math.Min(height, width) ? PaddingModes.Reflect : PaddingModes.Replicate;
        // A bf16 network gets bf16 pixels; what comes back is fp32 again for everything after.
        var padded = F.pad(rgb01 * 255f, pad, mode).to_type(net.Precision);
        var stylized = net.forward(padded).to_type(ScalarType.Float32);
        return (stylized.narrow(2, margin, height).narrow(3, margin, width) / 255f).contiguous().MoveToOuterDisposeScope();
    }
}
