namespace ArtBot.Web.Tests;

/// <summary>
/// The GPU image (Dockerfile.cuda), checked statically as the CPU one is: no Docker engine and no GPU
/// run here. The external-libtorch build on a PyTorch CUDA runtime image, the .NET runtime copied in.
/// </summary>
public sealed class CudaDockerfileTests
{
    private static readonly string Root = ArtBot.Scenarios.TestPaths.RepoRoot;
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(Root, "Dockerfile.cuda"));

    private static IEnumerable<string> Instructions(string name) =>
        Lines.Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Select(l => l[(name.Length + 1)..].Trim());

    [Fact]
    public void It_builds_the_external_backend_and_runs_on_a_pytorch_cuda_image()
    {
        var stages = Instructions("FROM").ToList();
        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0-noble AS build", "mcr.microsoft.com/dotnet/aspnet:10.0-noble AS dotnet", "${PYTORCH_IMAGE} AS runtime"], stages);
        var image = Assert.Single(Instructions("ARG"));
        Assert.Matches(@"^PYTORCH_IMAGE=pytorch/pytorch:2\.1[01]\.\d+-cuda[\d.]+-cudnn\d+-runtime$", image);
        var publish = Assert.Single(Lines, l => l.Contains("dotnet publish"));
        Assert.Contains("src/ArtBot.Host/ArtBot.Host.csproj", publish);
        Assert.Contains("-p:TorchBackend=external", publish);
        // The runtime's Ubuntu 22.04 libstdc++ predates GCC 13: the patch and shim are built on purpose.
        Assert.Contains("-p:ArtBotGlibcxxShim=always", publish);
        Assert.Contains(Lines, l => l.Contains("g++"));
        Assert.Contains("--from=dotnet /usr/share/dotnet /usr/share/dotnet", Instructions("COPY"));
    }

    [Fact]
    public void The_engine_finds_the_images_libtorch_and_uses_the_gpu()
    {
        var env = string.Join(" ", Lines.SkipWhile(l => !l.StartsWith("ENV ")).TakeWhile(l => l.StartsWith("ENV ") || l.StartsWith("    ")));
        Assert.Contains("ARTBOT_LIBTORCH=/opt/libtorch", env);
        Assert.Contains("ARTBOT_Engine__Device=cuda", env);
        Assert.Contains(Lines, l => l.Contains("/opt/libtorch") && l.Contains("import os, torch"));
        Assert.Contains("ARTBOT_MODELS=/models", env);
        Assert.Contains("ARTBOT_Queue__DatabasePath=/data/artbot.db", env);
        Assert.Equal("[\"/models\", \"/data\"]", Assert.Single(Instructions("VOLUME")));
        Assert.Equal("artbot", Assert.Single(Instructions("USER")));
        Assert.Equal("[\"dotnet\", \"/app/artbot.dll\"]", Assert.Single(Instructions("ENTRYPOINT")));
        Assert.Equal("[\"run\"]", Assert.Single(Instructions("CMD")));
    }

    [Fact]
    public void Every_path_it_copies_from_the_context_exists()
    {
        foreach (var copy in Instructions("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal)))
            foreach (var source in copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1])
                Assert.True(source == "." || File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source.TrimEnd('/'))), $"COPY source {source} does not exist");
    }

    /// <summary>Animated presets decode and encode video with ffmpeg, run as a process: the runtime image must carry it.</summary>
    [Fact]
    public void The_runtime_image_installs_ffmpeg_for_animated_presets()
    {
        var runtime = Lines.SkipWhile(l => !(l.StartsWith("FROM ", StringComparison.Ordinal) && l.EndsWith(" AS runtime", StringComparison.Ordinal))).ToList();
        Assert.Contains(runtime, l => l.Contains("apt-get install") && l.Split(' ').Contains("ffmpeg"));
    }
}
