using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Serialization;
using ArtBot.Domain.Art;
using ArtBot.Engine.Algorithms;
using ArtBot.Engine.Native;

namespace ArtBot.Engine;

/// <param name="GpuMemoryMb">What the process held on the GPU after every tenth job (the caching allocator's reservation): flat means no leak.</param>
public sealed record DrainReport(
    [property: JsonPropertyName("jobs")] int Jobs,
    [property: JsonPropertyName("slots")] int Slots,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("jobs_per_hour")] double JobsPerHour,
    [property: JsonPropertyName("mix")] IReadOnlyDictionary<string, int> Mix,
    [property: JsonPropertyName("mean_latency_s_by_kind")] IReadOnlyDictionary<string, double> MeanLatencyByKind,
    [property: JsonPropertyName("gpu_memory_mb")] IReadOnlyList<long> GpuMemoryMb,
    [property: JsonPropertyName("live_tensors_after")] long LiveTensorsAfter,
    [property: JsonPropertyName("rss_mb_after_20")] double? RssMbAfter20 = null,
    [property: JsonPropertyName("rss_mb_after_all")] double? RssMbAfterAll = null)
{
    /// <summary>How much the process grew from the 20th job to the last, in percent of the first figure: the soak's verdict (goal ≤ 10).</summary>
    [JsonPropertyName("rss_growth_pct")]
    public double? RssGrowthPercent => RssMbAfter20 is > 0 && RssMbAfterAll is { } after ? Math.Round(100 * (after - RssMbAfter20.Value) / RssMbAfter20.Value, 1) : null;
}

/// <summary>The sizes a mix runs at: a GPU's real ones, a CPU soak's (the same kinds, a few seconds each), or a quick check's.</summary>
public enum MixSizes { Full, Cpu, Quick }

/// <summary>
/// A worker draining a mixed queue: presets, galleries, free, Premium and HD Gatys, dreams, in the
/// proportions of a day's traffic, with <c>slots</c> jobs in flight the way a worker with
/// <c>Queue:RenderSlots</c> runs them, so one job's decode and encode overlap another's device time.
/// </summary>
public static class DrainBenchmark
{
    /// <summary>One job of the mix: its kind and how to run it.</summary>
    public sealed record MixJob(string Kind, Func<ArtEngine, byte[], byte[], CancellationToken, Task<ArtResult>> Run);

    /// <summary>
    /// Twenty jobs as a day brings them: mostly presets, free Gatys next, a few paid ones and dreams.
    /// <paramref name="quick"/> keeps the kinds and shrinks every size and step count (a CPU check of the path).
    /// </summary>
    public static IReadOnlyList<MixJob> Cycle(bool quick) => Cycle(quick ? MixSizes.Quick : MixSizes.Full);

    public static IReadOnlyList<MixJob> Cycle(MixSizes sizes)
    {
        // A CPU soak keeps the real preset and dream sides (the allocator sees real block sizes) and cuts Gatys' iterations.
        int S(int full, int small, int? cpu = null) => sizes switch { MixSizes.Quick => small, MixSizes.Cpu => cpu ?? full, _ => full };
        MixJob Preset(string id) => new("preset", (e, p, _, ct) => e.PresetAsync(new PresetRequest(p, id, S(1024, 128)), ct));
        MixJob Gatys(string kind, int side, int steps) => new(kind, (e, p, s, ct) =>
            e.StylizeAsync(new StylizeRequest(p, s, S(side, 96, Math.Min(side, 600)), S(steps, 4, 12)), null, ct));
        var gallery = new MixJob("gallery", (e, p, _, ct) => e.GalleryAsync(new GalleryRequest(p, S(256, 64)), ct));
        var dream = new MixJob("dream", (e, p, _, ct) => e.DreamAsync(new DreamRequest(p, S(1024, 96, 512), S(10, 2, 4)), null, ct));
        var free = Gatys("gatys_free", 600, 200);
        var preset = Preset("wave");
        return
        [
            preset, free, preset, gallery, preset, Gatys("gatys_premium", 1000, 500), preset, free, dream, preset,
            free, preset, gallery, preset, Gatys("gatys_hd", 1600, 1000), free, preset, Gatys("gatys_premium", 1000, 500), free, preset,
        ];
    }

    public static Task<DrainReport> RunAsync(ArtEngine engine, byte[] photo, byte[] painting, int jobs, int slots, bool quick, CancellationToken ct = default) =>
        RunAsync(engine, photo, painting, jobs, slots, quick ? MixSizes.Quick : MixSizes.Full, ct);

    /// <param name="progress">Each job as it ends: done of <paramref name="jobs"/>.</param>
    public static async Task<DrainReport> RunAsync(ArtEngine engine, byte[] photo, byte[] painting, int jobs, int slots, MixSizes sizes, CancellationToken ct = default,
        IProgress<BenchStep>? progress = null)
    {
        var cycle = Cycle(sizes);
        double? rssAfter20 = null;
        var queue = new ConcurrentQueue<MixJob>(Enumerable.Range(0, jobs).Select(i => cycle[i % cycle.Count]));
        var latencies = new ConcurrentBag<(string Kind, double Seconds)>();
        var memory = new ConcurrentBag<(int Done, long Mb)>();
        var done = 0;
        var clock = Stopwatch.StartNew();
        async Task Slot()
        {
            while (!ct.IsCancellationRequested && queue.TryDequeue(out var job))
            {
                var watch = Stopwatch.StartNew();
                await job.Run(engine, photo, painting, ct);
                latencies.Add((job.Kind, watch.Elapsed.TotalSeconds));
                var finished = Interlocked.Increment(ref done);
                if (finished == 20) rssAfter20 = EngineBenchmark.RssMb();
                progress?.Report(new BenchStep(finished, jobs, job.Kind, clock.Elapsed));
                if (engine.Gpu != null && finished % 10 == 0 && GpuInfo.Query()?.UsedByThisProcessMb is { } mb) memory.Add((finished, mb));
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, slots)).Select(_ => Task.Run(Slot, ct)));
        var seconds = clock.Elapsed.TotalSeconds;
        var mix = Enumerable.Range(0, jobs).Select(i => cycle[i % cycle.Count].Kind).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        return new DrainReport(done, slots, Math.Round(seconds, 2), Math.Round(done / seconds * 3600),
            mix, latencies.GroupBy(l => l.Kind).ToDictionary(g => g.Key, g => Math.Round(g.Average(l => l.Seconds), 3)),
            memory.OrderBy(m => m.Done).Select(m => m.Mb).ToList(),
            await engine.OnTorchThread(EngineBenchmark.LiveTensors, ct),
            rssAfter20 is { } a ? Math.Round(a) : null, done >= 20 ? Math.Round(EngineBenchmark.RssMb()) : null);
    }
}
