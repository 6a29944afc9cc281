namespace ArtBot.Host;

/// <summary>Images compiled into the program so the demo needs no input files.</summary>
public static class Samples
{
    public static byte[] Read(string name)
    {
        using var stream = typeof(Samples).Assembly.GetManifestResourceStream($"ArtBot.Host.Samples.{name}")
            ?? throw new InvalidOperationException($"embedded sample {name} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
