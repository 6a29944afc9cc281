using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Tests;

/// <summary>Reads NumPy .npy v1/v2 files of little-endian float32 in C order.</summary>
internal static partial class Npy
{
    public static Tensor Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path} is not a .npy file");
        var major = bytes[6];
        int headerLength, offset;
        if (major == 1) { headerLength = BitConverter.ToUInt16(bytes, 8); offset = 10; }
        else { headerLength = (int)BitConverter.ToUInt32(bytes, 8); offset = 12; }
        var header = Encoding.ASCII.GetString(bytes, offset, headerLength);
        if (!header.Contains("'descr': '<f4'")) throw new InvalidDataException($"{path}: only <f4 is supported ({header})");
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException($"{path}: Fortran order is not supported");
        var shape = Shape().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(long.Parse).ToArray();
        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
        Buffer.BlockCopy(bytes, offset + headerLength, data, 0, data.Length * 4);
        return torch.tensor(data, shape);
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")] private static partial Regex Shape();
}
