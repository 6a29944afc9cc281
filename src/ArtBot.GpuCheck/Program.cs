using System.Diagnostics;
using System.Text.Json;
using ArtBot.Domain.Art;
using ArtBot.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// The engine on a GPU host, without the bot: the bench report, then one job of each size the
// tiers paint, each image written and timed, and report.json with it all.
//   artbot-gpucheck MODELS STYLES PHOTO PAINTING OUTDIR [cuda|cpu|auto] [--quick]
// --quick paints the same jobs at small sizes with few steps: a check that the whole path works
// (on a CPU, say), not figures to report.
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
var options = new EngineOptions
{
    ModelPaths = [models], VggModels = EngineOptions.DefaultVggModels, StylesPath = styles, Device = device, BasePath = Directory.GetCurrentDirectory(),
};
var clock = Stopwatch.StartNew();
using var engine = new ArtEngine(Options.Create(options), logs.CreateLogger<ArtEngine>());
var startSeconds = clock.Elapsed.TotalSeconds;
var photo = File.ReadAllBytes(photoPath);
var painting = File.ReadAllBytes(paintingPath);

var bench = await EngineBenchmark.RunAsync(engine, photo, painting, quick ? 2 : 5, quick: true);
Console.WriteLine("BENCH " + JsonSerializer.Serialize(bench));

// What each tier paints (Bot:Free, Premium, Hd defaults), a 2048 px preset and a 1024 px dream.
// Each call returns an encoded image: the copy back from the device ends the timing.
var jobs = new List<object>();
async Task Time(string name, int side, int? steps, Func<Task<ArtResult>> render)
{
    var watch = Stopwatch.StartNew();
    var result = await render();
    var seconds = watch.Elapsed.TotalSeconds;
    var file = name + ".jpg";
    await File.WriteAllBytesAsync(Path.Combine(outDir, file), result.Image);
    Console.WriteLine($"TIME {name}: {seconds:F2} s ({result.Width}x{result.Height}) {result.Description}");
    jobs.Add(new { name, side, steps, seconds = Math.Round(seconds, 3), width = result.Width, height = result.Height, file });
}
int S(int full, int small) => quick ? small : full;
await Time("preset_2048", S(2048, 256), null, () => engine.PresetAsync(new PresetRequest(photo, "wave", S(2048, 256))));
await Time("gatys_free_600x200", S(600, 96), S(200, 6), () => engine.StylizeAsync(new StylizeRequest(photo, painting, S(600, 96), S(200, 6))));
await Time("gatys_premium_1000x500", S(1000, 128), S(500, 6), () => engine.StylizeAsync(new StylizeRequest(photo, painting, S(1000, 128), S(500, 6))));
await Time("gatys_hd_1600x1000", S(1600, 160), S(1000, 6), () => engine.StylizeAsync(new StylizeRequest(photo, painting, S(1600, 160), S(1000, 6))));
await Time("dream_1024", S(1024, 128), S(10, 2), () => engine.DreamAsync(new DreamRequest(photo, S(1024, 128), S(10, 2))));

var report = new
{
    machine = engine.Gpu?.Name ?? Environment.MachineName,
    device = engine.DeviceName,
    gpu_memory_mb = engine.Gpu?.MemoryMb,
    libtorch = engine.LibTorch?.Version,
    libtorch_source = engine.LibTorch?.Source,
    libtorch_folder = engine.LibTorch?.Folder,
    cuda = engine.LibTorch?.CudaVersion,
    quick,
    engine_start_s = Math.Round(startSeconds, 2),
    bench,
    jobs,
    gpu_memory_held_mb = engine.Gpu != null ? ArtBot.Engine.Native.GpuInfo.Query()?.UsedByThisProcessMb : null,
    at = DateTimeOffset.UtcNow,
};
await File.WriteAllTextAsync(Path.Combine(outDir, "report.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"report: {Path.Combine(outDir, "report.json")}");
return 0;
