using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Algorithms;

/// <summary>‖F − P‖² / ‖P‖² on one layer's features (Gatys eq. 1, made scale-free).</summary>
internal sealed class ContentLoss : nn.Module<Tensor, Tensor>
{
    private readonly Tensor target;
    private readonly Tensor norm;

    public ContentLoss(Tensor target) : base("content_loss")
    {
        // The handles made on the way are disposed here: they would keep the network's features alive.
        using var detached = target.detach();
        this.target = detached.to_type(ScalarType.Float32, copy: true);
        norm = this.target.square().sum().clamp_min(1e-8);
        RegisterComponents();
    }

    // A bf16 network's features are compared in fp32: the difference shrinks as the picture converges, below bf16's resolution.
    // Fused: a difference and its square, held by the step's dispose scope through backward, would add two feature maps to the peak.
    public override Tensor forward(Tensor features) =>
        nn.functional.mse_loss(features.to_type(ScalarType.Float32), target, nn.Reduction.Sum) / norm;
}

/// <summary>‖G − A‖² / ‖A‖² between Gram matrices of one layer (Gatys eq. 4, made scale-free).</summary>
internal sealed class StyleLoss : nn.Module<Tensor, Tensor>
{
    private readonly Tensor target;
    private readonly Tensor norm;

    public StyleLoss(Tensor styleFeatures) : base("style_loss")
    {
        using var detached = styleFeatures.detach();
        target = Gram(detached);
        norm = target.square().sum().clamp_min(1e-12);
        RegisterComponents();
    }

    public override Tensor forward(Tensor features)
    {
        using var gram = Gram(features);
        return (gram - target).square().sum() / norm;
    }

    /// <summary>
    /// Feature correlations normalised by C·H·W, so style images of any size compare; in fp32 whatever
    /// the features' type (a bf16 VGG's): summing H·W products in bf16 would lose the style's fine differences.
    /// </summary>
    public static Tensor Gram(Tensor features)
    {
        if (features.dtype != ScalarType.Float32)
        {
            using var full = features.to_type(ScalarType.Float32);
            return Gram(full);
        }
        var (c, h, w) = (features.shape[1], features.shape[2], features.shape[3]);
        // Channels-last features are already (H·W)×C in memory: Fᵀ·F from that view copies nothing.
        if (c > 1 && features.stride(1) == 1)
        {
            using var nhwc = features.permute(0, 2, 3, 1);
            using var pixels = nhwc.reshape(h * w, c);
            using var columns = pixels.t();
            using var product = columns.mm(pixels);
            return product / (c * h * w);
        }
        using var flat = features.reshape(c, h * w);
        using var rows = flat.t();
        using var flatProduct = flat.mm(rows);
        return flatProduct / (c * h * w);
    }
}

/// <summary>Mean squared difference of neighbouring pixels: keeps the optimised image from going grainy.</summary>
internal sealed class TotalVariationLoss() : nn.Module<Tensor, Tensor>("tv_loss")
{
    public override Tensor forward(Tensor image)
    {
        using var scope = torch.NewDisposeScope();
        var h = image.shape[2];
        var w = image.shape[3];
        var dy = image.narrow(2, 1, h - 1) - image.narrow(2, 0, h - 1);
        var dx = image.narrow(3, 1, w - 1) - image.narrow(3, 0, w - 1);
        return (dy.square().mean() + dx.square().mean()).MoveToOuterDisposeScope();
    }
}
