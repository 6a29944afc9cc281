using System.Diagnostics;
using System.Globalization;

namespace ArtBot.Engine.Native;

/// <summary>The GPU as the driver names it (TorchSharp 0.107 exposes no device name or memory figures).</summary>
public sealed record GpuInfo(string Name, long MemoryMb, long? UsedByThisProcessMb)
{
    /// <summary>The first GPU from nvidia-smi, and what this process holds on it; null where there is no nvidia-smi.</summary>
    public static GpuInfo? Query()
    {
        var gpu = Smi("--query-gpu=name,memory.total", "--format=csv,noheader,nounits")?.Split('\n')[0].Split(',', StringSplitOptions.TrimEntries);
        if (gpu is not [var name, var memory] || !long.TryParse(memory, CultureInfo.InvariantCulture, out var total)) return null;
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        long? used = null;
        foreach (var line in (Smi("--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits") ?? "").Split('\n'))
            if (line.Split(',', StringSplitOptions.TrimEntries) is [var p, var mb] && p == pid && long.TryParse(mb, CultureInfo.InvariantCulture, out var m)) used = m;
        return new GpuInfo(name, total, used);
    }

    private static string? Smi(params string[] arguments)
    {
        try
        {
            using var smi = Process.Start(new ProcessStartInfo("nvidia-smi", arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (smi == null) return null;
            var text = smi.StandardOutput.ReadToEnd();
            smi.StandardError.ReadToEnd();
            smi.WaitForExit(10_000);
            return smi.ExitCode == 0 ? text.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
