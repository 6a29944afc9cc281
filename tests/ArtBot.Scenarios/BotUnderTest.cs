using ArtBot.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArtBot.Scenarios;

/// <summary>
/// The real bot host (engine on the real weights, a LiteDB file of its own, Quartz, the
/// platform's adapter) with small images and few iterations, at a fixed daytime clock, every
/// log line captured.
/// </summary>
public sealed class BotUnderTest : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string folder = Directory.CreateTempSubdirectory("artbot-scenario-").FullName;
    private IHost? host;

    public CapturingLoggerProvider Logs { get; } = new();

    public string Database => Path.Combine(folder, "artbot.db");

    /// <summary>The public gallery's address (ends in "/"): the web chat's own host, or beside a messenger a web host serving the gallery alone.</summary>
    public string GalleryUrl { get; private set; } = "";

    private int galleryPort;

    /// <summary>The running host's services (its hosted servers among them).</summary>
    public IServiceProvider Services => host?.Services ?? throw new InvalidOperationException("the bot is not running");

    /// <param name="configure">Changes to the host's services, for a fault a test needs (a store that fails once).</param>
    public async Task StartAsync(IFakePlatform platform, IReadOnlyDictionary<string, string?> settings, bool idleServesHeavy = true, int lightMaxIterations = 100, long adminId = 99,
        Action<IServiceCollection>? configure = null)
    {
        var overrides = new Dictionary<string, string?>
        {
            ["Queue:DatabasePath"] = Database,
            ["Queue:DispatchIntervalSeconds"] = "1",
            ["Queue:IdleCapacityServesHeavyByDay"] = idleServesHeavy.ToString(),
            ["Queue:LightMaxIterations"] = lightMaxIterations.ToString(),
            ["Bot:Free:MaxSide"] = "64",
            ["Bot:Free:MaxIterations"] = "6",
            ["Bot:Premium:MaxSide"] = "64",
            ["Bot:Premium:MaxIterations"] = "6",
            ["Bot:Hd:MaxSide"] = "64",
            ["Bot:Hd:MaxIterations"] = "6",
            ["Bot:Admins:0"] = $"{platform.Platform}:{adminId}",
            ["Bot:StylizeIterations"] = "6",
            ["Bot:DreamSteps"] = "2",
            ["Bot:GalleryTile"] = "48",
            ["Bot:ProgressInterval"] = "00:00:00",
            ["Ops:Port"] = "0",
        };
        if (platform.Platform != "web")
        {
            // The same port across restarts: links the bot sent stay good.
            if (galleryPort == 0)
            {
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
                listener.Start();
                galleryPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            }
            overrides["Web:Enabled"] = "true";
            overrides["Web:Chat"] = "false";
            overrides["Web:Port"] = galleryPort.ToString();
        }
        foreach (var (key, value) in settings) overrides[key] = value;
        GalleryUrl = $"http://127.0.0.1:{overrides["Web:Port"]}/";
        var builder = BotHost.CreateBuilder(overrides, LogLevel.Warning);
        builder.Services.AddSingleton<TimeProvider>(DaytimeClock.Instance);
        builder.Logging.AddProvider(Logs);
        builder.Logging.AddFilter<CapturingLoggerProvider>((_, _) => true);
        configure?.Invoke(builder.Services);
        host = builder.Build();
        var polls = platform.Polls;
        await host.StartAsync();
        // A VK session starts from the stream's current position, as a new bot does: updates
        // pushed before the bot listens would not be its to read.
        var deadline = DateTime.UtcNow + Patience;
        while (platform.Polls == polls && DateTime.UtcNow < deadline && !Logs.Lines.Any(l => l.StartsWith("Critical"))) await Task.Delay(20);
    }

    public async Task StopAsync()
    {
        if (host == null) return;
        await host.StopAsync();
        host.Dispose();
        host = null;
    }

    /// <summary>What the host logged says why far better than what did not arrive.</summary>
    public TimeoutException Explain(TimeoutException e)
    {
        var problems = Logs.Lines.Where(l => !l.StartsWith("Trace") && !l.StartsWith("Debug") && !l.StartsWith("Information")).TakeLast(15);
        return new TimeoutException($"{e.Message}\nhost log:\n{string.Join("\n", problems)}", e);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(folder, recursive: true);
    }
}
