using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace ArtBot.Web.Tests;

/// <summary>A log collector reads the JSON timestamps as UTC (they end in Z): they must be, whatever the machine's zone.</summary>
public sealed class UtcLogTests : IDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("artbot-utc-").FullName;

    public void Dispose() => Directory.Delete(data, recursive: true);

    [Fact]
    public async Task Json_logs_carry_utc_timestamps_on_a_machine_in_tokyo()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var before = DateTimeOffset.UtcNow;
        using var run = ArtbotRun.Start(port, Path.Combine(data, "artbot.db"), new Dictionary<string, string>
        {
            ["TZ"] = "Asia/Tokyo", ["ARTBOT_Logging__Json"] = "true",
        });
        try
        {
            var stamp = await Task.Run(() =>
            {
                while (run.StandardError.ReadLine() is { } line)
                    if (line.StartsWith('{') && JsonNode.Parse(line)?["Timestamp"] is { } at) return (string?)at;
                return null;
            }).WaitAsync(TimeSpan.FromSeconds(90));
            var after = DateTimeOffset.UtcNow;
            Assert.NotNull(stamp);
            Assert.EndsWith("Z", stamp);
            var logged = DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            // Tokyo is 9 hours ahead: a local time written with a Z would be 9 hours off.
            Assert.InRange(logged, before.AddSeconds(-2), after.AddSeconds(2));
        }
        finally
        {
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync();
        }
    }
}
