using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Native;

/// <summary>
/// How the engine asks the device to compute: the arithmetic the GPU may use, the memory layout of
/// convolution weights, and the types the preset networks and Gatys' VGG run in. Made once from
/// <see cref="EngineOptions"/>, the device and the processor; the flags it sets are process-wide in
/// libtorch, so <see cref="Apply"/> runs on the tensor thread at the start of every job.
/// </summary>
public sealed record ComputeMode(bool OnCuda, bool Tf32, bool ChannelsLast, ScalarType PresetType, ScalarType GatysType = ScalarType.Float32)
{
    public static ComputeMode For(EngineOptions options, Device device) => For(options, device, CpuFeatures.Host);

    public static ComputeMode For(EngineOptions options, Device device, CpuFeatures cpu)
    {
        var cuda = device.type == DeviceType.CUDA;
        // bf16 pays only where the hardware multiplies it; on a GPU the defaults wait for its check's figures.
        var nativeBf16 = !cuda && cpu.NativeBf16;
        ScalarType Type(string precision) => precision switch
        {
            "bf16" => ScalarType.BFloat16,
            "fp32" => ScalarType.Float32,
            _ => nativeBf16 ? ScalarType.BFloat16 : ScalarType.Float32,
        };
        return new ComputeMode(
            OnCuda: cuda,
            Tf32: cuda && options.Precision == "tf32",
            ChannelsLast: options.ChannelsLast != "off",
            PresetType: Type(options.PresetPrecision),
            GatysType: Type(options.GatysPrecision));
    }

    /// <summary>Sets libtorch's TF32 switches to this mode's; a no-op without CUDA.</summary>
    public void Apply()
    {
        if (!OnCuda) return;
        // libtorch's own defaults differ (cuDNN on, cuBLAS off): both are set, so a mode means one thing.
        torch.backends.cudnn.allow_tf32 = Tf32;
        torch.backends.cuda.matmul.allow_tf32 = Tf32;
    }

    /// <summary>Moves a loaded network's convolution weights to channels-last when the mode says so; other parameters are left as they are.</summary>
    public T Prepare<T>(T network) where T : nn.Module
    {
        if (!ChannelsLast) return network;
        using var noGrad = torch.no_grad();
        foreach (var weight in network.parameters().Where(p => p.dim() == 4))
            weight.set_(ToChannelsLast(weight));
        return network;
    }

    /// <summary>
    /// The same [N,C,H,W] values stored as N,H,W,C. TorchSharp 0.107 has no memory_format
    /// argument; a permuted contiguous copy permuted back has exactly libtorch's channels-last strides.
    /// </summary>
    public static Tensor ToChannelsLast(Tensor nchw) => nchw.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    public override string ToString() =>
        $"{(Tf32 ? "TF32" : "fp32")} arithmetic, {(ChannelsLast ? "channels-last" : "NCHW")} weights, presets in {Name(PresetType)}, Gatys VGG in {Name(GatysType)}";

    private static string Name(ScalarType type) => type == ScalarType.BFloat16 ? "bf16" : "fp32";
}
