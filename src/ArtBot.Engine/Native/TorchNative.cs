using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArtBot.Engine.Native;

/// <summary>
/// Gets TorchSharp's native library loadable before anything touches it. On hosts whose
/// libstdc++ predates GCC 13 the build marked LibTorchSharp's GLIBCXX_3.4.32 need weak and put
/// <c>libartbot_glibcxx_shim.so</c> beside the app (build/LibTorchSharpGlibcxx.targets); the
/// shim must be in the global symbol scope before LibTorchSharp is loaded, which .NET's own
/// NativeLibrary.Load (RTLD_LOCAL) does not do, hence dlopen with RTLD_GLOBAL.
/// </summary>
public static class TorchNative
{
    public const string ShimName = "libartbot_glibcxx_shim.so";
    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;
    private static readonly Lock Gate = new();
    private static bool loaded;
    private static LibTorchNotFoundException? failure;

    /// <summary>Where libtorch was loaded from: beside the app (the bundled backends) or found at run time (external).</summary>
    public static LibTorchLocation? LibTorch { get; private set; }

    // The engine assembly is the only door to TorchSharp here, so loading it is the moment to prepare.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        try
        {
            EnsureLoaded();
        }
        catch (LibTorchNotFoundException)
        {
            // Said in one line when the engine starts (EnsureLoaded again), not as a type-initializer crash.
        }
    }

    /// <summary>Idempotent; safe to call from any thread before the first TorchSharp call.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (failure != null) throw failure;
            if (loaded || !OperatingSystem.IsLinux()) return;
            loaded = true;
            KeepFreedMemoryInHeap();
            var shim = Path.Combine(AppContext.BaseDirectory, ShimName);
            if (File.Exists(shim) && Dlopen(shim, RtldNow | RtldGlobal) == IntPtr.Zero)
                throw new InvalidOperationException($"Could not load {shim}: {Marshal.PtrToStringAnsi(Dlerror())}");
            try
            {
                LibTorch = LibTorchLocator.Load(Dlopen, () => Marshal.PtrToStringAnsi(Dlerror()));
            }
            catch (LibTorchNotFoundException e)
            {
                failure = e;
                throw;
            }
        }
    }

    /// <summary>
    /// glibc serves every allocation over 32 MB (most image tensors) with a fresh mmap and
    /// unmaps it on free, so each op pays page faults on its whole output: measured here, an
    /// elementwise op on 150 MB took 129 ms instead of 9 and a 3×3 conv 435 ms instead of 181.
    /// Serving them from the heap and never trimming it makes freed tensors reusable; the
    /// process keeps its peak footprint (flat across jobs) instead of returning it to the OS.
    /// </summary>
    private static void KeepFreedMemoryInHeap()
    {
        if (Environment.GetEnvironmentVariable("ARTBOT_KEEP_MALLOC_DEFAULTS") == "1") return;
        const int mTrimThreshold = -1, mMmapMax = -4;
        try
        {
            Mallopt(mMmapMax, 0);
            Mallopt(mTrimThreshold, int.MaxValue);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc (musl, macOS): its allocator, its rules.
        }
    }

    [DllImport("libc.so.6", EntryPoint = "mallopt")] private static extern int Mallopt(int parameter, int value);

    private static IntPtr Dlopen(string path, int flags)
    {
        try { return DlopenLibc(path, flags); }
        catch (EntryPointNotFoundException) { return DlopenLibdl(path, flags); }
        catch (DllNotFoundException) { return DlopenLibdl(path, flags); }
    }

    private static IntPtr Dlerror()
    {
        try { return DlerrorLibc(); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return DlerrorLibdl(); }
    }

    [DllImport("libc.so.6", EntryPoint = "dlopen")] private static extern IntPtr DlopenLibc(string path, int flags);
    [DllImport("libdl.so.2", EntryPoint = "dlopen")] private static extern IntPtr DlopenLibdl(string path, int flags);
    [DllImport("libc.so.6", EntryPoint = "dlerror")] private static extern IntPtr DlerrorLibc();
    [DllImport("libdl.so.2", EntryPoint = "dlerror")] private static extern IntPtr DlerrorLibdl();
}
