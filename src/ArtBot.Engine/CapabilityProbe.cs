using System.Diagnostics;
using ArtBot.Domain.Art;
using ArtBot.Engine.Weights;
using Microsoft.Extensions.Logging;

namespace ArtBot.Engine;

/// <summary>
/// What this host can render, looked at once at start: ffmpeg and ffprobe answer <c>-version</c>
/// (animations), and each model folder is where the search path says, with its model file (VGG:
/// Gatys; Darknet-tiny: dreams; each preset's network). The weights themselves are read, and
/// checked against their checksums, when first used; a file broken after start fails that job.
/// </summary>
public static class CapabilityProbe
{
    private static readonly TimeSpan ProgramTimeout = TimeSpan.FromSeconds(10);

    /// <param name="checkModels">False for a process that never renders (a receiver): its models are the workers' concern.</param>
    public static ArtCapabilities Probe(EngineOptions options, PresetCatalog presets, bool checkModels, ILogger logger)
    {
        var missing = new List<string>();
        var animation = true;
        foreach (var program in new[] { options.Ffmpeg, options.Ffprobe })
            if (Problem(program) is { } problem)
            {
                animation = false;
                missing.Add($"animation: {problem}");
            }

        var store = new ModelStore(options);
        bool Has(string what, string file, params IReadOnlyList<string> folders)
        {
            if (!checkModels) return true;
            try
            {
                var folder = store.Find(folders);
                if (File.Exists(Path.Combine(folder, file))) return true;
                missing.Add($"{what}: {Path.Combine(folder, file)} is missing");
            }
            catch (ModelLoadException e)
            {
                missing.Add($"{what}: {e.Message}");
            }
            return false;
        }
        var gatys = Has("gatys", TfjsLayersModel.FileName, options.VggFolders);
        var dream = Has("dream", TfjsLayersModel.FileName, options.DreamModel);
        var available = presets.All.Where(p => Has($"preset {p.Id}", CheckpointManifest.FileName, p.Weights)).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var capabilities = new ArtCapabilities(animation, gatys, dream, available, missing, checkModels);

        logger.LogInformation("Capabilities: presets {Presets}/{All}, Gatys {Gatys}, dreams {Dream}, animations {Animation}{Models}",
            available.Count, presets.All.Count, Yes(gatys), Yes(dream), Yes(animation), checkModels ? "" : " (weights not checked: this process does not render)");
        foreach (var line in missing) logger.LogWarning("Not available on this host: {Missing}", line);
        return capabilities;
    }

    private static string Yes(bool available) => available ? "yes" : "no";

    /// <summary>Null when <paramref name="program"/> runs and exits 0 on <c>-version</c>; else why not.</summary>
    private static string? Problem(string program)
    {
        try
        {
            var start = new ProcessStartInfo(program, "-version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start);
            if (process == null) return $"{program} did not start";
            process.StandardOutput.ReadToEndAsync();
            process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ProgramTimeout))
            {
                process.Kill(entireProcessTree: true);
                return $"{program} did not answer -version within {ProgramTimeout.TotalSeconds:0} s";
            }
            return process.ExitCode == 0 ? null : $"{program} -version exited with {process.ExitCode}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"{program} is not installed (Debian: apt-get install ffmpeg)";
        }
    }
}
