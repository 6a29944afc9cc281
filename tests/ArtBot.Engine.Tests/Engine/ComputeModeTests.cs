using ArtBot.Domain.Art;
using ArtBot.Engine.Algorithms;
using ArtBot.Engine.Imaging;
using ArtBot.Engine.Native;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Tests.Engine;

/// <summary>
/// The speed-ups must not change the pictures: bf16 presets hold 38 dB against fp32 and channels-last weights compute the same
/// numbers. These run on any CPU (bf16 is emulated where the hardware lacks it; TF32 is a GPU-only
/// switch: build/gpu's check measures it there). The fixture's engine is the fp32 NCHW reference.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ComputeModeTests(EngineFixture fixture)
{
    private static ArtEngine Engine(string channelsLast = "off", string presets = "fp32", string gatys = "fp32")
    {
        var options = EngineFixture.CreateOptions() with { ChannelsLast = channelsLast, PresetPrecision = presets, GatysPrecision = gatys };
        return new ArtEngine(Options.Create(options), NullLogger<ArtEngine>.Instance);
    }

    [Fact]
    public void The_reference_engine_is_plain_fp32()
    {
        Assert.Equal(new ComputeMode(OnCuda: false, Tf32: false, ChannelsLast: false, ScalarType.Float32, ScalarType.Float32), fixture.Engine.Mode);
    }

    [Theory]
    [InlineData("flags\t\t: fpu sse avx2 avx512f avx512_bf16 avx512_vnni", true)]
    [InlineData("flags\t\t: fpu sse avx2 amx_bf16 amx_tile amx_int8", true)]
    [InlineData("flags\t\t: fpu sse avx2 avx512f avx512_vnni", false)]
    [InlineData(null, false)]
    public void Auto_runs_bf16_only_where_the_cpu_multiplies_it_natively(string? flags, bool bf16)
    {
        var cpu = CpuFeatures.Parse(flags);
        var auto = ComputeMode.For(EngineFixture.CreateOptions() with { PresetPrecision = "auto", GatysPrecision = "auto", ChannelsLast = "auto" }, torch.CPU, cpu);
        var expected = bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
        Assert.Equal((expected, expected), (auto.PresetType, auto.GatysType));
        Assert.True(auto.ChannelsLast);
        // An explicit setting wins either way.
        var pinned = ComputeMode.For(EngineFixture.CreateOptions() with { PresetPrecision = "fp32", GatysPrecision = "bf16" }, torch.CPU, cpu);
        Assert.Equal((ScalarType.Float32, ScalarType.BFloat16), (pinned.PresetType, pinned.GatysType));
        Assert.Equal(bf16, auto.ToString().Contains("presets in bf16"));
    }

    [Fact]
    public async Task Every_preset_in_bf16_is_within_38_dB_of_fp32_and_really_runs_in_bf16()
    {
        using var bf16 = Engine(channelsLast: "on", presets: "bf16");
        var photo = EngineFixture.Content("tubingen.jpg");
        var presets = fixture.Engine.Presets.All.Select(p => p.Id).ToList();
        Assert.Equal(9, presets.Count);
        var below = new List<string>();
        foreach (var preset in presets)
        {
            var reference = await fixture.Engine.PresetAsync(new PresetRequest(photo, preset, 384, ImageFormat.Png));
            var reduced = await bf16.PresetAsync(new PresetRequest(photo, preset, 384, ImageFormat.Png));
            var psnr = ImageCompare.Psnr(reference.Image, reduced.Image);
            // Below infinity too: the bf16 path did run, and differs a little.
            if (psnr is < 38 or > 80) below.Add($"{preset}: {psnr:F1} dB");
        }
        Assert.True(below.Count == 0, "PSNR of bf16 against fp32 out of [38, 80] dB: " + string.Join("; ", below));
        Assert.Equal(ScalarType.BFloat16, await bf16.OnTorchThread(() => bf16.PresetNet("wave").Precision));
    }

    [Fact]
    public async Task Gatys_with_a_bf16_vgg_really_runs_in_bf16_and_still_paints_the_style()
    {
        using var mixed = Engine(channelsLast: "on", gatys: "bf16");
        var photo = EngineFixture.Content("tubingen.jpg");
        var painting = EngineFixture.Style("starry_night.jpg");
        var gatys = new GatysOptions { Size = 128, Iterations = 30 };
        var reduced = await mixed.StylizeAsync(photo, painting, gatys, ImageFormat.Png);
        var before = await fixture.Engine.GatysDistancesAsync(photo, painting, photo, gatys);
        var after = await fixture.Engine.GatysDistancesAsync(photo, painting, reduced.Image, gatys);
        Assert.True(after.Style < before.Style / 2, $"style distance {before.Style} → {after.Style}");
        Assert.Equal(ScalarType.BFloat16, mixed.Mode.GatysType);
    }

    [Fact]
    public async Task Channels_last_weights_give_the_same_preset_and_the_same_gatys_picture()
    {
        using var channelsLast = Engine(channelsLast: "on");
        Assert.True(channelsLast.Mode.ChannelsLast);
        var photo = EngineFixture.Content("tubingen.jpg");
        var painting = EngineFixture.Style("starry_night.jpg");

        var preset = ImageCompare.Psnr(
            (await fixture.Engine.PresetAsync(new PresetRequest(photo, "wave", 192, ImageFormat.Png))).Image,
            (await channelsLast.PresetAsync(new PresetRequest(photo, "wave", 192, ImageFormat.Png))).Image);
        Assert.True(preset >= 50, $"preset PSNR {preset:F1} dB");

        var gatys = new GatysOptions { Size = 96, Iterations = 8 };
        var plain = await fixture.Engine.StylizeAsync(photo, painting, gatys, ImageFormat.Png);
        var laidOut = await channelsLast.StylizeAsync(photo, painting, gatys, ImageFormat.Png);
        var a = await fixture.Engine.GatysDistancesAsync(photo, painting, plain.Image, gatys);
        var b = await fixture.Engine.GatysDistancesAsync(photo, painting, laidOut.Image, gatys);
        Assert.Equal(a.Content, b.Content, 0.02 * a.Content);
        Assert.Equal(a.Style, b.Style, 0.02 * a.Style);
        Assert.True(channelsLast.PresetNet("wave").parameters().Where(p => p.dim() == 4).All(p => p.stride(1) == 1), "conv weights are stored channels-last");
    }

    [Fact]
    public void The_gram_matrix_of_channels_last_features_is_the_gram_matrix()
    {
        using var scope = torch.NewDisposeScope();
        var features = torch.randn(1, 16, 9, 7, generator: torch.manual_seed(3));
        var plain = StyleLoss.Gram(features);
        var laidOut = StyleLoss.Gram(ComputeMode.ToChannelsLast(features));
        Assert.Equal(1, ComputeMode.ToChannelsLast(features).stride(1));
        Assert.True(plain.allclose(laidOut, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public async Task Distances_rank_a_real_transfer_above_the_untouched_photo()
    {
        var photo = EngineFixture.Content("tubingen.jpg");
        var painting = EngineFixture.Style("starry_night.jpg");
        var gatys = new GatysOptions { Size = 96, Iterations = 30 };
        var painted = await fixture.Engine.StylizeAsync(photo, painting, gatys, ImageFormat.Png);
        var before = await fixture.Engine.GatysDistancesAsync(photo, painting, photo, gatys);
        var after = await fixture.Engine.GatysDistancesAsync(photo, painting, painted.Image, gatys);
        Assert.True(before.Content < 1e-3, $"the photo is its own content: {before.Content}");
        Assert.True(after.Style < before.Style / 2, $"style distance {before.Style} → {after.Style}");
    }

    [Fact]
    public async Task A_worker_with_two_slots_drains_the_whole_mix_and_leaks_no_tensors()
    {
        var photo = EngineFixture.Content("tubingen.jpg");
        var painting = EngineFixture.Style("starry_night.jpg");
        var first = await DrainBenchmark.RunAsync(fixture.Engine, photo, painting, jobs: 20, slots: 2, quick: true);
        var second = await DrainBenchmark.RunAsync(fixture.Engine, photo, painting, jobs: 20, slots: 2, quick: true);
        Assert.Equal(20, first.Jobs);
        Assert.Equal(["dream", "gallery", "gatys_free", "gatys_hd", "gatys_premium", "preset"], first.Mix.Keys.Order());
        Assert.True(first.JobsPerHour > 0);
        Assert.Equal(first.LiveTensorsAfter, second.LiveTensorsAfter);
    }
}
