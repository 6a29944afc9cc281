using System.Diagnostics;
using ArtBot.Engine.Native;

namespace ArtBot.Engine.Tests;

/// <summary>
/// Which libtorch the engine runs on. The default build carries libtorch beside the program; the
/// external build (-p:TorchBackend=external, run by .ci/run with ARTBOT_LIBTORCH set) finds it at
/// start. Both run this suite's conformance and preset tests.
/// </summary>
public sealed class LibTorchBackendTests
{
    private static bool Bundled => File.Exists(Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so"));

    [Fact]
    public void The_engine_runs_on_the_libtorch_its_build_names()
    {
        TorchNative.EnsureLoaded();
        var lib = TorchNative.LibTorch;
        Assert.NotNull(lib);
        if (Bundled) Assert.Equal(("bundled", LibTorchLocator.BundledVersion), (lib!.Source, lib.Version));
        else Assert.Contains(lib!.Source, new[] { LibTorchLocator.Variable, "python3 torch" });
        Assert.True(File.Exists(Path.Combine(lib.Folder, "libtorch_cpu.so")));
        Assert.True(LibTorchLocator.IsKnown(lib.Version), $"libtorch {lib.Version}");
        Assert.Equal(2 * 3, (int)TorchSharp.torch.tensor(new[] { 2f }).mul(3).item<float>());
    }

    [Theory]
    [InlineData("2.10.0", true)]
    [InlineData("2.11.0+cu130", true)]
    [InlineData("2.1.0", false)]
    [InlineData("2.12.0", false)]
    [InlineData(null, false)]
    public void Versions_other_than_2_10_and_2_11_are_flagged(string? version, bool known) =>
        Assert.Equal(known, LibTorchLocator.IsKnown(version));

    [Fact]
    public async Task A_libtorch_folder_that_is_not_one_stops_the_external_build_in_one_line()
    {
        var empty = Directory.CreateTempSubdirectory("artbot-no-libtorch-").FullName;
        try
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.RepoRoot };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "artbot.dll"));
            foreach (var a in new[] { "preset", "wave", TestPaths.Content("tubingen.jpg"), "-o", Path.Combine(empty, "out.jpg"), "--size", "64" }) psi.ArgumentList.Add(a);
            psi.Environment["ARTBOT_MODELS"] = TestPaths.Models;
            psi.Environment[LibTorchLocator.Variable] = empty;
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)));
            if (Bundled)
            {
                Assert.Equal(0, p.ExitCode);   // the bundled libtorch is used; the variable is for the external build
                return;
            }
            Assert.Equal(1, p.ExitCode);
            Assert.Equal($"artbot: {LibTorchLocator.Variable}={empty} has no libtorch_cpu.so; point it at a folder of libtorch*.so (PyTorch's site-packages/torch/lib)", (await stderr).Trim());
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}
