using System.ComponentModel.DataAnnotations;

namespace ArtBot.Engine;

/// <summary>Configuration section <c>Engine</c> (env: <c>ARTBOT_Engine__Threads</c> …; <c>ARTBOT_MODELS</c> overrides <see cref="ModelPaths"/>).</summary>
public sealed record EngineOptions
{
    public const string Section = "Engine";

    /// <summary>Folders searched in order for each model; relative ones are taken from <see cref="BasePath"/>. Empty: <see cref="DefaultModelPaths"/>.</summary>
    /// <remarks>Empty defaults: the configuration binder appends to a non-empty default array instead of replacing it.</remarks>
    public string[] ModelPaths { get; init; } = [];

    /// <summary>
    /// A path list (':'-separated) that replaces <see cref="ModelPaths"/>: the environment's
    /// <c>ARTBOT_MODELS</c>, which the host maps here, for a container or a shell that puts the weights elsewhere.
    /// </summary>
    public string? Models { get; init; }

    /// <summary>Where relative paths start: the application root (the folder holding <c>config/</c>).</summary>
    public string BasePath { get; init; } = "";

    /// <summary>Folder of preset descriptions (<c>*.json</c>).</summary>
    [Required]
    public string StylesPath { get; init; } = "styles";

    /// <summary>VGG folders tried in order. Empty: <see cref="DefaultVggModels"/>, a full VGG-19 first, the block-3 cut that ships here second.</summary>
    public string[] VggModels { get; init; } = [];

    [Required]
    public string DreamModel { get; init; } = "darknet-tiny";

    /// <summary>auto (CUDA when present), cpu or cuda.</summary>
    [Required, RegularExpression("^(auto|cpu|cuda)$")]
    public string Device { get; init; } = "auto";

    /// <summary>
    /// Arithmetic on a GPU: tf32 lets cuDNN convolutions and cuBLAS matrix products (the Gram
    /// matrices) use TensorFloat-32, several times faster on Ampere and later; fp32 is full
    /// precision. No effect on a CPU. <c>gpucheck</c> measures what tf32 costs in quality.
    /// </summary>
    [Required, RegularExpression("^(fp32|tf32)$")]
    public string Precision { get; init; } = "tf32";

    /// <summary>
    /// Preset networks (and the gallery) in fp32 or bfloat16. auto: bf16 on a CPU that computes it
    /// natively (AVX512-BF16 or AMX: about 1.7× faster, half the activations' memory; every preset
    /// holds ≥ 38 dB PSNR against fp32), fp32 elsewhere, on a GPU included until its check says otherwise.
    /// </summary>
    [Required, RegularExpression("^(auto|fp32|bf16)$")]
    public string PresetPrecision { get; init; } = "auto";

    /// <summary>
    /// Gatys transfer's VGG forward and backward in fp32, or in bfloat16 with Gram matrices, losses
    /// and L-BFGS in fp32 (auto: bf16 on a CPU that computes it natively). fp32 by default: with a
    /// bf16 VGG, 256 px × 60 iterations ran ~1.5× faster but ended 13 % off fp32's content distance
    /// and 4 % off its style distance (2-core Zen 4, 2026-11-30), past the 2 % a default may differ.
    /// </summary>
    [Required, RegularExpression("^(auto|fp32|bf16)$")]
    public string GatysPrecision { get; init; } = "fp32";

    /// <summary>
    /// Convolution weights stored channels-last (NHWC), so cuDNN and oneDNN run their NHWC kernels
    /// without reordering every activation: auto and on use it (on a 2-core Zen 4, Gatys 600 px
    /// ran 43 s → 35 s and a 1024 px bf16 preset peaked 990 → 790 MB), off keeps NCHW.
    /// </summary>
    [Required, RegularExpression("^(auto|on|off)$")]
    public string ChannelsLast { get; init; } = "auto";

    /// <summary>CPU threads for tensor work; 0 = TorchSharp's default (all cores).</summary>
    [Range(0, 1024)]
    public int Threads { get; init; }

    /// <summary>Decoded size above which an upload is refused unread (decompression bombs).</summary>
    [Range(1_000_000, 1_000_000_000)]
    public long MaxInputPixels { get; init; } = 50_000_000;

    /// <summary>Long side cap for every output.</summary>
    [Range(64, 8192)]
    public int MaxOutputSide { get; init; } = 2048;

    /// <summary>Long side of a preset result when the request names none.</summary>
    [Range(64, 8192)]
    public int PresetSide { get; init; } = 1024;

    /// <summary>The ffmpeg program animations are decoded and encoded with: a name looked up on the PATH, or a path.</summary>
    [Required]
    public string Ffmpeg { get; init; } = "ffmpeg";

    /// <summary>The ffprobe program that reads an upload's video stream.</summary>
    [Required]
    public string Ffprobe { get; init; } = "ffprobe";

    public static readonly string[] DefaultModelPaths = ["../shared/models", "models", "/models"];
    public static readonly string[] DefaultVggModels = ["vgg19", "vgg19-block3"];

    /// <summary>The folders searched for models, in order, as configured or by default.</summary>
    public IReadOnlyList<string> SearchPaths =>
        Models is { Length: > 0 } list ? list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        : ModelPaths.Length > 0 ? ModelPaths : DefaultModelPaths;

    public IReadOnlyList<string> VggFolders => VggModels.Length > 0 ? VggModels : DefaultVggModels;

    public string Resolve(string path) => Path.GetFullPath(Path.Combine(string.IsNullOrEmpty(BasePath) ? Directory.GetCurrentDirectory() : BasePath, path));
}
