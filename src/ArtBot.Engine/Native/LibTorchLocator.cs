using System.Diagnostics;

namespace ArtBot.Engine.Native;

/// <summary>Where libtorch came from, and which one it is.</summary>
/// <param name="Folder">The folder of libtorch*.so.</param>
/// <param name="Source">"bundled" (beside the app), "ARTBOT_LIBTORCH" or "python3 torch".</param>
/// <param name="CudaVersion">The CUDA it was built for, where PyTorch says (torch/version.py).</param>
public sealed record LibTorchLocation(string Folder, string Source, string? Version, bool HasCuda, string? CudaVersion = null);

/// <summary>The external backend found no libtorch, or one it cannot load.</summary>
public sealed class LibTorchNotFoundException(string message) : Exception(message);

/// <summary>
/// The external backend (<c>-p:TorchBackend=external</c>) ships TorchSharp and its native bridge but no
/// libtorch. Any libtorch of a matching version serves, and every PyTorch install carries one in
/// <c>site-packages/torch/lib</c>. The bridge names its libtorch by soname (libtorch.so,
/// libc10.so, libtorch_cpu.so…); those already loaded satisfy it, so the found folder's libraries
/// are opened by full path, globally, before TorchSharp's first call. Looked for in
/// <c>ARTBOT_LIBTORCH</c>, then in the <c>torch</c> package of <c>python3</c> on the PATH.
/// </summary>
public static class LibTorchLocator
{
    public const string Variable = "ARTBOT_LIBTORCH";

    /// <summary>
    /// In load order: each one's own needs come before it. libtorch_global_deps first, globally, as
    /// PyTorch's own import does: in a CUDA build it names the CUDA runtime and libraries, so they are
    /// resolved once, through its run path, before anything needs them.
    /// </summary>
    private static readonly string[] Libraries = ["libtorch_global_deps.so", "libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];

    /// <summary>TorchSharp 0.107 is built against libtorch 2.10; 2.11 was proven to work on a GPU (see README).</summary>
    public static readonly string[] KnownVersions = ["2.10", "2.11"];

    internal static LibTorchLocation? Load(Func<string, int, IntPtr> dlopen, Func<string?> dlerror)
    {
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so")))
            return new LibTorchLocation(AppContext.BaseDirectory, "bundled", BundledVersion, File.Exists(Path.Combine(AppContext.BaseDirectory, "libtorch_cuda.so")));
        // A bundled backend without libtorch beside it is a build that does not run here anyway;
        // only the external build (no LibTorchSharp copy of its own libtorch) searches.
        if (!File.Exists(Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"))) return null;
        var (folder, source) = Find();
        // Read before anything binds: TorchSharp against an older libtorch dies in native code
        // (a 92-line dump and exit 134), where this says what was found and what would do.
        var version = VersionOf(folder);
        if (IsTooOld(version))
            throw new LibTorchNotFoundException(
                $"artbot: libtorch {version} found at {folder} ({source}); this build binds libtorch {string.Join(" or ", KnownVersions)}: install PyTorch {string.Join("/", KnownVersions)}, or point {Variable} at such a libtorch folder");
        foreach (var name in Libraries)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path)) continue;
            if (dlopen(path, 0x2 | 0x100) == IntPtr.Zero)
                throw new LibTorchNotFoundException($"artbot: {path} did not load ({dlerror()}); install a PyTorch 2.10 or 2.11, or point {Variable} at a libtorch folder");
        }
        return new LibTorchLocation(folder, source, version, File.Exists(Path.Combine(folder, "libtorch_cuda.so")), PythonField(folder, "cuda"));
    }

    private static (string Folder, string Source) Find()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            if (!File.Exists(Path.Combine(configured, "libtorch_cpu.so")))
                throw new LibTorchNotFoundException($"artbot: {Variable}={configured} has no libtorch_cpu.so; point it at a folder of libtorch*.so (PyTorch's site-packages/torch/lib)");
            // A link (the CUDA image's /opt/libtorch) is followed, so version.py beside the real folder is found.
            var real = new DirectoryInfo(Path.GetFullPath(configured)).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            return (real ?? Path.GetFullPath(configured), Variable);
        }
        if (FromPython() is { } python) return (python, "python3 torch");
        throw new LibTorchNotFoundException(
            $"artbot: no libtorch found for this build (TorchBackend=external): set {Variable} to a folder of libtorch*.so, or install PyTorch 2.10/2.11 for python3 (pip install torch)");
    }

    private static string? FromPython()
    {
        try
        {
            using var python = Process.Start(new ProcessStartInfo("python3", ["-c", "import os, torch; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            });
            if (python == null) return null;
            var folder = python.StandardOutput.ReadToEnd().Trim();
            python.StandardError.ReadToEnd();
            python.WaitForExit(30_000);
            return python.ExitCode == 0 && File.Exists(Path.Combine(folder, "libtorch_cpu.so")) ? folder : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;   // no python3 on the PATH
        }
    }

    /// <summary>The libtorch the TorchSharp-cpu and -cuda packages of 0.107 carry.</summary>
    public const string BundledVersion = "2.10.0";

    /// <summary>
    /// The libtorch version: PyTorch's torch/version.py beside lib/, the build-version file of a
    /// libtorch distribution, or the version folder of a NuGet libtorch package; null when none says.
    /// </summary>
    private static string? VersionOf(string folder)
    {
        if (PythonField(folder, "__version__") is { } python) return python;
        var parent = Path.GetDirectoryName(folder.TrimEnd('/'));
        var buildVersion = parent == null ? null : Path.Combine(parent, "build-version");
        if (buildVersion != null && File.Exists(buildVersion)) return File.ReadAllText(buildVersion).Trim();
        return folder.Split('/').LastOrDefault(part => System.Text.RegularExpressions.Regex.IsMatch(part, @"^\d+\.\d+\.\d+$"));
    }

    /// <summary>A field of torch/version.py (beside lib/): __version__ = '2.11.0+cu130', cuda = '13.0'.</summary>
    private static string? PythonField(string folder, string field)
    {
        var versionPy = Path.Combine(Path.GetDirectoryName(folder.TrimEnd('/')) ?? "", "version.py");
        if (!File.Exists(versionPy)) return null;
        foreach (var line in File.ReadLines(versionPy))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0].Split(':')[0].Trim() == field && parts[1].Trim('\'', '"') is { Length: > 0 } value && value != "None")
                return value;
        }
        return null;
    }

    /// <summary>Below the oldest known version: TorchSharp's native calls are missing from it, so it cannot load at all.</summary>
    public static bool IsTooOld(string? version)
    {
        var match = version == null ? null : System.Text.RegularExpressions.Regex.Match(version, @"^(\d+)\.(\d+)");
        if (match is not { Success: true }) return false;   // unknown: tried, and warned about
        var oldest = Version.Parse(KnownVersions[0]);
        return new Version(int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)) < oldest;
    }

    public static bool IsKnown(string? version) => version != null && KnownVersions.Any(v => version == v || version.StartsWith(v + ".", StringComparison.Ordinal) || version.StartsWith(v + "+", StringComparison.Ordinal));
}
