using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Fakes;

namespace ArtBot.Telegram.Tests;

/// <summary>
/// The bot host in a child process (ArtBot.CrashHost: what `artbot run` composes) against the fake
/// Telegram API, on its own database file, small sizes. It can be killed hard, or at a named step,
/// or stopped as a service manager stops it (SIGTERM).
/// </summary>
public sealed class ChildBot : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder errors = new();

    private ChildBot(Process process) => this.process = process;

    public static ChildBot Start(FakeTelegram chat, string database, string? crashAt = null, int premiumIterations = 6, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var psi = new ProcessStartInfo(DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.RepoRoot };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ArtBot.CrashHost.dll"));
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("ARTBOT_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(name);
        var settings = new Dictionary<string, string?>(chat.Settings)
        {
            ["Queue:DatabasePath"] = database,
            ["Queue:DispatchIntervalSeconds"] = "1",
            ["Web:Enabled"] = "false",
            // The tiers grow from free to HD (checked on start): free is as small as premium here.
            ["Bot:Free:MaxSide"] = "64",
            ["Bot:Free:MaxIterations"] = Math.Min(6, premiumIterations).ToString(),
            ["Bot:Premium:MaxSide"] = "64",
            ["Bot:Premium:MaxIterations"] = premiumIterations.ToString(),
            ["Bot:Hd:MaxIterations"] = Math.Max(1000, premiumIterations).ToString(),
            ["Bot:ProgressInterval"] = "00:00:00",
            ["Telegram:PollTimeoutSeconds"] = "1",
            ["Queue:LightMaxIterations"] = "100000",
            ["Ops:Port"] = "0",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        foreach (var (key, value) in settings)
            // A name that is already a variable (ARTBOT_HOLD_AT, PATH) is passed as it is.
            if (key.Contains(':') || !key.All(c => char.IsUpper(c) || c == '_')) psi.Environment["ARTBOT_" + key.Replace(":", "__")] = value;
            else psi.Environment[key] = value;
        psi.Environment["ARTBOT_MODELS"] = Path.Combine(TestPaths.Shared, "models");
        if (crashAt != null) psi.Environment["ARTBOT_CRASH_AT"] = crashAt;
        var child = new ChildBot(Process.Start(psi)!);
        child.process.ErrorDataReceived += (_, e) => { lock (child.errors) child.errors.AppendLine(e.Data); };
        child.process.OutputDataReceived += (_, _) => { };
        child.process.BeginErrorReadLine();
        child.process.BeginOutputReadLine();
        return child;
    }

    /// <summary>The dotnet host running these tests, by full path: a child may run with a PATH that hides programs.</summary>
    private static string DotnetHost => Environment.ProcessPath is { } host && Path.GetFileName(host) == "dotnet" ? host : "dotnet";

    public string Errors
    {
        get { lock (errors) return errors.ToString(); }
    }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>Waits for the process to end by itself (a kill at its crash step).</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the bot did not exit within {timeout.TotalSeconds} s; it said:\n{Errors}");
        }
    }

    /// <summary>SIGKILL now: no shutdown, no flush, as a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as systemd or Docker stop a service; returns how long the process took to end.</summary>
    public async Task<TimeSpan> StopAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        if (kill(process.Id, 15) != 0) throw new InvalidOperationException("SIGTERM failed");
        await WaitForExitAsync(timeout);
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
