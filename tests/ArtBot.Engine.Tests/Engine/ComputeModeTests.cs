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
/// The GPU's speed-ups must not change the pictures: bf16 presets hold 35 dB against fp32 and
/// channels-last weights compute the same numbers. These run on the CPU, where both paths exist
/// (TF32 is a GPU-only switch: build/gpu's check measures it there).
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ComputeModeTests(EngineFixture fixture)
{
    private static ArtEngine Engine(string channelsLast = "auto", string presets = "fp32")
    {
        var options = EngineFixture.CreateOptions() with { ChannelsLast = channelsLast, PresetPrecision = presets };
        return new ArtEngine(Options.Create(options), NullLogger<ArtEngine>.Instance);
    }

    [Fact]
    public void The_default_mode_on_a_cpu_is_plain_fp32()
    {
        Assert.Equal(new ComputeMode(OnCuda: false, Tf32: false, ChannelsLast: false, ScalarType.Float32), fixture.Engine.Mode);
    }

    [Fact]
    public async Task A_bf16_preset_is_within_35_dB_of_fp32_and_really_runs_in_bf16()
    {
        using var bf16 = Engine(presets: "bf16");
        var photo = EngineFixture.Content("tubingen.jpg");
        foreach (var preset in new[] { "wave", "udnie", "scream" })
        {
            var reference = await fixture.Engine.PresetAsync(new PresetRequest(photo, preset, 256, ImageFormat.Png));
            var reduced = await bf16.PresetAsync(new PresetRequest(photo, preset, 256, ImageFormat.Png));
            var psnr = ImageCompare.Psnr(reference.Image, reduced.Image);
            Assert.InRange(psnr, 35, 80);   // below infinity: the bf16 path did run, and differs a little
        }
        Assert.Equal(ScalarType.BFloat16, await bf16.OnTorchThread(() => bf16.PresetNet("wave").Precision));
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
