using System.Diagnostics;
using ArtBot.Engine.Imaging;
using ArtBot.Engine.Tests.Imaging;

namespace ArtBot.Engine.Tests.Cli;

/// <summary>The real <c>artbot</c> program, run as a process the way a script would.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("artbot-cli-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    private static (int Code, string Out, string Err) Artbot(params string[] args) => ArtbotPreloading(null, args);

    private static (int Code, string Out, string Err) ArtbotPreloading(string? preload, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.RepoRoot };
        if (preload != null) psi.Environment["LD_PRELOAD"] = preload;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "artbot.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ARTBOT_MODELS"] = TestPaths.Models;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "artbot did not finish");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private string File_(string name, byte[] bytes)
    {
        var path = Path.Combine(work, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static TheoryData<string, string> BadInputs => new()
    {
        { "empty.jpg", "empty" },
        { "notes.jpg", "not an image" },
        { "truncated.jpg", "damaged" },
        { "bomb.png", "limit" },
        { "missing.jpg", "not found" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_gives_one_line_and_exit_code_2(string name, string expected)
    {
        var tubingen = File.ReadAllBytes(TestPaths.Content("tubingen.jpg"));
        var path = name switch
        {
            "empty.jpg" => File_(name, []),
            "notes.jpg" => File_(name, "meeting notes, not a photo"u8.ToArray()),
            "truncated.jpg" => File_(name, tubingen[..(tubingen.Length / 2)]),
            "bomb.png" => File_(name, ImagingFixtures.PngClaiming(30000, 30000)),
            _ => Path.Combine(work, name),
        };
        var (code, stdout, stderr) = Artbot("preset", "wave", path, "-o", Path.Combine(work, "out.jpg"));
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", stdout);
        Assert.False(File.Exists(Path.Combine(work, "out.jpg")));
    }

    [Fact]
    public void Preset_writes_the_image_and_prints_where()
    {
        var output = Path.Combine(work, "sub", "wave.png");
        var (code, stdout, stderr) = Artbot("preset", "wave", TestPaths.Content("dog.jpg"), "-o", output, "--size", "96");
        Assert.True(code == 0, stderr);
        Assert.StartsWith(output, stdout);
        using var image = ImageCodec.Decode(output, long.MaxValue);
        Assert.Equal(96, Math.Max(image.Width, image.Height));
    }

    [Fact]
    public void Stylize_blends_a_second_painting_and_sheet_lays_the_pictures_side_by_side()
    {
        var blended = Path.Combine(work, "blend.png");
        var (code, stdout, stderr) = Artbot("stylize", TestPaths.Content("dog.jpg"), TestPaths.Style("starry_night.jpg"),
            "--blend-with", TestPaths.Style("the_scream.jpg"), "--blend", "0.7", "--size", "64", "--iterations", "4", "-o", blended);
        Assert.True(code == 0, stderr);
        Assert.Contains("2 paintings blended 70/30", stdout);

        var sheet = Path.Combine(work, "sheet.jpg");
        (code, stdout, stderr) = Artbot("sheet", TestPaths.Content("dog.jpg") + "=photo", TestPaths.Style("starry_night.jpg"), blended + "=70 / 30",
            "--side", "64", "-o", sheet);
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"{sheet}: ", stdout);
        using var decoded = SkiaSharp.SKBitmap.Decode(sheet);
        Assert.True(decoded.Width > 3 * 64 && decoded.Height < 2 * 64 + 60, $"{decoded.Width}×{decoded.Height}: one row of three");

        (code, _, stderr) = Artbot("stylize", TestPaths.Content("dog.jpg"), TestPaths.Style("starry_night.jpg"), "--blend", "0.7", "-o", blended);
        Assert.Equal(64, code);
        Assert.Contains("--blend-with", stderr);
    }

    [Fact]
    public void Animate_paints_a_gif_into_an_mp4_and_refuses_what_is_not_a_video()
    {
        // A GIF made by ffmpeg from a photo zooming in: a real animation, as users send them.
        var gif = Path.Combine(work, "in.gif");
        using (var make = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ffmpeg",
                   ["-v", "error", "-nostdin", "-y", "-loop", "1", "-i", TestPaths.Content("dog.jpg"), "-t", "1", "-vf", "scale=96:-2,fps=8,zoompan=z='1+0.01*on':d=1:s=96x72", gif])
               { RedirectStandardError = true })!)
        {
            make.WaitForExit();
            Assert.True(make.ExitCode == 0, make.StandardError.ReadToEnd());
        }
        var mp4 = Path.Combine(work, "out.mp4");
        var strip = Path.Combine(work, "strip.jpg");
        var (code, stdout, stderr) = Artbot("animate", "wave", gif, "-o", mp4, "--size", "96", "--fps", "8", "--strip", strip);
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"{mp4}: 96×72, 8 frames", stdout);
        // Standard error is not a terminal here: plain progress lines, the last one the whole clip.
        Assert.Contains("animate: 100 % (8/8) frames", stderr);
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(mp4), 4, 4));
        Assert.True(File.Exists(strip));

        File.WriteAllText(Path.Combine(work, "fake.gif"), "not a gif");
        (code, _, stderr) = Artbot("animate", "wave", Path.Combine(work, "fake.gif"), "-o", mp4);
        Assert.Equal(2, code);
        Assert.Contains("no video stream could be read", stderr);
    }

    [Fact]
    public void Classify_prints_five_index_label_logit_lines()
    {
        var (code, stdout, stderr) = Artbot("classify", TestPaths.Content("dog.jpg"));
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.All(lines, l => Assert.Equal(3, l.Split('\t').Length));
        Assert.Equal(["155", "standard schnauzer"], lines[0].Split('\t')[..2]);
    }

    [Fact]
    public void Presets_lists_all_nine()
    {
        var (code, stdout, _) = Artbot("presets");
        Assert.Equal(0, code);
        Assert.Equal(9, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("Большая волна", stdout);
    }

    [Theory]
    [InlineData(new[] { "preset", "wave" }, "missing IMAGE")]
    [InlineData(new[] { "stylize", "a.jpg", "b.jpg", "-o", "x.gif" }, ".png")]
    [InlineData(new[] { "stylize", "a.jpg", "b.jpg", "-o", "x.jpg", "--iterations", "many" }, "--iterations")]
    [InlineData(new[] { "dream", "a.jpg", "-o", "x.jpg", "--colour" }, "unknown option --colour")]
    [InlineData(new[] { "paint" }, "unknown command")]
    public void Usage_mistakes_exit_64_and_say_what_is_wrong(string[] args, string expected)
    {
        var (code, _, stderr) = Artbot(args);
        Assert.Equal(64, code);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public void Unknown_preset_is_bad_input()
    {
        var (code, _, stderr) = Artbot("preset", "mona_lisa", TestPaths.Content("dog.jpg"), "-o", Path.Combine(work, "x.jpg"));
        Assert.Equal(2, code);
        Assert.Contains("unknown preset 'mona_lisa'", stderr);
    }

    [Fact]
    public void Missing_models_is_a_model_error_naming_the_search_path()
    {
        var psiArgs = new[] { "--models", work, "preset", "wave", TestPaths.Content("dog.jpg"), "-o", Path.Combine(work, "x.jpg") };
        var (code, _, stderr) = Artbot(psiArgs[2..].Concat(psiArgs[..2]).ToArray());
        Assert.Equal(3, code);
        Assert.Contains(work, stderr);
    }

    [Fact]
    public void Gallery_paints_every_preset_and_shows_its_progress()
    {
        var sheet = Path.Combine(work, "gallery.jpg");
        var (code, stdout, stderr) = Artbot("gallery", TestPaths.Content("dog.jpg"), "-o", sheet, "--tile", "48");
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"{sheet}: ", stdout);
        Assert.Contains("gallery: 100 % (9/9) presets", stderr);
        Assert.True(stderr.Split('\n').Count(l => l.StartsWith("gallery: ", StringComparison.Ordinal)) >= 5, stderr);
    }

    [Fact]
    public void Every_verb_has_help()
    {
        foreach (var verb in new[] { "preset", "stylize", "dream", "classify", "gallery", "presets", "bench", "demo" })
        {
            var (code, stdout, _) = Artbot(verb, "--help");
            Assert.Equal(0, code);
            Assert.StartsWith($"usage: artbot {verb}", stdout);
        }
    }

    /// <summary>The default each option's help shows is the one the code uses: read from the same records, checked against them here.</summary>
    [Fact]
    public void Help_shows_the_defaults_the_code_uses()
    {
        var g = new ArtBot.Engine.Algorithms.GatysOptions();
        var d = new ArtBot.Engine.Algorithms.DreamOptions();
        var a = new ArtBot.Domain.Art.AnimationRequest([], "");
        var sheet = new ArtBot.Domain.Art.GalleryRequest([]);
        string N(double x) => x.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var expected = new Dictionary<string, (string Option, string Default)[]>
        {
            ["stylize"] = [("--size", $"{g.Size}"), ("--iterations", $"{g.Iterations}"), ("--content-weight", N(g.ContentWeight)), ("--style-weight", N(g.StyleWeight)),
                ("--tv-weight", N(g.TvWeight)), ("--lr", N(g.AdamLearningRate)), ("--style-scale", N(g.StyleScale)), ("--scales", $"{g.Scales}"), ("--min-scale", $"{g.MinScaleSide}")],
            ["dream"] = [("--size", $"{d.Size}"), ("--octaves", $"{d.Octaves}"), ("--octave-scale", N(d.OctaveScale)), ("--steps", $"{d.Steps}"),
                ("--step-size", N(d.StepSize)), ("--layers", ArtBot.Engine.Algorithms.DreamLayers.Darknet), ("--jitter", $"{d.Jitter}")],
            ["animate"] = [("--size", $"{a.MaxSide}"), ("--seconds", N(a.MaxSeconds)), ("--fps", $"{a.Fps}"), ("--smoothing", N(a.Smoothing))],
            ["gallery"] = [("--tile", $"{sheet.TileSide}"), ("--lang", "en")],
        };
        foreach (var (verb, options) in expected)
        {
            var (code, help, _) = Artbot(verb, "--help");
            Assert.Equal(0, code);
            foreach (var (option, value) in options)
            {
                // The option's own line, up to its "(default …)".
                var shown = System.Text.RegularExpressions.Regex.Match(help, System.Text.RegularExpressions.Regex.Escape(option) + @"\s[^\n(]*\(default ([^)\s;]+)");
                Assert.True(shown.Success, $"{verb} {option}: no default shown in\n{help}");
                Assert.True(shown.Groups[1].Value == value, $"{verb} {option}: help says {shown.Groups[1].Value}, the code uses {value}");
            }
        }
        // The dream layer named on a VGG is the one used when the network has it.
        Assert.Contains($"{ArtBot.Engine.Algorithms.DreamLayers.Vgg} on vgg", Artbot("dream", "--help").Out);
    }

    [Fact]
    public void Version_names_the_build_its_backend_and_the_libtorch_it_found()
    {
        var (code, stdout, _) = Artbot("--version");
        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^artbot \d+\.\d+", lines[0]);
        Assert.StartsWith("commit ", lines[1]);
        Assert.Matches(@"^backend (cpu|cuda|external)$", lines[2]);
        Assert.Matches(@"^libtorch 2\.1[01]", lines[3]);
        Assert.Matches(@"^cpu (native bf16 \(.+\)|no native bf16)$", lines[4]);
        Assert.Equal("allocator glibc", lines[5]);
    }

    [Fact]
    public void With_jemalloc_preloaded_the_engine_knows_it_keeps_the_memory_renders_free()
    {
        var jemalloc = new[] { "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2" }.FirstOrDefault(File.Exists);
        Assert.True(jemalloc != null, "libjemalloc2 is not installed (.ci/run installs it; artbot and the images preload it)");
        var (code, stdout, _) = ArtbotPreloading(jemalloc, "--version");
        Assert.Equal(0, code);
        Assert.Contains("allocator jemalloc", stdout);
    }

    [Fact]
    public async Task Bench_vs_pytorch_puts_pytorchs_figures_beside_artbots_or_says_why_it_cannot()
    {
        var report = new ArtBot.Engine.BenchReport("cpu", 2, 200, 700, 0.4, 30, true, 1, 50, 0, 0, 1000, "cpu", "2.10.0", "bundled", null);
        var torchImports = System.Diagnostics.Process.Start(new ProcessStartInfo("python3", ["-c", "import torch"]) { RedirectStandardError = true })!;
        await torchImports.WaitForExitAsync();
        var comparison = await ArtBot.Host.PyTorchPeer.CompareAsync(report, TestPaths.RepoRoot, CancellationToken.None);
        if (torchImports.ExitCode == 0)
        {
            Assert.NotNull(comparison["pytorch"]);
            Assert.True(comparison["ratios"]!["preset_512_vs_fp32"]!.GetValue<double>() > 0);
        }
        else
        {
            Assert.Null(comparison["pytorch"]);
            Assert.Equal("python3 has no torch module", (string?)comparison["pytorch_unavailable"]);
        }
        var elsewhere = await ArtBot.Host.PyTorchPeer.CompareAsync(report, Path.GetTempPath(), CancellationToken.None);
        Assert.StartsWith("build/gpu/torch_reference.py is not in", (string?)elsewhere["pytorch_unavailable"]);
    }
}
