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
        using var temp = new TempFolder("artbot-no-libtorch-");
        var run = await RunPresetAsync(temp.Path, new() { [LibTorchLocator.Variable] = temp.Path });
        if (Bundled)
        {
            Assert.Equal(0, run.ExitCode);   // the bundled libtorch is used; the variable is for the external build
            return;
        }
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"artbot: {LibTorchLocator.Variable}={temp.Path} has no libtorch_cpu.so; point it at a folder of libtorch*.so (PyTorch's site-packages/torch/lib)", run.Stderr.Trim());
    }

    /// <summary>
    /// Without ARTBOT_LIBTORCH the external build asks python3 where its torch package is. A
    /// stand-in torch package (its lib/ the CPU libtorch this run uses, its version.py saying a
    /// version) on PYTHONPATH is what a real python3 finds first, so this is the path a GPU host
    /// with PyTorch takes, version file and all.
    /// </summary>
    [Theory]
    [InlineData("2.10.0+cpu", false)]
    [InlineData("2.12.0", true)]
    public async Task Without_the_variable_the_external_build_runs_on_the_libtorch_of_python3s_torch_package(string version, bool warned)
    {
        using var temp = new TempFolder("artbot-python-torch-");
        var torch = StandInTorch(temp.Path, version);
        var run = await RunPresetAsync(temp.Path, new() { [LibTorchLocator.Variable] = null, ["PYTHONPATH"] = Path.Combine(temp.Path, "site") }, "-v");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(File.Exists(Path.Combine(temp.Path, "out.jpg")));
        if (Bundled)
        {
            Assert.Contains($"libtorch {LibTorchLocator.BundledVersion} (bundled: ", run.Stderr);   // a python torch never overrides the bundled one
            return;
        }
        Assert.Contains($"libtorch {version} (python3 torch: {Path.Combine(torch, "lib")}); CUDA not used", run.Stderr);
        Assert.Equal(warned, run.Stderr.Contains($"libtorch {version} from {Path.Combine(torch, "lib")} is neither 2.10 nor 2.11", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2.1.0", false)]
    [InlineData("2.10.0", true)]
    [InlineData("2.12.0", true)]
    [InlineData("1.13.1", false)]
    [InlineData(null, true)]
    public void Only_versions_below_2_10_are_refused_before_loading(string? version, bool tried) =>
        Assert.Equal(!tried, LibTorchLocator.IsTooOld(version));

    /// <summary>
    /// A GPU host whose python3 has an old PyTorch (a stand-in torch 1.13 here): the external build
    /// reads the version before TorchSharp binds and stops in one line naming what it found and where.
    /// </summary>
    [Fact]
    public async Task An_older_pytorch_stops_the_external_build_in_one_line_naming_its_version()
    {
        using var temp = new TempFolder("artbot-old-torch-");
        var torch = StandInTorch(temp.Path, "1.13.1+cu117", cuda: "11.7");
        var run = await RunPresetAsync(temp.Path, new() { [LibTorchLocator.Variable] = null, ["PYTHONPATH"] = Path.Combine(temp.Path, "site") });
        if (Bundled)
        {
            Assert.Equal(0, run.ExitCode);   // the bundled libtorch is used; a python torch never matters
            return;
        }
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"artbot: libtorch 1.13.1+cu117 found at {Path.Combine(torch, "lib")} (python3 torch); this build binds libtorch 2.10 or 2.11: install PyTorch 2.10/2.11, or point {LibTorchLocator.Variable} at such a libtorch folder",
            run.Stderr.Trim());
    }

    [Fact]
    public async Task With_no_variable_and_no_python3_the_external_build_says_what_to_install()
    {
        using var temp = new TempFolder("artbot-no-python-");
        var run = await RunPresetAsync(temp.Path, new() { [LibTorchLocator.Variable] = null, ["PATH"] = temp.Path });
        if (Bundled)
        {
            Assert.Equal(0, run.ExitCode);
            return;
        }
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"artbot: no libtorch found for this build (TorchBackend=external): set {LibTorchLocator.Variable} to a folder of libtorch*.so, or install PyTorch 2.10/2.11 for python3 (pip install torch)",
            run.Stderr.Trim());
    }

    /// <summary>
    /// A torch package under <paramref name="folder"/>/site (put it on PYTHONPATH) that says
    /// <paramref name="version"/>: its lib/ is the CPU libtorch this run uses.
    /// </summary>
    private static string StandInTorch(string folder, string version, string? cuda = null)
    {
        var torch = Directory.CreateDirectory(Path.Combine(folder, "site", "torch")).FullName;
        File.WriteAllText(Path.Combine(torch, "__init__.py"), "");
        File.WriteAllText(Path.Combine(torch, "version.py"), $"__version__ = '{version}'\ncuda: Optional[str] = {(cuda == null ? "None" : $"'{cuda}'")}\n");
        File.CreateSymbolicLink(Path.Combine(torch, "lib"), LibTorchInUse());
        return torch;
    }

    /// <summary>The folder of libtorch*.so this test run itself loaded (the bundled one, or ARTBOT_LIBTORCH's).</summary>
    private static string LibTorchInUse()
    {
        TorchNative.EnsureLoaded();
        return TorchNative.LibTorch!.Folder;
    }

    private sealed record Run(int ExitCode, string Stderr);

    /// <summary>`artbot preset wave` on a small photo into <paramref name="folder"/>/out.jpg, in its own process with <paramref name="environment"/> changed (null removes).</summary>
    private static async Task<Run> RunPresetAsync(string folder, Dictionary<string, string?> environment, params string[] flags)
    {
        // By full path: a PATH without dotnet on it is one of the cases.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : Environment.ProcessPath!;
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.RepoRoot };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "artbot.dll"));
        foreach (var a in new[] { "preset", "wave", TestPaths.Content("tubingen.jpg"), "-o", Path.Combine(folder, "out.jpg"), "--size", "64" }.Concat(flags))
            psi.ArgumentList.Add(a);
        psi.Environment["ARTBOT_MODELS"] = TestPaths.Models;
        foreach (var (name, value) in environment)
            if (value == null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "artbot preset did not finish in two minutes");
        return new Run(p.ExitCode, await stderr);
    }

    private sealed class TempFolder(string prefix) : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
