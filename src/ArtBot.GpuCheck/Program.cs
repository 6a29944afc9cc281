using System.Diagnostics;
using System.Text.Json;
using ArtBot.Domain.Art;
using ArtBot.Engine;
using ArtBot.Engine.Algorithms;
using ArtBot.Engine.Imaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// The engine on a GPU host, without the bot. In order, each section adding to report.json as it ends
// (a run cut short still leaves what it measured):
//   bench     artbot bench's figures (synchronised);
//   jobs      one job of each size the tiers paint, images written, against the goals;
//   quality   fp32 against TF32 / channels-last / bf16: preset PSNR, Gatys distances at equal iterations, speed;
//   drain     a worker draining a mixed queue with two jobs in flight, then one, GPU memory every ten jobs.
//   artbot-gpucheck MODELS STYLES PHOTO PAINTING OUTDIR [cuda|cpu|auto] [--quick]
// --quick paints the same jobs at small sizes with few steps: a check that every path works (on a
// CPU, say), not figures to report.
if (args.Length < 5)
{
    Console.Error.WriteLine("usage: artbot-gpucheck MODELS STYLES PHOTO PAINTING OUTDIR [cuda|cpu|auto] [--quick]");
    return 64;
}
var (models, styles, photoPath, paintingPath, outDir) = (args[0], args[1], args[2], args[3], args[4]);
var device = args.Length > 5 && !args[5].StartsWith("--", StringComparison.Ordinal) ? args[5] : "cuda";
var quick = args.Contains("--quick");
Directory.CreateDirectory(outDir);
using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
var photo = File.ReadAllBytes(photoPath);
var painting = File.ReadAllBytes(paintingPath);
int S(int full, int small) => quick ? small : full;

// The configured default, and the variants the quality section compares with it.
ArtEngine Engine(string precision = "tf32", string channelsLast = "auto", string presets = "fp32") =>
    new(Options.Create(new EngineOptions
    {
        ModelPaths = [models], VggModels = EngineOptions.DefaultVggModels, StylesPath = styles, Device = device,
        BasePath = Directory.GetCurrentDirectory(), Precision = precision, ChannelsLast = channelsLast, PresetPrecision = presets,
    }), logs.CreateLogger<ArtEngine>());

var clock = Stopwatch.StartNew();
using var engine = Engine();
var report = new Dictionary<string, object?>
{
    ["machine"] = engine.Gpu?.Name ?? Environment.MachineName,
    ["device"] = engine.DeviceName,
    ["gpu_memory_mb"] = engine.Gpu?.MemoryMb,
    ["libtorch"] = engine.LibTorch?.Version,
    ["libtorch_source"] = engine.LibTorch?.Source,
    ["libtorch_folder"] = engine.LibTorch?.Folder,
    ["cuda"] = engine.LibTorch?.CudaVersion,
    ["mode"] = engine.Mode.ToString(),
    ["quick"] = quick,
    ["engine_start_s"] = Math.Round(clock.Elapsed.TotalSeconds, 2),
};
async Task Save(string section, object value)
{
    report[section] = value;
    report["at"] = DateTimeOffset.UtcNow;
    await File.WriteAllTextAsync(Path.Combine(outDir, "report.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"{section.ToUpperInvariant()} {JsonSerializer.Serialize(value)}");
}
// A section that throws is written down and the next one runs: one GPU session yields what it can.
var errors = new List<string>();
async Task Section(string name, Func<Task> run)
{
    try
    {
        await run();
    }
    catch (Exception e)
    {
        errors.Add($"{name}: {e.GetType().Name}: {e.Message}");
        Console.WriteLine($"SECTION {name} FAILED: {e}");
        await Save("errors", errors);
    }
}
async Task<(double Seconds, ArtResult Result)> Timed(Func<Task<ArtResult>> render)
{
    var watch = Stopwatch.StartNew();
    var result = await render();
    // Each call returns an encoded image: the copy back from the device ends the timing.
    return (watch.Elapsed.TotalSeconds, result);
}

// ---- bench
await Section("bench", async () => await Save("bench", await EngineBenchmark.RunAsync(engine, photo, painting, quick ? 2 : 5, quick: true)));

// ---- jobs: what each tier paints (Bot:Free, Premium, Hd defaults), a 2048 px preset and a 1024 px dream.
var jobs = new List<object>();
var goals = new List<object>();
async Task Job(string name, int side, int? steps, double? goalSeconds, Func<Task<ArtResult>> render)
{
    var (seconds, result) = await Timed(render);
    var file = name + ".jpg";
    await File.WriteAllBytesAsync(Path.Combine(outDir, file), result.Image);
    jobs.Add(new { name, side, steps, seconds = Math.Round(seconds, 3), width = result.Width, height = result.Height, file });
    if (goalSeconds is { } goal) goals.Add(new { name, seconds = Math.Round(seconds, 3), goal_s = goal, met = seconds <= goal });
}
await Section("jobs", async () =>
{
    await Job("preset_2048", S(2048, 256), null, null, () => engine.PresetAsync(new PresetRequest(photo, "wave", S(2048, 256))));
    await Job("gatys_free_600x200", S(600, 96), S(200, 6), 1.0, () => engine.StylizeAsync(new StylizeRequest(photo, painting, S(600, 96), S(200, 6))));
    await Job("gatys_premium_1000x500", S(1000, 128), S(500, 6), 2.5, () => engine.StylizeAsync(new StylizeRequest(photo, painting, S(1000, 128), S(500, 6))));
    await Job("gatys_hd_1600x1000", S(1600, 160), S(1000, 6), 5.0, () => engine.StylizeAsync(new StylizeRequest(photo, painting, S(1600, 160), S(1000, 6))));
    await Job("dream_1024", S(1024, 128), S(10, 2), null, () => engine.DreamAsync(new DreamRequest(photo, S(1024, 128), S(10, 2))));
    var forward2048 = await EngineBenchmark.PresetForwardMs(engine, photo, S(2048, 256), quick ? 2 : 10);
    goals.Add(new { name = "preset_2048_forward_ms", seconds = Math.Round(forward2048 / 1000, 4), goal_s = 0.030, met = forward2048 <= 30 });
    await Save("jobs", jobs);
    await Save("goals", goals);
});

// ---- quality and speed of each mode against full fp32, at equal work.
await Section("quality", async () =>
{
    using (var fp32 = Engine("fp32", "off"))
    using (var tf32Nchw = Engine("tf32", "off"))
    using (var bf16 = Engine(presets: "bf16"))
    {
        var modes = new (string Name, ArtEngine Engine)[] { ("fp32", fp32), ("tf32", tf32Nchw), ("tf32_channels_last", engine), ("bf16_presets", bf16) };
        var presetSide = S(1024, 128);
        var reference = await fp32.PresetAsync(new PresetRequest(photo, "wave", presetSide, ImageFormat.Png));
        var presets = new List<object>();
        foreach (var (name, mode) in modes)
        {
            var png = await mode.PresetAsync(new PresetRequest(photo, "wave", presetSide, ImageFormat.Png));
            presets.Add(new
            {
                mode = name,
                psnr_db_vs_fp32 = Math.Round(Math.Min(ImageCompare.Psnr(reference.Image, png.Image), 999), 2),
                forward_2048_ms = Math.Round(await EngineBenchmark.PresetForwardMs(mode, photo, S(2048, 256), quick ? 2 : 10), 2),
            });
        }
        await Save("quality_presets", presets);

        var gatys = new GatysOptions { Size = S(1000, 96), Iterations = S(500, 6) };
        var gatysModes = new List<object>();
        foreach (var (name, mode) in modes.Where(m => m.Name != "bf16_presets"))
        {
            var (seconds, result) = await Timed(() => mode.StylizeAsync(photo, painting, gatys, ImageFormat.Png));
            var distances = await fp32.GatysDistancesAsync(photo, painting, result.Image, gatys);
            var perIteration = new Dictionary<string, double>();
            foreach (var side in new[] { S(600, 64), S(1000, 96), S(1600, 128) })
                perIteration[$"{side}"] = Math.Round(1000 * await EngineBenchmark.GatysSecondsPerIteration(mode, photo, painting, side, iterations: S(21, 4)), 2);
            await File.WriteAllBytesAsync(Path.Combine(outDir, $"gatys_{name}.png"), result.Image);
            gatysModes.Add(new { mode = name, seconds = Math.Round(seconds, 3), content = distances.Content, style = distances.Style, ms_per_iteration_by_side = perIteration });
        }
        await Save("quality_gatys", new { size = gatys.Size, iterations = gatys.Iterations, modes = gatysModes });
    }
});

// ---- a worker draining a mixed queue: two slots (decode and encode beside the device), then one.
await Section("drain", async () =>
{
    var two = await DrainBenchmark.RunAsync(engine, photo, painting, jobs: S(50, 20), slots: 2, quick);
    await Save("drain_2_slots", two);
    goals.Add(new { name = "drain_jobs_per_hour", value = two.JobsPerHour, goal = 1500, met = two.JobsPerHour >= 1500 });
    await Save("goals", goals);
    await Save("drain_1_slot", await DrainBenchmark.RunAsync(engine, photo, painting, jobs: 20, slots: 1, quick));
});
await Save("gpu_memory_held_mb", engine.Gpu != null ? ArtBot.Engine.Native.GpuInfo.Query()?.UsedByThisProcessMb ?? -1 : -1);
Console.WriteLine($"report: {Path.Combine(outDir, "report.json")} after {clock.Elapsed.TotalSeconds:F0} s");
return errors.Count == 0 ? 0 : 1;
