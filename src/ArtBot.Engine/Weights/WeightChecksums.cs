using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ArtBot.Engine.Weights;

/// <summary>
/// Where a models folder carries a <c>SHA256SUMS</c> (as the published bundle does), a file
/// that was damaged in transit fails with its name instead of painting garbage. Each file is
/// hashed once per process (keyed by path, size and mtime).
/// </summary>
internal static class WeightChecksums
{
    public const string FileName = "SHA256SUMS";
    private static readonly ConcurrentDictionary<(string, long, DateTime), bool> Verified = new();

    public static void VerifyFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        var (sums, root) = FindSums(full);
        if (sums == null) return;
        foreach (var line in File.ReadLines(sums))
        {
            var parts = line.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2) continue;
            var relative = parts[1].TrimStart('*');
            var file = Path.GetFullPath(Path.Combine(root!, relative));
            if (!file.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
            if (!File.Exists(file)) throw new ModelLoadException(file, $"is listed in {sums} but missing");
            var info = new FileInfo(file);
            var key = (file, info.Length, info.LastWriteTimeUtc);
            if (Verified.ContainsKey(key)) continue;
            using (var stream = File.OpenRead(file))
            {
                var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
                if (!string.Equals(actual, parts[0], StringComparison.OrdinalIgnoreCase))
                    throw new ModelLoadException(file, $"is corrupt: SHA-256 {actual} does not match {FileName}");
            }
            Verified[key] = true;
        }
    }

    private static (string?, string?) FindSums(string folder)
    {
        // A model sits at most two folders below the models root (presets/wave).
        var dir = new DirectoryInfo(folder);
        for (var level = 0; dir != null && level < 3; level++, dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, FileName);
            if (File.Exists(candidate)) return (candidate, dir.FullName);
        }
        return (null, null);
    }
}
