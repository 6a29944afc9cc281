using SkiaSharp;
using System.Text.Json;
using ArtBot.Domain.Art;
using ArtBot.Engine;
using ArtBot.Engine.Algorithms;
using ArtBot.Engine.Imaging;
using ArtBot.Engine.Weights;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArtBot.Host.Cli;

/// <summary>
/// <c>artbot VERB …</c>. Positional arguments are fixed so scripts can rely on them; results go
/// to standard output, progress and logs to standard error. Exit codes: 0 done, 1 failure,
/// 2 unusable input, 3 missing or corrupt weights, 64 usage, 130 cancelled (best image so far written).
/// </summary>
public static class CommandLine
{
    public const int Ok = 0, Failure = 1, BadInput = 2, BadModel = 3, Usage = 64, Cancelled = 130;

    private sealed record Verb(string Name, string Synopsis, string Help, string[] ValueOptions, string[] Flags, Func<ParsedArgs, Func<ArtEngine>, CancellationToken, Task<int>> Run);

    // The defaults the help shows are the ones the code uses: read from the same records.
    private static readonly GatysOptions G = new();
    private static readonly DreamOptions D = new();
    private static readonly AnimationRequest A = new([], "");
    private static readonly GalleryRequest Sheet = new([]);
    private const int SheetSide = 384, BenchRuns = 5, ClassifyTop = 5, QueueJobs = 10_000, QueueCostMs = 50, SoakJobs = 200;
    private const string QueueWorkers = "1,2,4,8";

    private static string N(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static readonly string[] GlobalValues = ["--threads", "--device", "--models"];
    private static readonly string[] GlobalFlags = ["-v", "--verbose", "-h", "--help"];

    private static readonly Verb[] Verbs =
    [
        new("preset", "preset NAME IMAGE -o OUT [--size N]",
            $"Paint IMAGE with the fast preset network NAME (see `artbot presets`).\n  -o OUT       output .jpg/.jpeg/.png\n  --size N     long side of the result (default: the photo's, up to Engine:PresetSide, {new ArtBot.Engine.EngineOptions().PresetSide})",
            ["-o", "--output", "--size"], [], PresetAsync),
        new("stylize", "stylize CONTENT STYLE -o OUT [--size N] [--iterations N] [options]",
            $"""
            Gatys et al. neural style transfer: CONTENT painted in the style of STYLE.
              -o OUT                output .jpg/.jpeg/.png
              --size N              long side of the result (default {G.Size})
              --iterations N        optimisation steps over all scales (default {G.Iterations})
              --content-weight X    (default {N(G.ContentWeight)})      --style-weight X  (default {N(G.StyleWeight)})
              --tv-weight X         total variation (default {N(G.TvWeight)})
              --optimizer NAME      lbfgs or adam (default {G.Optimizer.ToString().ToLowerInvariant()});   --lr X  Adam step (default {N(G.AdamLearningRate)})
              --init NAME           content or noise (default {G.Init.ToString().ToLowerInvariant()}); --seed N for the noise (default {G.Seed})
              --style-scale X       style image size relative to the output (default {N(G.StyleScale)})
              --scales N            coarse-to-fine scales (default {G.Scales}); --min-scale N smallest side (default {G.MinScaleSide})
              --preserve-colors     transfer on luminance, keep the photo's colours
              --style-layers a,b    --content-layers a   VGG layers (default: the Gatys set, or the deepest available)
              --blend-with STYLE2   a second painting, blended with STYLE;  --blend X  STYLE's share, 0..1 (default 0.5)
              --previews DIR        write the picture as it forms at 20, 40, 60 and 80 % (the bot's live preview)
            """,
            ["-o", "--output", "--size", "--iterations", "--content-weight", "--style-weight", "--tv-weight", "--optimizer", "--lr", "--init",
             "--seed", "--style-scale", "--scales", "--min-scale", "--style-layers", "--content-layers", "--blend-with", "--blend", "--previews"], ["--preserve-colors"], StylizeAsync),
        new("dream", "dream IMAGE -o OUT [options]",
            $"""
            DeepDream: amplify what a classifier sees in IMAGE.
              -o OUT                output .jpg/.jpeg/.png
              --size N              long side (default {D.Size})
              --octaves N           (default {D.Octaves})   --octave-scale X (default {N(D.OctaveScale)})
              --steps N             per octave (default {D.Steps})   --step-size X (default {N(D.StepSize)})
              --layers a,b          (default {DreamLayers.Darknet} on darknet; {DreamLayers.Vgg} on vgg when the network has it, else its last but one)
              --jitter N            pixels (default {D.Jitter})   --seed N (default {D.Seed})
              --network NAME        darknet or vgg (default {D.Network.ToString().ToLowerInvariant()})
            """,
            ["-o", "--output", "--size", "--octaves", "--octave-scale", "--steps", "--step-size", "--layers", "--jitter", "--network", "--seed"], [], DreamAsync),
        new("classify", "classify IMAGE [--top N]",
            $"Print the Darknet-tiny ImageNet top-N (--top N, default {ClassifyTop}) as index, label, logit: proof that the dream network is the real classifier.",
            ["--top"], [], ClassifyAsync),
        new("gallery", "gallery IMAGE -o OUT [--tile N] [--lang en|ru]",
            $"Render IMAGE in every preset as one captioned contact sheet (the bot's preset-menu preview).\n  --tile N     tile long side (default {Sheet.TileSide})\n  --lang L     caption language, en or ru (default {Sheet.Language.ToString().ToLowerInvariant()})",
            ["-o", "--output", "--tile", "--lang"], [], GalleryAsync),
        new("animate", "animate NAME VIDEO -o OUT.mp4 [--size N] [--seconds S] [--fps N] [--smoothing X] [--strip FILE]",
            $"Paint every frame of an animation or a short video (GIF, MP4, WebM, MOV: whatever ffmpeg reads) with the preset NAME,\nsmoothed against flicker, as H.264 MP4. Needs ffmpeg and ffprobe on the PATH.\n  --size N       long side (default {A.MaxSide})\n  --seconds S    at most this much of it (default {N(A.MaxSeconds)})\n  --fps N        frames a second (default {A.Fps})\n  --smoothing X  0 to 0.95, where 0 paints every frame afresh (default {N(A.Smoothing)})\n  --strip FILE   also five of the painted frames side by side, as a picture",
            ["-o", "--output", "--size", "--seconds", "--fps", "--smoothing", "--strip"], [], AnimateAsync),
        new("sheet", "sheet IMAGE[=CAPTION]... -o OUT [--side N] [--columns N]",
            $"Lay images out side by side, each with its caption (the file name when none), as one picture: how docs/ shows a\nblend beside its paintings.\n  --side N     each image's long side (default {SheetSide})\n  --columns N  images a row (default: all in one row)",
            ["-o", "--output", "--side", "--columns"], [], SheetAsync),
        new("run", "run [--role all|receiver|worker]",
            "Start the chat bot on every configured platform (Telegram: set ARTBOT_Telegram__Token; VK: ARTBOT_Vk__Token and ARTBOT_Vk__GroupId).\nWith none, a local web chat at http://127.0.0.1:8080/ (Web:Enabled=true runs it beside them). Runs until Ctrl+C.\n  --role R     all (default): one process does everything; receiver: talks to the platforms and books jobs;\n               worker: renders and delivers. Split roles need Storage:Provider=postgres (see README, Storage).",
            ["--role"], [], RunBotAsync),
        new("presets", "presets", "List the presets: id, English and Russian names, painting.", [], [], PresetsAsync),
        new("health", "health [URL]",
            "Ask a running bot's /healthz (default http://127.0.0.1:8081/healthz, Ops:Port) and exit 0 when it is ready, 1 when not:\nthe container's HEALTHCHECK. Prints the answer.",
            [], [], HealthAsync),
        new("bench", "bench [--quick] [--runs N] [--vs-pytorch]",
            $"Measure the engine on this machine and print one JSON object (preset_512_ms, preset_1024_ms, gatys_512_s_per_iter,\ngatys_default_total_s, gatys_600x200_s, dream_default_s, preset_memory_growth_mb over 50 runs, peak_rss_mb_by_kind (preset_1024,\ngatys_600x200, dream), peak_rss_mb, mode, cpu, allocator, device, threads).\n  --quick      estimate gatys_default_total_s from per-scale timings instead of running it\n  --runs N     timed preset runs for the medians (default {BenchRuns})\n  --vs-pytorch also run the same shapes in PyTorch ({PyTorchPeer.Script}, when python3 has torch) and print\n               {{\"artbot\": …, \"pytorch\": …, \"ratios\": …}} (ArtBot's time over PyTorch's)",
            ["--runs"], ["--quick", "--vs-pytorch"], BenchAsync),
        new("bench-soak", "bench-soak [--jobs N]",
            $"A worker serving N mixed jobs in a row (--jobs, default {SoakJobs}): presets at 1024 px, galleries, dreams, Gatys at 600 px with\nfew iterations, in a day's proportions. Prints one JSON object: resident memory after the 20th job and after the last\n(rss_growth_pct; goal within 10 %), jobs an hour, mean seconds by kind, live tensors.",
            ["--jobs"], [], BenchSoakAsync),
        new("bench-queue", "bench-queue [--jobs N] [--provider litedb|postgres] [--workers 1,2,4,8] [--cost-ms 50]",
            $"Measure the queue holding N queued jobs (--jobs, default {QueueJobs}) on a temporary LiteDB file, or on a fresh schema of the PostgreSQL\nnamed by ARTBOT_Storage__ConnectionString: time to pick the next job, to compute a position, to accept one update (photo →\nstored, preview queued, menu answered), and jobs an hour for each count of workers (--workers, default {QueueWorkers}) whose render is a stand-in of --cost-ms (default {QueueCostMs}).\nPrints one JSON object.",
            ["--jobs", "--provider", "--workers", "--cost-ms"], [], BenchQueueAsync),
        new("bench-web-flood", "bench-web-flood [--uploads 50] [--files 10] [--mb 19]",
            "Flood the web chat as one attacker would (a throwaway bot in this process): load the page --uploads times from one network,\nthen send that many uploads at once, each of --files photos of about --mb MB. Prints one JSON object: the answers by\nstatus, peak RSS over idle, database growth.",
            ["--uploads", "--files", "--mb"], [], BenchWebFloodAsync),
        new("demo", "demo [-o DIR]",
            "The embedded default: a bundled photo of Tübingen painted with the 'wave' preset (512 px) and, by Gatys transfer, in the style of\nVan Gogh's Starry Night (384 px, 120 iterations). Writes DIR/demo-preset.jpg and DIR/demo-gatys.jpg (default DIR: out).",
            ["-o", "--output"], [], DemoAsync),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var output = stdout ?? Console.Out;
        var errors = stderr ?? Console.Error;
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await output.WriteLineAsync(Usage_());
            return args.Length == 0 ? Usage : Ok;
        }

        if (args[0] is "--version" or "version")
        {
            await output.WriteLineAsync(Version());
            return Ok;
        }

        var verb = Verbs.FirstOrDefault(v => v.Name == args[0]);
        if (verb == null)
        {
            await errors.WriteLineAsync($"artbot: unknown command '{args[0]}'\n\n{Usage_()}");
            return Usage;
        }

        ParsedArgs parsed;
        try
        {
            parsed = new ParsedArgs(args.Skip(1), verb.ValueOptions.Concat(GlobalValues).ToHashSet(), verb.Flags.Concat(GlobalFlags).ToHashSet());
        }
        catch (UsageException e)
        {
            await errors.WriteLineAsync($"artbot {verb.Name}: {e.Message}\nusage: artbot {verb.Synopsis}");
            return Usage;
        }
        if (parsed.Has("-h") || parsed.Has("--help"))
        {
            await output.WriteLineAsync($"usage: artbot {verb.Synopsis}\n\n{verb.Help}\n\nGlobal options: --threads N, --device auto|cpu|cuda, --models PATH[:PATH…], -v/--verbose");
            return Ok;
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        ServiceProvider? services = null;
        try
        {
            var overrides = new Dictionary<string, string?>();
            if (parsed.Int("--threads", 0, 1024) is { } threads) overrides["Engine:Threads"] = threads.ToString();
            if (parsed.String("--device") is { } device) overrides["Engine:Device"] = device;
            if (parsed.String("--models") is { } models) overrides["Engine:Models"] = models;
            var level = parsed.Has("-v") || parsed.Has("--verbose") ? LogLevel.Information : LogLevel.Warning;

            ArtEngine Engine()
            {
                if (services == null)
                {
                    var builder = AppHost.CreateBuilder([], overrides, level);
                    services = builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
                    _ = services.GetRequiredService<IOptions<EngineOptions>>().Value;
                }
                return services.GetRequiredService<ArtEngine>();
            }

            return await verb.Run(parsed, Engine, cancel.Token);
        }
        catch (UsageException e)
        {
            await errors.WriteLineAsync($"artbot {verb.Name}: {e.Message}\nusage: artbot {verb.Synopsis}");
            return Usage;
        }
        catch (InputFileException e)
        {
            await errors.WriteLineAsync($"artbot {verb.Name}: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is ModelLoadException or ArtUnavailableException { InnerException: ModelLoadException })
        {
            await errors.WriteLineAsync($"artbot {verb.Name}: model error: {e.Message}");
            return BadModel;
        }
        catch (ArtUnavailableException e)
        {
            await errors.WriteLineAsync($"artbot {verb.Name}: {e.Message}");
            return Failure;
        }
        catch (ArtBot.Engine.Native.LibTorchNotFoundException e)
        {
            await errors.WriteLineAsync(e.Message);
            return Failure;
        }
        catch (Exception e) when (ArtBot.Configuration.OptionsRegistration.Problem(e) is { } problem)
        {
            await errors.WriteLineAsync($"artbot {verb.Name}: configuration: {problem}");
            return BadInput;
        }
        catch (ArgumentException e)
        {
            await errors.WriteLineAsync($"artbot {verb.Name}: {e.Message}\nusage: artbot {verb.Synopsis}");
            return Usage;
        }
        catch (OperationCanceledException)
        {
            await errors.WriteLineAsync($"artbot {verb.Name}: cancelled");
            return Cancelled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or InvalidDataException or DirectoryNotFoundException)
        {
            await errors.WriteLineAsync($"artbot {verb.Name}: {e.Message}");
            return Failure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            services?.Dispose();
        }
    }

    /// <summary>What a bug report needs: the version and commit, the backend the build binds, and the libtorch it found.</summary>
    private static string Version()
    {
        var host = typeof(CommandLine).Assembly;
        var informational = host.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";
        var (version, commit) = informational.IndexOf('+') is > 0 and var plus ? (informational[..plus], informational[(plus + 1)..]) : (informational, "unknown");
        var backend = typeof(ArtEngine).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "unknown";
        string libtorch;
        try
        {
            ArtBot.Engine.Native.TorchNative.EnsureLoaded();
            libtorch = ArtBot.Engine.Native.TorchNative.LibTorch is { } lib ? $"{lib.Version ?? "unknown"} ({lib.Source}: {lib.Folder})" : "not loaded";
        }
        catch (ArtBot.Engine.Native.LibTorchNotFoundException e)
        {
            libtorch = $"not found ({e.Message})";
        }
        return $"artbot {version}\ncommit {(commit.Length > 12 ? commit[..12] : commit)}\nbackend {backend}\nlibtorch {libtorch}"
            + $"\ncpu {ArtBot.Engine.Native.CpuFeatures.Host}\nallocator {ArtBot.Engine.Native.NativeAllocator.Name}";
    }

    private static string Usage_() =>
        "ArtBot: neural style transfer, fast style presets and DeepDream.\n\nusage:\n"
        + string.Join("\n", Verbs.Select(v => "  artbot " + v.Synopsis))
        + "\n\n`artbot VERB --help` for the options of one verb; `artbot --version` for the version, commit, backend, libtorch, CPU and allocator.";

    /// <summary>A user-supplied file that cannot be used, with the reason in one line.</summary>
    private sealed class InputFileException(string message) : Exception(message);

    private static byte[] ReadInput(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputFileException($"{path}: file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException($"{path}: cannot be read ({e.Message})");
        }
    }

    private static async Task<T> WithInput<T>(string path, Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (ArtInputException e)
        {
            throw new InputFileException($"{path}: {e.Message}");
        }
    }

    private static string[] Positionals(ParsedArgs args, params string[] names)
    {
        if (args.Positionals.Count != names.Length)
            throw new UsageException(args.Positionals.Count < names.Length
                ? $"missing {string.Join(" ", names.Skip(args.Positionals.Count))}"
                : $"unexpected argument '{args.Positionals[names.Length]}'");
        return args.Positionals.ToArray();
    }

    private static string OutputPath(ParsedArgs args)
    {
        var path = args.String("-o") ?? args.String("--output") ?? throw new UsageException("missing -o OUT");
        _ = ImageCodec.FormatForPath(path);
        return path;
    }

    private static async Task WriteResultAsync(string path, ArtResult result)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory != null) Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(path, result.Image);
        Console.WriteLine($"{path}: {result.Width}×{result.Height} in {result.Elapsed.TotalSeconds:0.0} s{(result.Cancelled ? " (cancelled: best so far)" : "")} — {result.Description}");
    }

    private static async Task<int> PresetAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        var p = Positionals(args, "NAME", "IMAGE");
        var output = OutputPath(args);
        var size = args.Int("--size", 16, 8192);
        var image = ReadInput(p[1]);
        var result = await WithInput(p[1], () => engine().PresetAsync(new PresetRequest(image, p[0], size, ImageCodec.FormatForPath(output)), ct));
        await WriteResultAsync(output, result);
        return Ok;
    }

    private static async Task<int> StylizeAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        var p = Positionals(args, "CONTENT", "STYLE");
        var output = OutputPath(args);
        var d = new GatysOptions();
        var options = d with
        {
            Size = args.Int("--size", 16, 8192) ?? d.Size,
            Iterations = args.Int("--iterations", 1, 100_000) ?? d.Iterations,
            ContentWeight = args.Double("--content-weight", 0) ?? d.ContentWeight,
            StyleWeight = args.Double("--style-weight", 0) ?? d.StyleWeight,
            TvWeight = args.Double("--tv-weight", 0) ?? d.TvWeight,
            Optimizer = args.Enum<GatysOptimizer>("--optimizer") ?? d.Optimizer,
            AdamLearningRate = args.Double("--lr", 1e-6, 10) ?? d.AdamLearningRate,
            Init = args.Enum<GatysInit>("--init") ?? d.Init,
            Seed = args.Int("--seed") ?? d.Seed,
            StyleScale = args.Double("--style-scale", 0.05, 8) ?? d.StyleScale,
            Scales = args.Int("--scales", 1, 8) ?? d.Scales,
            MinScaleSide = args.Int("--min-scale", 16, 8192) ?? d.MinScaleSide,
            PreserveColors = args.Has("--preserve-colors"),
            StyleLayers = args.List("--style-layers"),
            ContentLayers = args.List("--content-layers"),
        };
        var content = ReadInput(p[0]);
        var style = ReadInput(p[1]);
        if (args.Has("--blend") && !args.Has("--blend-with")) throw new UsageException("--blend is the first painting's share of a blend: it needs --blend-with STYLE2");
        var share = args.Double("--blend", 0, 1) ?? 0.5;
        IReadOnlyList<(byte[], double)> paintings = args.String("--blend-with") is { } second
            ? [(style, share), (ReadInput(second), 1 - share)]
            : [(style, 1.0)];
        using var bar = new ConsoleProgress("stylize");
        var previews = args.String("--previews");
        if (previews != null) Directory.CreateDirectory(previews);
        var nextPreview = 0.2;
        var progress = new Reporter<GatysProgress>(g =>
        {
            bar.Report(g.Iteration, g.TotalIterations, g.Elapsed, g.Eta,
                $"scale {g.Scale}/{g.Scales} {g.Width}×{g.Height} loss {g.TotalLoss:0.###} (c {g.ContentLoss:0.###} s {g.StyleLoss:0.###} tv {g.TvLoss:0.###})");
            // The same marks as the bot's live preview; the picture at its scale of the moment.
            if (previews == null || g.Current == null || (double)g.Iteration / g.TotalIterations < nextPreview || nextPreview > 0.8 + 1e-9) return;
            using var bitmap = ImageTensor.ToBitmap(g.Current());
            File.WriteAllBytes(Path.Combine(previews, $"preview-{(int)Math.Round(nextPreview * 100):00}.jpg"), ImageCodec.Encode(bitmap, ImageFormat.Jpeg));
            nextPreview += 0.2;
        });
        var result = await WithInput($"{p[0]} or {p[1]}", () => engine().StylizeAsync(content, paintings, options, ImageCodec.FormatForPath(output), progress, ct));
        bar.Dispose();
        await WriteResultAsync(output, result);
        return result.Cancelled ? Cancelled : Ok;
    }

    private static async Task<int> DreamAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        var p = Positionals(args, "IMAGE");
        var output = OutputPath(args);
        var d = new DreamOptions();
        var options = d with
        {
            Size = args.Int("--size", 16, 8192) ?? d.Size,
            Octaves = args.Int("--octaves", 1, 12) ?? d.Octaves,
            OctaveScale = args.Double("--octave-scale", 1.01, 4) ?? d.OctaveScale,
            Steps = args.Int("--steps", 1, 10_000) ?? d.Steps,
            StepSize = args.Double("--step-size", 1e-6, 1) ?? d.StepSize,
            Layers = args.List("--layers"),
            Jitter = args.Int("--jitter", 0, 512) ?? d.Jitter,
            Network = args.Enum<DreamNetwork>("--network") ?? d.Network,
            Seed = args.Int("--seed") ?? d.Seed,
        };
        var image = ReadInput(p[0]);
        using var bar = new ConsoleProgress("dream");
        var progress = new Reporter<DreamProgress>(g => bar.Report(g.Step, g.TotalSteps, g.Elapsed, g.Eta, $"octave {g.Octave}/{g.Octaves}"));
        var result = await WithInput(p[0], () => engine().DreamAsync(image, options, ImageCodec.FormatForPath(output), progress, ct));
        bar.Dispose();
        await WriteResultAsync(output, result);
        return result.Cancelled ? Cancelled : Ok;
    }

    private static async Task<int> ClassifyAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        var p = Positionals(args, "IMAGE");
        var top = args.Int("--top", 1, 1000) ?? ClassifyTop;
        var image = ReadInput(p[0]);
        var predictions = await WithInput(p[0], () => engine().ClassifyAsync(image, top, ct));
        foreach (var prediction in predictions)
            Console.WriteLine($"{prediction.Index}\t{prediction.Label}\t{prediction.Logit:0.000}");
        return Ok;
    }

    private static async Task<int> GalleryAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        var p = Positionals(args, "IMAGE");
        var output = OutputPath(args);
        var tile = args.Int("--tile", 32, 1024) ?? Sheet.TileSide;
        var language = args.Enum<Language>("--lang") ?? Sheet.Language;
        var image = ReadInput(p[0]);
        using var bar = new ConsoleProgress("gallery");
        var progress = new Reporter<StepProgress>(g => bar.Report(g.Step, g.Steps, g.Elapsed, g.Step == 0 ? null : g.Elapsed / g.Step * (g.Steps - g.Step), "presets"));
        var result = await WithInput(p[0], () => engine().GalleryAsync(new GalleryRequest(image, tile, language, ImageCodec.FormatForPath(output)), progress, ct));
        bar.Dispose();
        await WriteResultAsync(output, result);
        return Ok;
    }

    private static async Task<int> AnimateAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        var p = Positionals(args, "NAME", "VIDEO");
        var output = args.String("-o") ?? args.String("--output") ?? throw new UsageException("missing -o OUT.mp4");
        var request = new AnimationRequest(ReadInput(p[1]), p[0], args.Int("--size", 16, 2048) ?? A.MaxSide, args.Double("--seconds", 0.1, 60) ?? A.MaxSeconds,
            args.Int("--fps", 1, 60) ?? A.Fps, args.Double("--smoothing", 0, 0.95) ?? A.Smoothing);
        using var bar = new ConsoleProgress("animate");
        var progress = new Reporter<StepProgress>(g => bar.Report(g.Step, g.Steps, g.Elapsed, g.Step == 0 ? null : g.Elapsed / g.Step * (g.Steps - g.Step), "frames"));
        var result = await WithInput(p[1], () => engine().AnimateAsync(request, progress, ct));
        bar.Dispose();
        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        if (directory != null) Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(output, result.Video, ct);
        Console.WriteLine($"{output}: {result.Width}×{result.Height}, {result.Frames} frames in {result.Elapsed.TotalSeconds:0.0} s — {result.Description}");
        if (args.String("--strip") is { } strip)
        {
            var frames = await new ArtBot.Engine.Video.Ffmpeg().DecodeAsync(result.Video, Math.Max(result.Width, result.Height), 60, result.Fps, ct);
            var tiles = Enumerable.Range(0, 5).Select(i => frames.Frames.Count * i / 5)
                .Select(i => (Image: Bitmap(frames.Frames[i], frames.Width, frames.Height), Caption: $"{(double)i / frames.Fps:0.0} s")).ToList();
            try
            {
                using var sheet = ContactSheet.Compose(tiles, tiles.Count);
                await File.WriteAllBytesAsync(strip, ImageCodec.Encode(sheet, ImageCodec.FormatForPath(strip)), ct);
                Console.WriteLine($"{strip}: {tiles.Count} frames side by side");
            }
            finally
            {
                foreach (var (image, _) in tiles) image.Dispose();
            }
        }
        return Ok;
    }

    /// <summary>A packed RGB24 frame as a bitmap.</summary>
    private static SKBitmap Bitmap(byte[] rgb, int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = new byte[width * height * 4];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
            (pixels[j], pixels[j + 1], pixels[j + 2], pixels[j + 3]) = (rgb[i], rgb[i + 1], rgb[i + 2], 255);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return bitmap;
    }

    private static async Task<int> SheetAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        if (args.Positionals.Count == 0) throw new UsageException("missing IMAGE");
        var output = OutputPath(args);
        var side = args.Int("--side", 32, 2048) ?? SheetSide;
        var tiles = new List<(SKBitmap Image, string Caption)>();
        try
        {
            foreach (var item in args.Positionals)
            {
                var (path, caption) = item.IndexOf('=') is > 0 and var at ? (item[..at], item[(at + 1)..]) : (item, Path.GetFileNameWithoutExtension(item));
                using var decoded = ImageCodec.Decode(ReadInput(path), long.MaxValue);
                tiles.Add((ImageCodec.ResizeToLongSide(decoded, side, allowUpscale: true), caption));
            }
            using var sheet = ContactSheet.Compose(tiles, args.Int("--columns", 1, 64) ?? tiles.Count);
            var directory = Path.GetDirectoryName(Path.GetFullPath(output));
            if (directory != null) Directory.CreateDirectory(directory);
            await File.WriteAllBytesAsync(output, ImageCodec.Encode(sheet, ImageCodec.FormatForPath(output)), ct);
            Console.WriteLine($"{output}: {sheet.Width}×{sheet.Height}, {tiles.Count} images");
            return Ok;
        }
        finally
        {
            foreach (var (image, _) in tiles) image.Dispose();
        }
    }

    private static async Task<int> HealthAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        var url = args.Positionals.Count > 0 ? args.Positionals[0] : "http://127.0.0.1:8081/healthz";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await http.GetAsync(url, ct);
            Console.WriteLine(await response.Content.ReadAsStringAsync(ct));
            return response.IsSuccessStatusCode ? Ok : Failure;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"artbot health: {url}: {e.Message}");
            return Failure;
        }
    }

    private static Task<int> PresetsAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        Positionals(args);
        foreach (var preset in engine().Presets.All)
            Console.WriteLine($"{preset.Id}\t{preset.Name.En}\t{preset.Name.Ru}\t{preset.Painting?.En}");
        return Task.FromResult(Ok);
    }

    private static async Task<int> BenchAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        Positionals(args);
        var runs = args.Int("--runs", 1, 100) ?? BenchRuns;
        var loaded = engine();
        // On standard error, so standard output stays one JSON object.
        using var bar = new ConsoleProgress("bench");
        var report = await EngineBenchmark.RunAsync(loaded, Samples.Read("tubingen.jpg"), Samples.Read("starry_night.jpg"), runs, quick: args.Has("--quick"), ct,
            new Reporter<BenchStep>(s => bar.Report(s.Step, s.Steps, s.Elapsed, null, s.What)));
        bar.Dispose();
        var indented = new JsonSerializerOptions { WriteIndented = true };
        if (!args.Has("--vs-pytorch"))
        {
            Console.WriteLine(JsonSerializer.Serialize(report, indented));
            return Ok;
        }
        Console.Error.WriteLine($"bench: the same shapes in PyTorch ({PyTorchPeer.Script})…");
        var comparison = await PyTorchPeer.CompareAsync(report, AppRoot.Find(), ct);
        comparison.Insert(0, "artbot", System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(report)));
        Console.WriteLine(comparison.ToJsonString(indented));
        return Ok;
    }

    private static async Task<int> BenchSoakAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        Positionals(args);
        var jobs = args.Int("--jobs", 20, 100_000) ?? SoakJobs;
        var loaded = engine();
        using var bar = new ConsoleProgress("bench-soak");
        var report = await DrainBenchmark.RunAsync(loaded, Samples.Read("tubingen.jpg"), Samples.Read("starry_night.jpg"), jobs, slots: 1, MixSizes.Cpu, ct,
            new Reporter<BenchStep>(s => bar.Report(s.Step, s.Steps, s.Elapsed, null, s.What)));
        bar.Dispose();
        Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        return Ok;
    }

    private static async Task<int> RunBotAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        Positionals(args);
        var overrides = new Dictionary<string, string?>();
        if (args.Int("--threads", 0, 1024) is { } threads) overrides["Engine:Threads"] = threads.ToString();
        if (args.String("--device") is { } device) overrides["Engine:Device"] = device;
        if (args.String("--role") is { } role) overrides["Bot:Role"] = role;
        if (args.String("--models") is { } models) overrides["Engine:Models"] = models;
        var builder = BotHost.CreateBuilder(overrides);
        var platforms = BotHost.ConfiguredPlatforms(builder.Configuration);
        if (platforms.Count == 0)
        {
            Console.Error.WriteLine("artbot run: no chat platform is on; set ARTBOT_Telegram__Token, or ARTBOT_Vk__Token and ARTBOT_Vk__GroupId, or leave Web:Enabled unset (see README)");
            return Usage;
        }
        using var host = builder.Build();
        // Every area's options first: a typo stops here, before a file is opened or a device started.
        host.Services.GetService<IStartupValidator>()?.Validate();
        try
        {
            // Opened before anything starts, so a second process on the same LiteDB file, or a
            // PostgreSQL that cannot be reached, stops here in one line (the schema is migrated here too).
            host.Services.GetService<ArtBot.Storage.ArtBotDatabase>();
            host.Services.GetService<ArtBot.Storage.Postgres.PostgresDatabase>();
        }
        catch (ArtBot.Storage.DatabaseInUseException e)
        {
            Console.Error.WriteLine($"artbot run: {e.Message}");
            return Failure;
        }
        catch (System.Data.Common.DbException e)
        {
            Console.Error.WriteLine($"artbot run: the database cannot be used: {e.Message}");
            return Failure;
        }
        // Probed and logged before anything is served: what this host can render.
        host.Services.GetService<ArtCapabilities>();
        return await BotHost.RunAsync(host, Console.Error, ct, () =>
        {
            Console.Error.WriteLine($"artbot: serving {string.Join(", ", platforms)}; Ctrl+C stops");
            // Said once the server listens, so the address can be opened at once.
            if (platforms.Contains(ArtBot.Web.WebMessenger.PlatformName))
                Console.Error.WriteLine($"artbot: web chat at {host.Services.GetRequiredService<IOptions<ArtBot.Web.WebOptions>>().Value.Url}");
        });
    }

    private static async Task<int> BenchQueueAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        Positionals(args);
        var jobs = args.Int("--jobs", 1, 1_000_000) ?? QueueJobs;
        var workers = (args.String("--workers") ?? QueueWorkers).Split(',').Select(w => int.TryParse(w, out var n) && n is > 0 and <= 64 ? n
            : throw new UsageException($"--workers takes counts from 1 to 64, like 1,2,4,8, not '{w}'")).ToList();
        var cost = TimeSpan.FromMilliseconds(args.Int("--cost-ms", 1, 60_000) ?? QueueCostMs);
        var presets = StyleFolder.Load(Path.Combine(AppRoot.Find(), "styles"));
        using var stores = (args.String("--provider") ?? "litedb") switch
        {
            "litedb" => BenchStoresFactory.LiteDb(presets, QueueBenchmark.NullMessenger.Instance),
            "postgres" => BenchStoresFactory.Postgres(Environment.GetEnvironmentVariable("ARTBOT_Storage__ConnectionString")
                ?? throw new UsageException("--provider postgres needs ARTBOT_Storage__ConnectionString (a database where it may create a schema)"), presets, QueueBenchmark.NullMessenger.Instance),
            var other => throw new UsageException($"--provider is litedb or postgres, not '{other}'"),
        };
        var report = await QueueBenchmark.RunAsync(stores, jobs, workers, cost, TimeSpan.FromSeconds(8), ct);
        Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        return Ok;
    }

    private static async Task<int> BenchWebFloodAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        Positionals(args);
        var report = await WebFloodBenchmark.RunAsync(args.Int("--uploads", 1, 1000) ?? 50, args.Int("--files", 1, 10) ?? 10, args.Int("--mb", 1, 20) ?? 19, ct);
        Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        return Ok;
    }

    private static async Task<int> DemoAsync(ParsedArgs args, Func<ArtEngine> engine, CancellationToken ct)
    {
        Positionals(args);
        var folder = args.String("-o") ?? args.String("--output") ?? "out";
        var photo = Samples.Read("tubingen.jpg");
        var painting = Samples.Read("starry_night.jpg");
        var preset = await engine().PresetAsync(new PresetRequest(photo, "wave", 512), ct);
        await WriteResultAsync(Path.Combine(folder, "demo-preset.jpg"), preset);
        using var bar = new ConsoleProgress("stylize");
        var progress = new Reporter<GatysProgress>(g => bar.Report(g.Iteration, g.TotalIterations, g.Elapsed, g.Eta, $"scale {g.Scale}/{g.Scales}"));
        var gatys = await engine().StylizeAsync(photo, painting, new GatysOptions { Size = 384, Iterations = 120 }, ImageFormat.Jpeg, progress, ct);
        bar.Dispose();
        await WriteResultAsync(Path.Combine(folder, "demo-gatys.jpg"), gatys);
        return gatys.Cancelled ? Cancelled : Ok;
    }

    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
