using ArtBot.Engine.Weights;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArtBot.Engine.Tests;

/// <summary>One engine on the real weights for every test class that needs it (loading is the slow part).</summary>
public sealed class EngineFixture : IDisposable
{
    public EngineFixture()
    {
        Engine = new ArtEngine(Options.Create(CreateOptions()), NullLogger<ArtEngine>.Instance);
    }

    public ArtEngine Engine { get; }

    public static EngineOptions CreateOptions(string? models = null) => new()
    {
        ModelPaths = [models ?? TestPaths.Models],
        VggModels = EngineOptions.DefaultVggModels,
        BasePath = TestPaths.RepoRoot,
        Device = "cpu",
        // The reference every precision test compares with: fp32, NCHW, whatever the CPU could do.
        PresetPrecision = "fp32",
        GatysPrecision = "fp32",
        ChannelsLast = "off",
    };

    public static byte[] Content(string name) => File.ReadAllBytes(TestPaths.Content(name));

    public static byte[] Style(string name) => File.ReadAllBytes(TestPaths.Style(name));

    public static TfjsLayersModel Vgg() => TfjsLayersModel.Load(Path.Combine(TestPaths.Models, "vgg19-block3"));

    public void Dispose() => Engine.Dispose();
}

[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "engine";
}
