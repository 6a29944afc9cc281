using System.Runtime.InteropServices;

namespace ArtBot.Engine.Native;

/// <summary>
/// The C allocator libtorch's CPU tensors come from. A render frees and re-allocates the same
/// large activations every iteration: an allocator that keeps them (jemalloc, preloaded by
/// <c>artbot</c> and the images with <c>dirty_decay_ms:-1</c>) reuses them without a page fault,
/// where glibc unmaps every block over 32 MB and faults it back in (Gatys 600 px: 4.9 million
/// faults, 34 s and 1.55 GB with glibc; 0.24 million, 28.5 s and 1.06 GB with jemalloc). What a job kept
/// is handed back to the system when it ends (<see cref="Release"/>), so an idle worker is small.
/// </summary>
public static partial class NativeAllocator
{
    private const string Jemalloc = "libjemalloc.so.2";
    // MALLCTL_ARENAS_ALL: the purge applies to every arena.
    private const string PurgeAll = "arena.4096.purge";

    private static readonly Lazy<string> Detected = new(Detect);

    /// <summary>jemalloc, glibc, or the platform's own where there is no /proc.</summary>
    public static string Name => Detected.Value;

    /// <summary>Returns the pages freed tensors left to the system; a no-op where the allocator cannot.</summary>
    public static void Release()
    {
        try
        {
            switch (Name)
            {
                case "jemalloc":
                    mallctl(PurgeAll, 0, 0, 0, 0);
                    break;
                case "glibc":
                    malloc_trim(0);
                    break;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A libc without malloc_trim (musl) or a jemalloc built with a prefix: nothing to hand back with.
        }
    }

    private static string Detect()
    {
        if (!OperatingSystem.IsLinux()) return "system";
        try
        {
            return File.ReadLines("/proc/self/maps").Any(l => l.Contains("libjemalloc", StringComparison.Ordinal)) ? "jemalloc" : "glibc";
        }
        catch (IOException)
        {
            return "glibc";
        }
    }

    [LibraryImport(Jemalloc, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mallctl(string name, nint oldp, nint oldlenp, nint newp, nint newlen);

    [LibraryImport("libc")]
    private static partial int malloc_trim(nuint pad);
}
