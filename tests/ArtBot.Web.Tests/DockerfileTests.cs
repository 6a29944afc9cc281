using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ArtBot.Web.Tests;

/// <summary>
/// No Docker engine runs here, so the image is checked statically: what it copies exists, it
/// publishes the program the entrypoint starts, its runtime can load TorchSharp unpatched and
/// serve the web chat, the data and models are volumes, and the GPU build argument reaches the build.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string Root = ArtBot.Scenarios.TestPaths.RepoRoot;
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(Root, "Dockerfile"));

    private static IEnumerable<string> Instructions(string name) =>
        Lines.Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Select(l => l[(name.Length + 1)..].Trim());

    [Fact]
    public void Every_path_it_copies_from_the_context_exists_and_is_not_ignored()
    {
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore")).Select(l => l.Trim().Trim('/')).Where(l => l.Length > 0).ToList();
        var copies = Instructions("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[..^1])
            {
                var path = Path.Combine(Root, source.TrimEnd('/'));
                Assert.True(source == "." || File.Exists(path) || Directory.Exists(path), $"COPY source {source} does not exist");
                Assert.DoesNotContain(source.TrimEnd('/'), ignored);
            }
        }
        Assert.True(File.Exists(Path.Combine(Root, "config", "artbot.json")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(Root, "styles"), "*.json"));
    }

    [Fact]
    public void Local_state_and_build_outputs_stay_out_of_the_context_and_restore_is_its_own_layer()
    {
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore")).Select(l => l.Trim()).ToList();
        // The LiteDB file holds users' photos and the cookie key; weights are mounted.
        foreach (var path in new[] { "data/", "models/", "**/bin/", "**/obj/" }) Assert.Contains(path, ignored);
        foreach (var dockerfile in new[] { "Dockerfile", "Dockerfile.cuda" })
        {
            var lines = File.ReadAllLines(Path.Combine(Root, dockerfile));
            Assert.DoesNotContain("COPY . .", lines);
            var restore = Array.FindIndex(lines, l => l.StartsWith("RUN dotnet restore src/ArtBot.Host/ArtBot.Host.csproj", StringComparison.Ordinal));
            var sources = Array.IndexOf(lines, "COPY src/ src/");
            Assert.True(restore > 0 && sources > restore, $"{dockerfile}: restore before the sources are copied");
            // Every project the host needs is there before the restore.
            foreach (var project in Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
                         .Select(p => Path.GetRelativePath(Root, p)).Where(p => !p.Contains("GpuCheck")))
                Assert.Contains(lines[..restore], l => l.StartsWith($"COPY {project} ", StringComparison.Ordinal));
            Assert.Contains("--no-restore", lines.Single(l => l.Contains("dotnet publish")));
        }
    }

    [Fact]
    public void The_entrypoint_is_the_published_program()
    {
        var publish = Assert.Single(Lines, l => l.Contains("dotnet publish"));
        var project = PublishedProject().Match(publish).Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(Root, project)), $"{project} does not exist");
        var assembly = XDocument.Load(Path.Combine(Root, project)).Descendants("AssemblyName").Single().Value;
        Assert.Contains("-o /app", publish);
        Assert.Equal($"[\"dotnet\", \"/app/{assembly}.dll\"]", Assert.Single(Instructions("ENTRYPOINT")));
        Assert.Equal("[\"run\"]", Assert.Single(Instructions("CMD")));
    }

    [Fact]
    public void The_runtime_loads_torchsharp_unpatched_and_serves_the_web_chat()
    {
        var stages = Instructions("FROM").ToList();
        Assert.Equal(2, stages.Count);
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0-noble", stages[0]);
        // Ubuntu 24.04's libstdc++ has GLIBCXX_3.4.32; the ASP.NET Core runtime runs Kestrel.
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0-noble", stages[1]);
        Assert.Contains(Lines, l => l.Contains("-p:TorchBackend=${TORCH_BACKEND}"));
        Assert.Contains("TORCH_BACKEND=cpu", Instructions("ARG"));
    }

    [Fact]
    public void Data_and_models_are_volumes_and_settings_come_from_the_environment()
    {
        Assert.Equal("[\"/models\", \"/data\"]", Assert.Single(Instructions("VOLUME")));
        var env = string.Join(" ", Lines.SkipWhile(l => !l.StartsWith("ENV ")).TakeWhile(l => l.StartsWith("ENV ") || l.StartsWith("    ")));
        Assert.Contains("ARTBOT_MODELS=/models", env);
        Assert.Contains("ARTBOT_Queue__DatabasePath=/data/artbot.db", env);
        Assert.Contains("8080", Assert.Single(Instructions("EXPOSE")));
        Assert.DoesNotContain(Lines, l => l.Contains("Token=") && !l.TrimStart().StartsWith('#'));
    }

    [Fact]
    public void It_runs_as_a_user_and_says_when_it_is_healthy()
    {
        Assert.Equal("artbot", Assert.Single(Instructions("USER")));
        var check = Assert.Single(Instructions("HEALTHCHECK"));
        Assert.EndsWith("CMD [\"dotnet\", \"/app/artbot.dll\", \"health\"]", check);
        Assert.Contains("8081", Assert.Single(Instructions("EXPOSE")));
        Assert.Contains(Lines, l => l.Contains("ARTBOT_Ops__Host=0.0.0.0"));
    }

    [GeneratedRegex(@"dotnet publish (\S+\.csproj)")]
    private static partial Regex PublishedProject();

    /// <summary>Animated presets decode and encode video with ffmpeg, run as a process: the runtime image must carry it.</summary>
    [Fact]
    public void The_runtime_image_installs_ffmpeg_for_animated_presets()
    {
        var runtime = Lines.SkipWhile(l => !(l.StartsWith("FROM ", StringComparison.Ordinal) && l.EndsWith(" AS runtime", StringComparison.Ordinal))).ToList();
        Assert.Contains(runtime, l => l.Contains("apt-get install") && l.Split(' ').Contains("ffmpeg"));
    }
}
