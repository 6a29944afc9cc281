using System.Diagnostics;
using ArtBot.Scenarios;

namespace ArtBot.Web.Tests;

/// <summary>`artbot run` as a process, the README's first command, with only ports and the database moved.</summary>
internal static class ArtbotRun
{
    public static Process Start(int webPort, string database, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.RepoRoot };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "artbot.dll"));
        psi.ArgumentList.Add("run");
        // No token: the web chat. Nothing of the developer's environment leaks in.
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("ARTBOT_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(name);
        psi.Environment["ARTBOT_MODELS"] = Path.Combine(TestPaths.Shared, "models");
        psi.Environment["ARTBOT_Ops__Port"] = "0";
        psi.Environment["ARTBOT_Web__Port"] = webPort.ToString();
        psi.Environment["ARTBOT_Queue__DatabasePath"] = database;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        return Process.Start(psi)!;
    }

    /// <summary>The URL the program prints once the web chat listens; the rest of its output is drained.</summary>
    public static async Task<string?> WebChatUrlAsync(Process run, TimeSpan patience)
    {
        var url = await Task.Run(() =>
        {
            while (run.StandardError.ReadLine() is { } line)
                if (line.StartsWith("artbot: web chat at ")) return line["artbot: web chat at ".Length..];
            return null;
        }).WaitAsync(patience);
        _ = run.StandardError.ReadToEndAsync();
        _ = run.StandardOutput.ReadToEndAsync();
        return url;
    }
}
