using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Native;

/// <summary>Picks the device (CUDA when TorchSharp sees one, else CPU) and the CPU thread count.</summary>
public static class TorchDevice
{
    public static Device Select(string requested, int threads)
    {
        TorchNative.EnsureLoaded();
        if (threads > 0) torch.set_num_threads(threads);
        return requested.ToLowerInvariant() switch
        {
            "cpu" => CPU,
            "cuda" when torch.cuda.is_available() => CUDA,
            "cuda" => throw new InvalidOperationException("Engine:Device is 'cuda' but TorchSharp sees no CUDA device (on a GPU host, the -p:TorchBackend=external build finds a CUDA libtorch in ARTBOT_LIBTORCH or python3's torch; -p:TorchBackend=cuda bundles one)."),
            "auto" => torch.cuda.is_available() ? CUDA : CPU,
            _ => throw new InvalidOperationException($"Engine:Device must be auto, cpu or cuda, not '{requested}'."),
        };
    }
}
