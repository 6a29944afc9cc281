using System.Diagnostics;

namespace ArtBot.Host.Cli;

/// <summary>
/// A one-line progress bar on standard error, redrawn at most 10 times a second; when standard
/// error is not a terminal, a plain line every 10 % instead, so logs stay readable.
/// </summary>
public sealed class ConsoleProgress(string label) : IDisposable
{
    private readonly Stopwatch sinceDraw = Stopwatch.StartNew();
    private readonly bool interactive = !Console.IsErrorRedirected;
    private int lastDecile = -1;
    private bool drawn;

    public void Report(int step, int total, TimeSpan elapsed, TimeSpan? eta, string detail)
    {
        var fraction = total <= 0 ? 0 : Math.Clamp((double)step / total, 0, 1);
        if (interactive)
        {
            if (sinceDraw.ElapsedMilliseconds < 100 && step < total) return;
            sinceDraw.Restart();
            const int width = 28;
            var filled = (int)Math.Round(fraction * width);
            Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {fraction,4:P0} {step}/{total} {detail} {Time(elapsed)} ETA {(eta is { } e ? Time(e) : "?")}   ");
            drawn = true;
        }
        else
        {
            var decile = (int)(fraction * 10);
            if (decile == lastDecile) return;
            lastDecile = decile;
            Console.Error.WriteLine($"{label}: {fraction:P0} ({step}/{total}) {detail} elapsed {Time(elapsed)} ETA {(eta is { } e ? Time(e) : "?")}");
        }
    }

    public void Dispose()
    {
        if (drawn) Console.Error.WriteLine();
        drawn = false;   // disposed early (before the result line) and again at the end of its scope
    }

    private static string Time(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");
}
