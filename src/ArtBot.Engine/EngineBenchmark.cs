using System.Diagnostics;
using System.Text.Json.Serialization;
using ArtBot.Domain.Art;
using ArtBot.Engine.Algorithms;
using ArtBot.Engine.Imaging;
using TorchSharp;

using ArtBot.Engine.Native;

namespace ArtBot.Engine;

public sealed record BenchReport(
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("preset_512_ms")] double Preset512Ms,
    [property: JsonPropertyName("preset_1024_ms")] double Preset1024Ms,
    [property: JsonPropertyName("gatys_512_s_per_iter")] double Gatys512SecondsPerIteration,
    [property: JsonPropertyName("gatys_default_total_s")] double GatysDefaultTotalSeconds,
    [property: JsonPropertyName("gatys_default_total_estimated")] bool GatysDefaultTotalEstimated,
    [property: JsonPropertyName("dream_default_s")] double DreamDefaultSeconds,
    [property: JsonPropertyName("preset_runs_for_memory")] int PresetRunsForMemory,
    [property: JsonPropertyName("preset_memory_growth_mb")] double PresetMemoryGrowthMb,
    [property: JsonPropertyName("preset_live_tensor_growth")] long PresetLiveTensorGrowth,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMb,
    [property: JsonPropertyName("device_name")] string DeviceName,
    [property: JsonPropertyName("libtorch")] string LibTorch,
    [property: JsonPropertyName("libtorch_source")] string LibTorchSource,
    [property: JsonPropertyName("gpu_memory_held_mb")] long? GpuMemoryHeldMb,
    [property: JsonPropertyName("gatys_600x200_s")] double Gatys600x200Seconds = 0,
    [property: JsonPropertyName("peak_rss_mb_by_kind")] IReadOnlyDictionary<string, double>? PeakRssMbByKind = null,
    [property: JsonPropertyName("mode")] string? Mode = null,
    [property: JsonPropertyName("cpu")] string? Cpu = null,
    [property: JsonPropertyName("allocator")] string? Allocator = null);

/// <summary>A benchmark's measurement as it starts: <paramref name="Step"/> of <paramref name="Steps"/> done.</summary>
public sealed record BenchStep(int Step, int Steps, string What, TimeSpan Elapsed);

/// <summary>
/// What <c>artbot bench</c> prints: the engine's speed and memory on this machine, on the bundled
/// sample photo and painting.
/// </summary>
public static class EngineBenchmark
{
    public const int MemoryRuns = 50;

    /// <param name="progress">Each measurement as it starts (a run takes minutes on a CPU: the terminal shows where it is).</param>
    public static async Task<BenchReport> RunAsync(ArtEngine engine, byte[] photo, byte[] painting, int runs, bool quick, CancellationToken ct = default,
        IProgress<BenchStep>? progress = null)
    {
        const int steps = 8;
        var started = Stopwatch.StartNew();
        void Step(int step, string what) => progress?.Report(new BenchStep(step, steps, what, started.Elapsed));
        Step(0, $"preset 512 px, {runs} runs");
        var preset512 = await PresetForwardMs(engine, photo, 512, runs, ct);
        Step(1, $"preset 1024 px, {runs} runs");
        var preset1024 = await PresetForwardMs(engine, photo, 1024, runs, ct);
        Step(2, $"memory over {MemoryRuns} preset runs");
        var (memoryGrowth, tensorGrowth) = await PresetMemoryGrowth(engine, photo, ct);

        var defaults = new GatysOptions();
        Step(3, "Gatys seconds per iteration at 512 px");
        var perIteration512 = await GatysSecondsPerIteration(engine, photo, painting, 512, ct);
        Step(4, quick ? "Gatys default schedule, estimated per scale" : $"Gatys default run ({defaults.Iterations} iterations)");
        double gatysTotal;
        if (quick)
        {
            // Estimate: measured cost per iteration at each scale of the default schedule.
            // The bundled photo is 4:3, so at the default size the schedule is 128, 256, 512 px on the long side.
            var sizes = GatysTransfer.ScaleSizes(defaults.Size * 3 / 4, defaults.Size, defaults);
            var split = GatysTransfer.SplitIterations(defaults.Iterations, sizes.Count);
            gatysTotal = 0;
            for (var i = 0; i < sizes.Count; i++)
            {
                var side = (int)Math.Max(sizes[i].Height, sizes[i].Width);
                var perIteration = side == defaults.Size ? perIteration512 : await GatysSecondsPerIteration(engine, photo, painting, side, ct);
                gatysTotal += perIteration * split[i];
            }
        }
        else
        {
            var clock = Stopwatch.StartNew();
            await engine.StylizeAsync(photo, painting, defaults, ImageFormat.Jpeg, null, ct);
            gatysTotal = clock.Elapsed.TotalSeconds;
        }

        Step(5, "dream with the defaults");
        var peaks = new Dictionary<string, double>();
        var dreamClock = Stopwatch.StartNew();
        peaks["dream"] = await PeakRssMb(() => engine.DreamAsync(photo, new DreamOptions(), ImageFormat.Jpeg, null, ct));
        var dream = dreamClock.Elapsed.TotalSeconds;

        Step(6, "preset 1024 px, the whole path, for its peak memory");
        peaks["preset_1024"] = await PeakRssMb(() => engine.PresetAsync(new PresetRequest(photo, "wave", 1024), ct));
        Step(7, "Gatys 600 px × 200 iterations (a free picture)");
        var gatysClock = Stopwatch.StartNew();
        peaks["gatys_600x200"] = await PeakRssMb(() => engine.StylizeAsync(photo, painting, defaults with { Size = 600, Iterations = 200 }, ImageFormat.Jpeg, null, ct));
        var gatys600 = gatysClock.Elapsed.TotalSeconds;
        Step(steps, "done");

        return new BenchReport(engine.DeviceName, engine.Threads, Math.Round(preset512, 1), Math.Round(preset1024, 1),
            Math.Round(perIteration512, 3), Math.Round(gatysTotal, 1), quick, Math.Round(dream, 2),
            MemoryRuns, Math.Round(memoryGrowth, 1), tensorGrowth, Math.Round(PeakRssMb(), 0),
            engine.Gpu?.Name ?? engine.DeviceName, engine.LibTorch?.Version ?? "unknown", engine.LibTorch?.Source ?? "none",
            // What the caching allocator holds after every run: its peak reservation, as the driver sees it.
            engine.Gpu != null ? GpuInfo.Query()?.UsedByThisProcessMb : null,
            Math.Round(gatys600, 1), peaks, engine.Mode.ToString(), CpuFeatures.Host.ToString(), NativeAllocator.Name);
    }

    /// <summary>
    /// The process's peak resident memory while <paramref name="job"/> runs, starting from what is left
    /// once earlier jobs' freed memory went back to the system (as an idle worker's does). Where the
    /// peak cannot be reset (no /proc), the process's peak so far.
    /// </summary>
    public static async Task<double> PeakRssMb<T>(Func<Task<T>> job)
    {
        NativeAllocator.Release();
        try
        {
            // "5" resets the kernel's high-water mark of this process's resident set (Linux ≥ 4.0).
            await File.WriteAllTextAsync("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        await job();
        return Math.Round(PeakRssMb(), 0);
    }

    /// <summary>Median milliseconds of the wave preset's network on a side×side image already on the device: the forward alone, synchronised.</summary>
    public static Task<double> PresetForwardMs(ArtEngine engine, byte[] photo, int side, int runs, CancellationToken ct = default) =>
        engine.OnTorchThread(() =>
        {
            var net = engine.PresetNet("wave");
            using var scope = torch.NewDisposeScope();
            using var decoded = ImageCodec.Decode(photo, long.MaxValue);
            using var square = ImageCodec.Resize(decoded, side, side);
            var input = ImageTensor.ToTensor(square, engine.Device);
            FastStyle.Apply(net, input).Dispose();
            engine.Synchronize();
            var times = new List<double>();
            for (var i = 0; i < runs && !ct.IsCancellationRequested; i++)
            {
                var clock = Stopwatch.StartNew();
                FastStyle.Apply(net, input).Dispose();
                // On CUDA the call returns once the kernels are queued: the clock waits for the GPU.
                engine.Synchronize();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            return times[times.Count / 2];
        }, ct);

    /// <summary>RSS and live-tensor growth between run 5 and run 50 of the full preset path (decode → net → encode).</summary>
    private static async Task<(double Mb, long Tensors)> PresetMemoryGrowth(ArtEngine engine, byte[] photo, CancellationToken ct)
    {
        var request = new PresetRequest(photo, "wave", 512);
        double rssAfterWarmup = 0;
        long tensorsAfterWarmup = 0;
        for (var run = 1; run <= MemoryRuns; run++)
        {
            await engine.PresetAsync(request, ct);
            if (run == 5)
            {
                rssAfterWarmup = RssMb();
                tensorsAfterWarmup = await engine.OnTorchThread(LiveTensors, ct);
            }
        }
        return (RssMb() - rssAfterWarmup, await engine.OnTorchThread(LiveTensors, ct) - tensorsAfterWarmup);
    }

    public static long LiveTensors() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    /// <summary>Seconds per L-BFGS iteration (one evaluation, forward and backward) at one scale of <paramref name="side"/> px, synchronised.</summary>
    public static async Task<double> GatysSecondsPerIteration(ArtEngine engine, byte[] photo, byte[] painting, int side, CancellationToken ct = default, int iterations = 6)
    {
        var marks = new List<TimeSpan>();
        var progress = new Marks(marks, engine);
        await engine.StylizeAsync(photo, painting, new GatysOptions { Size = side, Iterations = iterations, Scales = 1 }, ImageFormat.Jpeg, progress, ct);
        // From the end of the first iteration: the first pays for one-time allocations.
        return (marks[^1] - marks[0]).TotalSeconds / (marks.Count - 1);
    }

    /// <summary>
    /// The time at the end of each iteration. Reports come on the tensor thread, so the device is
    /// synchronised there first: on CUDA an iteration's kernels may still be running when it reports.
    /// </summary>
    private sealed class Marks(List<TimeSpan> marks, ArtEngine engine) : IProgress<GatysProgress>
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();

        public void Report(GatysProgress value)
        {
            engine.Synchronize();
            marks.Add(clock.Elapsed);
        }
    }

    public static double RssMb() => StatusKb("VmRSS:") / 1024.0;

    public static double PeakRssMb() => StatusKb("VmHWM:") / 1024.0;

    private static long StatusKb(string field)
    {
        if (!File.Exists("/proc/self/status")) return (long)(Environment.WorkingSet / 1024);
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line == null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0]);
    }
}
