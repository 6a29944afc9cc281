namespace ArtBot.Engine.Tests;

/// <summary>Finds the repository and the shared data beside it (../shared), or ARTBOT_SHARED.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared { get; } = Environment.GetEnvironmentVariable("ARTBOT_SHARED") is { Length: > 0 } s
        ? Path.GetFullPath(s)
        : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string Models => Path.Combine(Shared, "models");
    public static string Conformance => Path.Combine(Shared, "conformance");
    public static string Content(string name) => Path.Combine(Shared, "images", "content", name);
    public static string Style(string name) => Path.Combine(Shared, "images", "style", name);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ArtBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("ArtBot.sln not found above " + AppContext.BaseDirectory);
    }
}
