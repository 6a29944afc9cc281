using ArtBot.Domain.Art;
using ArtBot.Engine.Imaging;
using ArtBot.Engine.Tests.Algorithms;

namespace ArtBot.Engine.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class ArtEngineTests(EngineFixture fixture)
{
    private ArtEngine Engine => fixture.Engine;

    [Fact]
    public void Nine_presets_are_described_in_styles()
    {
        Assert.Equal(9, Engine.Presets.All.Count);
        Assert.Equal("wave", Engine.Presets.All[0].Id);
        Assert.All(Engine.Presets.All, p => Assert.False(string.IsNullOrWhiteSpace(p.Name.Ru)));
        Assert.Equal("Крик", Engine.Presets.Find("SCREAM")!.Name.For(Language.Ru));
    }

    [Fact]
    public async Task Preset_returns_a_jpeg_of_the_photo_shape_capped_at_the_requested_side()
    {
        var result = await Engine.PresetAsync(new PresetRequest(EngineFixture.Content("tubingen.jpg"), "la_muse", 160));
        Assert.Equal((160, 120), (result.Width, result.Height));
        using var decoded = ImageCodec.Decode(result.Image, long.MaxValue);
        Assert.Equal((160, 120), (decoded.Width, decoded.Height));
        Assert.Contains("la_muse", result.Description);
    }

    [Fact]
    public async Task Unknown_preset_is_an_input_error_listing_the_presets()
    {
        var e = await Assert.ThrowsAsync<ArtInputException>(() => Engine.PresetAsync(new PresetRequest(EngineFixture.Content("dog.jpg"), "mona_lisa")));
        Assert.Equal(ArtInputError.UnknownPreset, e.Error);
        Assert.Contains("wave", e.Message);
    }

    [Theory]
    [InlineData(new byte[0], ArtInputError.Empty)]
    [InlineData(new byte[] { 0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6 }, ArtInputError.NotAnImage)]
    public async Task Bad_uploads_are_input_errors_not_crashes(byte[] data, ArtInputError expected)
    {
        var e = await Assert.ThrowsAsync<ArtInputException>(() => Engine.PresetAsync(new PresetRequest(data, "wave")));
        Assert.Equal(expected, e.Error);
        // The engine thread survives a bad job.
        var ok = await Engine.PresetAsync(new PresetRequest(EngineFixture.Content("dog.jpg"), "wave", 64));
        Assert.True(ok.Width == 64 || ok.Height == 64);
    }

    [Fact]
    public async Task Classifier_sees_a_dog_in_the_dog_photo()
    {
        var top = await Engine.ClassifyAsync(EngineFixture.Content("dog.jpg"));
        Assert.Equal(5, top.Count);
        // labels.txt is Darknet's order, not Keras's: 155 is "standard schnauzer", as the
        // conformance run also found for this photo.
        Assert.Equal(155, top[0].Index);
        Assert.Equal("standard schnauzer", top[0].Label);
        Assert.True(top[0].Logit >= top[1].Logit);
        Assert.False(string.IsNullOrWhiteSpace(top[0].Label));
    }

    [Fact]
    public async Task Gallery_is_a_captioned_grid_of_every_preset()
    {
        var result = await Engine.GalleryAsync(new GalleryRequest(EngineFixture.Content("tubingen.jpg"), TileSide: 64, Language.Ru, ImageFormat.Png));
        using var sheet = ImageCodec.Decode(result.Image, long.MaxValue);
        Assert.Contains("9 presets", result.Description);
        // 3×3 tiles of 64 px plus gutters and caption strips.
        Assert.InRange(sheet.Width, 3 * 64, 3 * 64 + 80);
        Assert.True(sheet.Height > 3 * 64);
    }

    [Fact]
    public async Task Stylize_through_the_port_reports_progress_and_honours_size()
    {
        var reports = new List<RenderProgress>();
        var result = await Engine.StylizeAsync(
            new StylizeRequest(EngineFixture.Content("tubingen.jpg"), EngineFixture.Style("the_scream.jpg"), Size: 64, Iterations: 6, Format: ImageFormat.Png),
            new Collect<RenderProgress>(reports));
        Assert.Equal((64, 48), (result.Width, result.Height));
        Assert.Equal(6, reports.Count);
        Assert.All(reports, r => Assert.Equal("stylize", r.Stage));
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.Contains("relu3_2", result.Description);
    }

    [Fact]
    public async Task Cancelled_stylize_returns_best_so_far_flagged_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var result = await Engine.StylizeAsync(
            new StylizeRequest(EngineFixture.Content("dog.jpg"), EngineFixture.Style("shipwreck.jpg"), Size: 64, Iterations: 500),
            new Collect<RenderProgress>([], p => { if (p.Step == 3) cancel.Cancel(); }), cancel.Token);
        Assert.True(result.Cancelled);
        Assert.Equal(64, Math.Max(result.Width, result.Height));
    }

    [Fact]
    public async Task Dream_through_the_port_keeps_the_size()
    {
        var result = await Engine.DreamAsync(new DreamRequest(EngineFixture.Content("dog.jpg"), Size: 80, Steps: 2));
        Assert.Equal(80, Math.Max(result.Width, result.Height));
        Assert.Contains("Darknet-tiny", result.Description);
    }
}

/// <summary>
/// Alone, after the parallel tests: process memory is shared by every test, so it is only
/// meaningful with nothing else running.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LeakCollection
{
    public const string Name = "leak";
}

[Collection(LeakCollection.Name)]
public sealed class LeakTests : IDisposable
{
    private readonly EngineFixture fixture = new();

    private ArtEngine Engine => fixture.Engine;

    public void Dispose() => fixture.Dispose();

    /// <summary>
    /// The process's memory with freed memory handed back: by the GC, and by the C allocator, which
    /// an idle engine's timer would otherwise do at a moment of its own (any engine of this process).
    /// </summary>
    private static double SettledRssMb()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        ArtBot.Engine.Native.NativeAllocator.Release();
        return EngineBenchmark.RssMb();
    }

    /// <summary>No tensor leaks: 50 preset jobs leave the live tensor count and the process memory where they were.</summary>
    [Fact]
    public async Task Fifty_preset_runs_leak_no_tensors_and_memory_stays_flat()
    {
        var request = new PresetRequest(EngineFixture.Content("person.jpg"), "scream", 128);
        for (var i = 0; i < 5; i++) await Engine.PresetAsync(request);
        var tensorsBefore = await Engine.OnTorchThread(EngineBenchmark.LiveTensors);
        var rssBefore = SettledRssMb();
        for (var i = 0; i < 50; i++) await Engine.PresetAsync(request);
        var tensorsAfter = await Engine.OnTorchThread(EngineBenchmark.LiveTensors);
        var rssAfter = SettledRssMb();

        Assert.Equal(tensorsBefore, tensorsAfter);
        Assert.True(rssAfter - rssBefore < 64, $"RSS grew {rssAfter - rssBefore:0.0} MB over 50 runs");
    }
}
