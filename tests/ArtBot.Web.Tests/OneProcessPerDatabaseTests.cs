using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ArtBot.Scenarios;

namespace ArtBot.Web.Tests;

/// <summary>Two `artbot run` on one database: the second refuses in one line, the first keeps serving.</summary>
public sealed class OneProcessPerDatabaseTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string data = Directory.CreateTempSubdirectory("artbot-lock-").FullName;

    public void Dispose() => Directory.Delete(data, recursive: true);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Process Run(int port) => ArtbotRun.Start(port, Path.Combine(data, "artbot.db"));

    [Fact]
    public async Task A_second_run_on_the_same_database_is_refused_and_the_first_keeps_serving()
    {
        var port = FreePort();
        using var first = Run(port);
        try
        {
            var url = await ArtbotRun.WebChatUrlAsync(first, Patience);
            Assert.NotNull(url);

            using var second = Run(FreePort());
            var errors = second.StandardError.ReadToEndAsync();
            _ = second.StandardOutput.ReadToEndAsync();
            await second.WaitForExitAsync(new CancellationTokenSource(Patience).Token);
            Assert.Equal(1, second.ExitCode);
            var said = (await errors).Trim();
            Assert.DoesNotContain('\n', said);
            Assert.StartsWith("artbot run: ", said);
            Assert.Contains(Path.Combine(data, "artbot.db") + " is in use by another ArtBot process", said);

            using var client = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(url + "api/health")).StatusCode);
            Assert.False(first.HasExited);
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
    }

    /// <summary>A service that cannot start (its port is taken): `artbot run` ends with status 1 and one line, so a supervisor restarts it.</summary>
    [Fact]
    public async Task A_service_that_cannot_start_ends_the_run_with_a_failure_code_and_one_line()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var run = ArtbotRun.Start(FreePort(), Path.Combine(data, "artbot.db"), new Dictionary<string, string> { ["ARTBOT_Ops__Port"] = port.ToString() });
        var errors = run.StandardError.ReadToEndAsync();
        _ = run.StandardOutput.ReadToEndAsync();
        await run.WaitForExitAsync(new CancellationTokenSource(Patience).Token);
        Assert.Equal(1, run.ExitCode);
        var lines = (await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("artbot run: could not start: ", StringComparison.Ordinal) && l.Contains($"127.0.0.1:{port}"));
    }
}
