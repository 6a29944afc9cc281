using ArtBot.Engine.Weights;

namespace ArtBot.Engine;

/// <summary>Finds model folders along the configured search path.</summary>
public sealed class ModelStore(EngineOptions options)
{
    public IReadOnlyList<string> SearchPath { get; } = options.SearchPaths.Select(options.Resolve).ToList();

    /// <summary>The first <c>root/relative</c> that exists, or a clear error listing where it looked.</summary>
    public string Find(params IReadOnlyList<string> candidates)
    {
        foreach (var candidate in candidates)
            foreach (var root in SearchPath)
            {
                var folder = Path.Combine(root, candidate);
                if (Directory.Exists(folder)) return folder;
            }
        var tried = string.Join(" or ", candidates);
        throw new ModelLoadException(tried, $"model folder not found in {string.Join(", ", SearchPath)} (set ARTBOT_MODELS or Engine:ModelPaths)");
    }
}
