using System.Diagnostics;
using ArtBot.Domain.Art;
using ArtBot.Engine.Algorithms;
using ArtBot.Engine.Imaging;
using ArtBot.Engine.Native;
using ArtBot.Engine.Networks;
using ArtBot.Engine.Weights;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine;

/// <summary>
/// The neural engine: decodes, runs the networks on one dedicated tensor thread, encodes.
/// Decoding and encoding happen on the thread pool, off the tensor thread, so with two jobs in
/// flight one is decoded or encoded while the other has the device.
/// Networks are loaded on first use and kept; they are created outside any dispose scope so
/// the per-job scopes never free their weights.
/// </summary>
public sealed class ArtEngine : IArtEngine, IDisposable
{
    private readonly EngineOptions options;
    private readonly ILogger<ArtEngine> logger;
    private readonly TorchThread thread = new();
    private readonly Video.Ffmpeg ffmpeg;
    private readonly ModelStore models;
    private readonly Device device;
    private readonly Dictionary<string, FastStyleNet> presetNets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Vgg19Features> vggNets = new();
    private readonly Dictionary<string, DarknetTiny> darknetNets = new();
    private TfjsLayersModel? vggModel;
    private TfjsLayersModel? darknetModel;
    private string[]? labels;

    /// <param name="presets">The catalog the host already read (see AddArtEngine); read from Engine:StylesPath when not given.</param>
    public ArtEngine(IOptions<EngineOptions> options, ILogger<ArtEngine> logger, PresetCatalog? presets = null)
    {
        this.options = options.Value;
        this.logger = logger;
        models = new ModelStore(this.options);
        ffmpeg = new Video.Ffmpeg(this.options.Ffmpeg, this.options.Ffprobe);
        Presets = presets ?? StyleFolder.Load(this.options.Resolve(this.options.StylesPath));
        device = thread.RunAsync(() => TorchDevice.Select(this.options.Device, this.options.Threads)).GetAwaiter().GetResult();
        Threads = thread.RunAsync(torch.get_num_threads).GetAwaiter().GetResult();
        Mode = ComputeMode.For(this.options, device);
        logger.LogInformation("Art engine on {Device} with {Threads} threads ({Mode}; the CPU has {Cpu}; {Allocator} allocator); models from {Paths}; {Count} presets",
            DeviceName, Threads, Mode, CpuFeatures.Host, NativeAllocator.Name, string.Join(", ", models.SearchPath), Presets.All.Count);
        if (NativeAllocator.Name == "glibc")
            logger.LogInformation("Tensors come from glibc's malloc, which unmaps and faults back every large block: preload libjemalloc.so.2 (artbot and the images do) for faster, leaner renders");
        LogRuntime();
    }

    public PresetCatalog Presets { get; }

    /// <summary>The arithmetic, weight layout and preset type the engine asks of its device.</summary>
    public ComputeMode Mode { get; }

    /// <summary>The libtorch in use: its folder, how it was found, its version.</summary>
    public LibTorchLocation? LibTorch => TorchNative.LibTorch;

    /// <summary>Waits for the device to finish what was queued (CUDA runs asynchronously); call it on the tensor thread before reading a clock.</summary>
    public void Synchronize()
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
    }

    /// <summary>The GPU, when the engine runs on CUDA.</summary>
    public GpuInfo? Gpu { get; private set; }

    /// <summary>Know what runs: libtorch's version and origin, CUDA, the GPU. TorchSharp 0.107 is built for libtorch 2.10; 2.11 was proven.</summary>
    private void LogRuntime()
    {
        var lib = LibTorch;
        if (device.type == DeviceType.CUDA) Gpu = GpuInfo.Query();
        logger.LogInformation("libtorch {Version} ({Source}: {Folder}); CUDA {Cuda}; GPU {Gpu}",
            lib?.Version ?? "unknown", lib?.Source ?? "none", lib?.Folder ?? "-",
            device.type == DeviceType.CUDA ? lib?.CudaVersion ?? "available" : "not used",
            Gpu is { } gpu ? $"{gpu.Name}, {gpu.MemoryMb} MiB" : "none");
        if (lib is { Source: not "bundled" } && !LibTorchLocator.IsKnown(lib.Version))
            logger.LogWarning("libtorch {Version} from {Folder} is neither 2.10 nor 2.11: TorchSharp 0.107 was built for 2.10; results may differ or calls fail",
                lib.Version ?? "of unknown version", lib.Folder);
    }

    public string DeviceName => device.type.ToString().ToLowerInvariant();

    public int Threads { get; }

    public async Task<ArtResult> PresetAsync(PresetRequest request, CancellationToken cancellationToken = default)
    {
        var preset = FindPreset(request.PresetId);
        var clock = Stopwatch.StartNew();
        var side = Math.Min(request.MaxSide ?? options.PresetSide, options.MaxOutputSide);
        using var sized = await DecodeAsync(request.Image, side, allowUpscale: false, cancellationToken);
        var painted = await OnTorchThread(() =>
        {
            var net = PresetNet(preset);
            using var scope = torch.NewDisposeScope();
            return new Painted(ImageTensor.ToBitmap(FastStyle.Apply(net, ImageTensor.ToTensor(sized, device))), $"preset {preset.Id} ({preset.Name.En})");
        }, cancellationToken);
        return await EncodeAsync(painted, request.Format, clock);
    }

    public Task<ArtResult> StylizeAsync(StylizeRequest request, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var defaults = new GatysOptions();
        var gatys = defaults with
        {
            Size = request.Size ?? defaults.Size,
            Iterations = request.Iterations ?? defaults.Iterations,
            PreserveColors = request.PreserveColors,
            StyleWeight = defaults.StyleWeight * request.StyleStrength,
        };
        var mapped = progress == null ? null : new SyncProgress<GatysProgress>(p =>
            progress.Report(new RenderProgress("stylize", p.Iteration, p.TotalIterations, p.Elapsed, p.Eta, p.TotalLoss, Snapshot(p.Current), p.Work)));
        if (request.SecondStyle is { } second)
        {
            var share = Math.Clamp(request.Blend, 0, 1);
            return StylizeAsync(request.Content, [(request.Style, share), (second, 1 - share)], gatys, request.Format, mapped, cancellationToken);
        }
        return StylizeAsync(request.Content, request.Style, gatys, request.Format, mapped, cancellationToken);
    }

    /// <summary>Gatys transfer with every option exposed (CLI, benchmarks).</summary>
    public Task<ArtResult> StylizeAsync(byte[] content, byte[] style, GatysOptions gatys, ImageFormat format = ImageFormat.Jpeg,
        IProgress<GatysProgress>? progress = null, CancellationToken cancellationToken = default) =>
        StylizeAsync(content, [(style, 1.0)], gatys, format, progress, cancellationToken);

    /// <summary>Gatys transfer of several paintings blended, each with its share of the style.</summary>
    public Task<ArtResult> StylizeAsync(byte[] content, IReadOnlyList<(byte[] Image, double Weight)> styles, GatysOptions gatys, ImageFormat format = ImageFormat.Jpeg,
        IProgress<GatysProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        gatys = gatys with { Size = Math.Clamp(gatys.Size, 16, options.MaxOutputSide) };
        return StylizeCoreAsync(content, styles, gatys, format, progress, cancellationToken);
    }

    private async Task<ArtResult> StylizeCoreAsync(byte[] content, IReadOnlyList<(byte[] Image, double Weight)> styles, GatysOptions gatys, ImageFormat format,
        IProgress<GatysProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var contentSized = await DecodeAsync(content, gatys.Size, allowUpscale: true, CancellationToken.None);
        var paintings = new List<(SKBitmap Image, double Weight)>();
        try
        {
            foreach (var (image, weight) in styles) paintings.Add((await DecodeAsync(image, StyleSide(gatys), allowUpscale: true, CancellationToken.None), weight));
            // The user's cancel is the algorithm's to see: it returns the best image so far, which is delivered.
            var painted = await OnTorchThread(() =>
            {
                var model = VggModel();
                var layers = GatysLayers.Choose(Vgg19Features.AvailableLayers(model), gatys.StyleLayers, gatys.ContentLayers);
                var vgg = VggNet(layers.Style.Concat(layers.Content), Mode.GatysType);
                using var scope = torch.NewDisposeScope();
                logger.LogInformation("Gatys {Width}x{Height}, {Iterations} iterations, {Optimizer}, {Paintings} painting(s); {Layers}",
                    contentSized.Width, contentSized.Height, gatys.Iterations, gatys.Optimizer, paintings.Count, layers.Description);
                var result = GatysTransfer.Run(vgg, layers, ImageTensor.ToTensor(contentSized, device),
                    paintings.Select(p => (ImageTensor.ToTensor(p.Image, device), p.Weight)).ToList(), gatys, progress, cancellationToken);
                var blend = paintings.Count > 1
                    ? $", {paintings.Count} paintings blended {string.Join("/", paintings.Select(p => Math.Round(100 * p.Weight / paintings.Sum(q => q.Weight))))}"
                    : "";
                return new Painted(ImageTensor.ToBitmap(result.Image), $"Gatys transfer, {result.Iterations} iterations{blend}; {layers.Description}", result.Cancelled);
            }, CancellationToken.None);
            return await EncodeAsync(painted, format, clock);
        }
        finally
        {
            foreach (var (image, _) in paintings) image.Dispose();
        }
    }

    /// <summary>
    /// How far a finished picture is from its content photo and its painting, by the measures
    /// Gatys optimises (content: feature MSE; style: Gram MSE, each averaged over its layers,
    /// unweighted), always in full fp32 whatever <see cref="Mode"/> says: the yardstick for
    /// comparing precisions at equal iterations.
    /// </summary>
    public async Task<GatysDistances> GatysDistancesAsync(byte[] content, byte[] style, byte[] picture, GatysOptions gatys, CancellationToken cancellationToken = default)
    {
        using var image = await DecodeAsync(picture, options.MaxOutputSide, allowUpscale: false, cancellationToken);
        using var contentSized = await DecodeAsync(content, Math.Max(image.Width, image.Height), allowUpscale: true, cancellationToken);
        using var styleSized = await DecodeAsync(style, StyleSide(gatys with { Size = Math.Max(image.Width, image.Height) }), allowUpscale: true, cancellationToken);
        return await OnTorchThread(() =>
        {
            (Mode with { Tf32 = false }).Apply();
            var layers = GatysLayers.Choose(Vgg19Features.AvailableLayers(VggModel()), gatys.StyleLayers, gatys.ContentLayers);
            var vgg = VggNet(layers.Style.Concat(layers.Content), ScalarType.Float32);
            using var scope = torch.NewDisposeScope();
            var contentTensor = GatysTransfer.Resize(ImageTensor.ToTensor(contentSized, device), image.Height, image.Width);
            return GatysTransfer.Distances(vgg, layers, contentTensor, ImageTensor.ToTensor(styleSized, device), ImageTensor.ToTensor(image, device), gatys);
        }, cancellationToken);
    }

    private int StyleSide(GatysOptions gatys) => (int)Math.Clamp(Math.Round(gatys.Size * gatys.StyleScale), 16, options.MaxOutputSide);

    public Task<ArtResult> DreamAsync(DreamRequest request, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var defaults = new DreamOptions();
        var dream = defaults with { Size = request.Size ?? defaults.Size, Steps = request.Steps ?? defaults.Steps };
        var mapped = progress == null ? null : new SyncProgress<DreamProgress>(p =>
            progress.Report(new RenderProgress("dream", p.Step, p.TotalSteps, p.Elapsed, p.Eta, p.Activation, Snapshot(p.Current), p.Work)));
        return DreamAsync(request.Image, dream, request.Format, mapped, cancellationToken);
    }

    /// <summary>DeepDream with every option exposed (CLI, benchmarks).</summary>
    public Task<ArtResult> DreamAsync(byte[] image, DreamOptions dream, ImageFormat format = ImageFormat.Jpeg,
        IProgress<DreamProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        dream = dream with { Size = Math.Clamp(dream.Size, 16, options.MaxOutputSide) };
        return DreamCoreAsync(image, dream, format, progress, cancellationToken);
    }

    private async Task<ArtResult> DreamCoreAsync(byte[] image, DreamOptions dream, ImageFormat format, IProgress<DreamProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var sized = await DecodeAsync(image, dream.Size, allowUpscale: false, CancellationToken.None);
        var painted = await OnTorchThread(() =>
        {
            Func<Tensor, Dictionary<string, Tensor>> network;
            IReadOnlyList<string> layers;
            if (dream.Network == DreamNetwork.Vgg)
            {
                var available = Vgg19Features.AvailableLayers(VggModel());
                layers = dream.Layers ?? [available.Contains(DreamLayers.Vgg) ? DreamLayers.Vgg : available[^2]];
                CheckLayers(layers, available);
                var vgg = VggNet(layers, ScalarType.Float32);
                network = x => vgg.forward(Vgg19Features.Preprocess(x));
            }
            else
            {
                var available = DarknetTiny.AvailableLayers(DarknetModel());
                layers = dream.Layers ?? [DreamLayers.Darknet];
                CheckLayers(layers, available);
                var darknet = DarknetNet(layers);
                network = darknet.forward;
            }
            using var scope = torch.NewDisposeScope();
            var result = DeepDream.Run(network, layers, ImageTensor.ToTensor(sized, device), dream, progress, cancellationToken);
            var net = dream.Network == DreamNetwork.Vgg ? "VGG-19" : "Darknet-tiny";
            return new Painted(ImageTensor.ToBitmap(result.Image), $"DeepDream on {net} {string.Join(", ", layers)}, {dream.Octaves} octaves × {dream.Steps} steps", result.Cancelled);
        }, CancellationToken.None);
        return await EncodeAsync(painted, format, clock);
    }

    /// <summary>
    /// A preset over every frame of an animation or a short video, smoothed against flicker
    /// (<see cref="AnimatedPreset"/>), back as H.264 MP4. Decoding and encoding are ffmpeg
    /// processes beside the tensor thread; only the frames' painting holds it.
    /// </summary>
    public Task<AnimationResult> AnimateAsync(AnimationRequest request, CancellationToken cancellationToken = default) => AnimateAsync(request, null, cancellationToken);

    /// <param name="progress">Each frame as it is painted (the command line's bar).</param>
    public async Task<AnimationResult> AnimateAsync(AnimationRequest request, IProgress<StepProgress>? progress, CancellationToken cancellationToken = default)
    {
        var preset = FindPreset(request.PresetId);
        var clock = Stopwatch.StartNew();
        var video = await ffmpeg.DecodeAsync(request.Video, Math.Clamp(request.MaxSide, 16, options.MaxOutputSide), request.MaxSeconds, request.Fps, cancellationToken);
        var painted = await OnTorchThread(() => AnimatedPreset.Paint(PresetNet(preset), video, device, new AnimationOptions(request.Smoothing), cancellationToken,
            (done, total) => progress?.Report(new StepProgress(done, total, clock.Elapsed))), cancellationToken);
        var mp4 = await ffmpeg.EncodeAsync(video with { Frames = painted }, cancellationToken);
        return new AnimationResult(mp4, video.Width, video.Height, painted.Count, video.Fps, clock.Elapsed,
            $"preset {preset.Id} ({preset.Name.En}) over {painted.Count} frames at {video.Fps} fps, smoothing {request.Smoothing:0.##}");
    }

    public Task<ArtResult> GalleryAsync(GalleryRequest request, CancellationToken cancellationToken = default) => GalleryAsync(request, null, cancellationToken);

    /// <param name="progress">Each preset's tile as it is painted (the command line's bar).</param>
    public async Task<ArtResult> GalleryAsync(GalleryRequest request, IProgress<StepProgress>? progress, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        using var thumb = await DecodeAsync(request.Image, request.TileSide, allowUpscale: false, cancellationToken);
        var tiles = await OnTorchThread(() =>
        {
            // A preset whose weights this host lacks is left out of the sheet, as the menu leaves it out.
            var nets = Presets.All.Select(p => (Preset: p, Net: TryPresetNet(p))).Where(p => p.Net != null).Select(p => (p.Preset, Net: p.Net!)).ToList();
            if (nets.Count == 0) throw new ArtUnavailableException(ArtCapability.Presets, "no preset's weights could be loaded");
            using var scope = torch.NewDisposeScope();
            var input = ImageTensor.ToTensor(thumb, device);
            var painted = new List<(SKBitmap Image, string Caption)>();
            try
            {
                foreach (var (preset, net) in nets)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var tileScope = torch.NewDisposeScope();
                    painted.Add((ImageTensor.ToBitmap(FastStyle.Apply(net, input)), $"{painted.Count + 1}. {preset.Name.For(request.Language)}"));
                    progress?.Report(new StepProgress(painted.Count, nets.Count, clock.Elapsed));
                }
                return painted;
            }
            catch
            {
                foreach (var (tile, _) in painted) tile.Dispose();
                throw;
            }
        }, cancellationToken);
        try
        {
            // The sheet is laid out and encoded off the tensor thread, as every other picture is.
            var sheet = await Task.Run(() => ContactSheet.Compose(tiles), CancellationToken.None);
            return await EncodeAsync(new Painted(sheet, $"gallery of {tiles.Count} presets"), request.Format, clock);
        }
        finally
        {
            foreach (var (tile, _) in tiles) tile.Dispose();
        }
    }

    public Task<IReadOnlyList<Prediction>> ClassifyAsync(byte[] image, int top = 5, CancellationToken cancellationToken = default) =>
        OnTorchThread<IReadOnlyList<Prediction>>(() =>
        {
            var net = DarknetNet([DarknetTiny.Logits]);
            var names = Labels();
            using var scope = torch.NewDisposeScope();
            using var inference = torch.inference_mode();
            using var photo = Decode(image);
            // The classifier was trained and exported on 224×224 squashed inputs (as ml5 feeds it).
            using var sized = ImageCodec.Resize(photo, 224, 224);
            var logits = net.forward(ImageTensor.ToTensor(sized, device))[DarknetTiny.Logits][0].cpu();
            var (values, indices) = logits.topk(Math.Clamp(top, 1, (int)logits.shape[0]));
            var v = values.data<float>().ToArray();
            var ix = indices.data<long>().ToArray();
            return ix.Select((index, i) => new Prediction((int)index, index < names.Length ? names[index] : $"class {index}", v[i])).ToList();
        }, cancellationToken);

    private int disposed;

    /// <summary>Idempotent: the container disposes the engine once per registration (class and interface).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        thread.RunAsync(() =>
        {
            foreach (var net in presetNets.Values) net.Dispose();
            foreach (var net in vggNets.Values) net.Dispose();
            foreach (var net in darknetNets.Values) net.Dispose();
            return true;
        }).Wait(TimeSpan.FromSeconds(10));
        thread.Dispose();
    }

    /// <summary>Runs tensor work on the engine's thread, in this engine's <see cref="Mode"/> (libtorch's switches are process-wide).</summary>
    internal Task<T> OnTorchThread<T>(Func<T> job, CancellationToken cancellationToken = default) =>
        thread.RunAsync(() =>
        {
            Mode.Apply();
            return job();
        }, cancellationToken);

    internal Device Device => device;

    internal FastStyleNet PresetNet(string id) => PresetNet(FindPreset(id));

    private FastStyleNet? TryPresetNet(StylePreset preset)
    {
        try
        {
            return PresetNet(preset);
        }
        catch (ArtUnavailableException e)
        {
            logger.LogWarning("Preset {Preset} left out of the sheet: {Problem}", preset.Id, e.Message);
            return null;
        }
    }

    /// <summary>Reports on the reporting thread, in order (System.Progress posts to the thread pool).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private StylePreset FindPreset(string id) =>
        Presets.Find(id) ?? throw new ArtInputException(ArtInputError.UnknownPreset,
            $"unknown preset '{id}'; the presets are {string.Join(", ", Presets.All.Select(p => p.Id))}");

    private SKBitmap Decode(byte[] data) => ImageCodec.Decode(data, options.MaxInputPixels);

    /// <summary>Long side of a live preview: enough to see the picture form in a chat, small to send.</summary>
    public const int PreviewSide = 512;

    /// <summary>A preview of the image as it stands; runs on the tensor thread when the listener asks, inside its report.</summary>
    private static Func<byte[]>? Snapshot(Func<Tensor>? current) => current == null ? null : () =>
    {
        using var scope = torch.NewDisposeScope();
        using var bitmap = ImageTensor.ToBitmap(current());
        using var small = ImageCodec.ResizeToLongSide(bitmap, Math.Min(PreviewSide, Math.Max(bitmap.Width, bitmap.Height)));
        return ImageCodec.Encode(small, ImageFormat.Jpeg);
    };

    /// <summary>Decodes and scales an upload on the thread pool, not on the tensor thread.</summary>
    private Task<SKBitmap> DecodeAsync(byte[] data, int longSide, bool allowUpscale, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            using var photo = Decode(data);
            return ImageCodec.ResizeToLongSide(photo, longSide, allowUpscale);
        }, cancellationToken);

    /// <summary>A picture back from the device, before encoding.</summary>
    private sealed record Painted(SKBitmap Image, string Description, bool Cancelled = false);

    private static async Task<ArtResult> EncodeAsync(Painted painted, ImageFormat format, Stopwatch clock)
    {
        using var bitmap = painted.Image;
        var bytes = await Task.Run(() => ImageCodec.Encode(bitmap, format));
        return new ArtResult(bytes, format, bitmap.Width, bitmap.Height, clock.Elapsed, painted.Description, painted.Cancelled);
    }

    private static void CheckLayers(IReadOnlyList<string> layers, IReadOnlyList<string> available)
    {
        var missing = layers.Where(l => !available.Contains(l)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"unknown layer(s) {string.Join(", ", missing)}; available: {string.Join(", ", available)}");
    }

    private FastStyleNet PresetNet(StylePreset preset)
    {
        if (!presetNets.TryGetValue(preset.Id, out var net))
        {
            net = Loaded(ArtCapability.Presets, () => FastStyleNet.Load(models.Find(preset.Weights)));
            net.to(device).to(Mode.PresetType);
            Mode.Prepare(net);
            presetNets[preset.Id] = net;
        }
        return net;
    }

    private TfjsLayersModel VggModel() => vggModel ??= Loaded(ArtCapability.Gatys, () => TfjsLayersModel.Load(models.Find(options.VggFolders)));

    private TfjsLayersModel DarknetModel() => darknetModel ??= Loaded(ArtCapability.Dream, () => TfjsLayersModel.Load(models.Find(options.DreamModel)));

    /// <summary>Weights that are missing or broken make the capability unavailable on this host: trying again will not help.</summary>
    private static T Loaded<T>(ArtCapability capability, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (ModelLoadException e)
        {
            throw new ArtUnavailableException(capability, e.Message, e);
        }
    }

    /// <summary>Gatys' VGG in <paramref name="type"/>: the distances are always measured by an fp32 one.</summary>
    private Vgg19Features VggNet(IEnumerable<string> layers, ScalarType type) =>
        Cached(vggNets, layers, wanted => Vgg19Features.Load(VggModel(), wanted), type);

    private DarknetTiny DarknetNet(IEnumerable<string> layers) => Cached(darknetNets, layers, wanted => DarknetTiny.Load(DarknetModel(), wanted));

    /// <summary>One network per layer set: each computes only up to the deepest layer it is asked for.</summary>
    private T Cached<T>(Dictionary<string, T> cache, IEnumerable<string> layers, Func<List<string>, T> load, ScalarType type = ScalarType.Float32) where T : nn.Module
    {
        var wanted = layers.Distinct().Order(StringComparer.Ordinal).ToList();
        var key = $"{type}:{string.Join(",", wanted)}";
        if (!cache.TryGetValue(key, out var net))
        {
            net = load(wanted);
            net.to(device).to(type).eval();
            Mode.Prepare(net);
            cache[key] = net;
        }
        return net;
    }

    private string[] Labels()
    {
        if (labels != null) return labels;
        var path = Path.Combine(DarknetModel().Folder, "labels.txt");
        if (!File.Exists(path)) throw new ArtUnavailableException(ArtCapability.Dream, $"{path}: class names are missing");
        return labels = File.ReadAllLines(path);
    }
}

/// <summary>How far a job of equal steps (a gallery's tiles, an animation's frames) has come.</summary>
public sealed record StepProgress(int Step, int Steps, TimeSpan Elapsed);
