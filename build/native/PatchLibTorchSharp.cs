// MSBuild inline task (RoslynCodeTaskFactory) used by LibTorchSharpGlibcxx.targets.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class ArtBotPatchLibTorchSharp : Task
{
    const string MissingVersion = "GLIBCXX_3.4.32";
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    [Required] public string Directory { get; set; } = "";
    [Required] public string ShimSource { get; set; } = "";
    [Required] public string ShimName { get; set; } = "";
    [Required] public string IntermediateDir { get; set; } = "";

    /// <summary>Patch and build the shim whatever this host's libstdc++ has: for an image built on a new libstdc++ that runs on an old one.</summary>
    public bool Always { get; set; }

    public override bool Execute()
    {
        var libs = System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories).ToList();
        if (libs.Count == 0) return true;

        var libstdcxx = FindLibStdCxx();
        if (!Always && libstdcxx != null && Contains(File.ReadAllBytes(libstdcxx), Encoding.ASCII.GetBytes(MissingVersion + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, $"{libstdcxx} provides {MissingVersion}; LibTorchSharp needs no patch.");
            return true;
        }

        var shimBuilt = Path.Combine(IntermediateDir, ShimName);
        if (!File.Exists(shimBuilt) || File.GetLastWriteTimeUtc(shimBuilt) < File.GetLastWriteTimeUtc(ShimSource))
        {
            System.IO.Directory.CreateDirectory(IntermediateDir);
            var gxx = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CXX")) ? "g++" : Environment.GetEnvironmentVariable("CXX");
            var psi = new ProcessStartInfo(gxx, $"-shared -fPIC -O2 -o \"{shimBuilt}\" \"{ShimSource}\"")
            { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            try
            {
                using (var p = Process.Start(psi))
                {
                var err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0)
                {
                    Log.LogError($"Building {ShimName} with {gxx} failed: {err}");
                    return false;
                }
                }
            }
            catch (Exception e)
            {
                Log.LogError($"libstdc++ here lacks {MissingVersion}, which TorchSharp needs, and the shim " +
                             $"could not be built ({gxx}: {e.Message}). Install g++ (apt-get install g++) and rebuild.");
                return false;
            }
        }
        File.Copy(shimBuilt, Path.Combine(Directory, ShimName), overwrite: true);

        foreach (var lib in libs)
        {
            var bytes = File.ReadAllBytes(lib);
            var result = MarkVersionWeak(bytes);
            switch (result)
            {
                case PatchResult.Patched:
                    File.WriteAllBytes(lib, bytes);
                    Log.LogMessage(MessageImportance.Normal, $"Marked {MissingVersion} weak in {lib}");
                    break;
                case PatchResult.AlreadyWeak:
                    break;
                case PatchResult.NotNeeded:
                    Log.LogMessage(MessageImportance.Low, $"{lib} does not need {MissingVersion}");
                    break;
                default:
                    Log.LogError($"{lib}: not an ELF64 little-endian library with a version-needs table");
                    return false;
            }
        }
        return true;
    }

    enum PatchResult { Patched, AlreadyWeak, NotNeeded, NotElf }

    static PatchResult MarkVersionWeak(byte[] b)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
            return PatchResult.NotElf;
        long shoff = (long)BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(b, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(b, (int)sh + 24);
            int link = (int)BitConverter.ToUInt32(b, (int)sh + 40);
            int count = (int)BitConverter.ToUInt32(b, (int)sh + 44);
            long strtab = (long)BitConverter.ToUInt64(b, (int)(shoff + (long)link * shentsize) + 24);

            long vn = offset;
            for (int n = 0; n < count; n++)
            {
                int cnt = BitConverter.ToUInt16(b, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(b, (int)vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    long nameOff = strtab + BitConverter.ToUInt32(b, (int)aux + 8);
                    if (ReadCString(b, nameOff) == MissingVersion)
                    {
                        ushort flags = BitConverter.ToUInt16(b, (int)aux + 4);
                        if ((flags & VerFlgWeak) != 0) return PatchResult.AlreadyWeak;
                        var patched = BitConverter.GetBytes((ushort)(flags | VerFlgWeak));
                        b[aux + 4] = patched[0];
                        b[aux + 5] = patched[1];
                        return PatchResult.Patched;
                    }
                    aux += BitConverter.ToUInt32(b, (int)aux + 12);
                }
                vn += BitConverter.ToUInt32(b, (int)vn + 12);
            }
            return PatchResult.NotNeeded;
        }
        return PatchResult.NotElf;
    }

    static string ReadCString(byte[] b, long at)
    {
        long end = at;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
    }

    static string FindLibStdCxx()
    {
        try
        {
            foreach (var ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig" })
            {
                var psi = new ProcessStartInfo(ldconfig, "-p") { RedirectStandardOutput = true, UseShellExecute = false };
                Process p;
                try { p = Process.Start(psi); } catch { continue; }
                if (p == null) continue;
                var output = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                var line = output.Split('\n').FirstOrDefault(l => l.Contains("libstdc++.so.6 ") && l.Contains("x86-64"))
                           ?? output.Split('\n').FirstOrDefault(l => l.Contains("libstdc++.so.6 "));
                var arrow = line?.IndexOf("=> ", StringComparison.Ordinal) ?? -1;
                if (arrow >= 0) return line.Substring(arrow + 3).Trim();
            }
        }
        catch { }
        return new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6" }
            .FirstOrDefault(File.Exists);
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
