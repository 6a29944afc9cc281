namespace ArtBot.Engine.Weights;

/// <summary>A weight file is missing, truncated or not what its manifest says. Names the file.</summary>
public sealed class ModelLoadException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string Path { get; } = path;
}
