namespace ArtBot.Scenarios;

public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared { get; } = Environment.GetEnvironmentVariable("ARTBOT_SHARED") is { Length: > 0 } s ? s : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static byte[] Photo(string name) => File.ReadAllBytes(Path.Combine(Shared, "images", "content", name));

    public static byte[] Painting(string name) => File.ReadAllBytes(Path.Combine(Shared, "images", "style", name));

    private static readonly Lazy<byte[]> ZoomingGif = new(() =>
    {
        // Made by Debian's ffmpeg (installed by .ci/run) from a photo: a second of a slow zoom, 8 frames, 96×72.
        var path = Path.Combine(Path.GetTempPath(), $"artbot-test-{Guid.NewGuid():N}.gif");
        var start = new System.Diagnostics.ProcessStartInfo("ffmpeg",
            ["-v", "error", "-nostdin", "-y", "-loop", "1", "-i", Path.Combine(Shared, "images", "content", "dog.jpg"), "-t", "1",
             "-vf", "scale=96:-2,fps=8,zoompan=z='1+0.01*on':d=1:s=96x72", path]) { RedirectStandardError = true };
        using var ffmpeg = System.Diagnostics.Process.Start(start)!;
        var error = ffmpeg.StandardError.ReadToEnd();
        ffmpeg.WaitForExit();
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not make the test GIF: {error}");
        try { return File.ReadAllBytes(path); }
        finally { File.Delete(path); }
    });

    /// <summary>A one-second GIF of a photo zooming in.</summary>
    public static byte[] Gif() => ZoomingGif.Value;

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
