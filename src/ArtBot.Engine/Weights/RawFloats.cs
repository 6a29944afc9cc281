using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ArtBot.Engine.Weights;

internal static class RawFloats
{
    /// <summary>Little-endian float32 values from <paramref name="bytes"/>.</summary>
    public static float[] FromLittleEndian(ReadOnlySpan<byte> bytes)
    {
        var values = new float[bytes.Length / 4];
        if (BitConverter.IsLittleEndian)
            MemoryMarshal.Cast<byte, float>(bytes[..(values.Length * 4)]).CopyTo(values);
        else
            for (var i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
        return values;
    }

    public static byte[] ReadFile(string path)
    {
        if (!File.Exists(path)) throw new ModelLoadException(path, "weight file is missing");
        try { return File.ReadAllBytes(path); }
        catch (IOException e) { throw new ModelLoadException(path, $"cannot be read ({e.Message})"); }
        catch (UnauthorizedAccessException e) { throw new ModelLoadException(path, $"cannot be read ({e.Message})"); }
    }
}
