namespace ArtBot.Engine.Native;

/// <summary>
/// What the processor computes natively, read once from the kernel's CPU flags: bfloat16 is worth
/// using only where the hardware has dot-product instructions for it (AVX512-BF16, or AMX on
/// Sapphire Rapids and later); elsewhere oneDNN emulates it and it is slower than fp32.
/// </summary>
public sealed record CpuFeatures(bool Avx512Bf16, bool AmxBf16)
{
    private static readonly Lazy<CpuFeatures> Current = new(() => Parse(ReadFlags()));

    public static CpuFeatures Host => Current.Value;

    public bool NativeBf16 => Avx512Bf16 || AmxBf16;

    /// <summary>From <c>/proc/cpuinfo</c>'s first <c>flags</c> line; none where the file does not exist.</summary>
    public static CpuFeatures Parse(string? flagsLine)
    {
        var flags = (flagsLine ?? "").Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return new CpuFeatures(flags.Contains("avx512_bf16"), flags.Contains("amx_bf16"));
    }

    private static string? ReadFlags()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public override string ToString() =>
        NativeBf16 ? $"native bf16 ({string.Join(", ", new[] { Avx512Bf16 ? "AVX512-BF16" : null, AmxBf16 ? "AMX-BF16" : null }.OfType<string>())})" : "no native bf16";
}
