namespace ArtBot.Scenarios;

public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared { get; } = Environment.GetEnvironmentVariable("ARTBOT_SHARED") is { Length: > 0 } s ? s : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static byte[] Photo(string name) => File.ReadAllBytes(Path.Combine(Shared, "images", "content", name));

    public static byte[] Painting(string name) => File.ReadAllBytes(Path.Combine(Shared, "images", "style", name));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ArtBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("ArtBot.sln not found");
    }
}

/// <summary>
/// The wall clock moved to today's noon in Moscow, running on from there: scenarios about the
/// night window must not depend on when the tests run (at 01:00–07:00 Moscow time the night is open).
/// </summary>
public sealed class DaytimeClock : TimeProvider
{
    public static DaytimeClock Instance { get; } = new();

    private readonly TimeSpan shift;

    private DaytimeClock()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
        var now = DateTimeOffset.UtcNow;
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var noon = new DateTimeOffset(local.Date.AddHours(12), local.Offset);
        shift = noon - now;
    }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
}
