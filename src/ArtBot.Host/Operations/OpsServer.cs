using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace ArtBot.Host.Operations;

/// <summary>Configuration section <c>Ops</c>: the health and metrics endpoint every role serves.</summary>
public sealed class OpsOptions
{
    public const string Section = "Ops";

    public bool Enabled { get; set; } = true;

    /// <summary>Loopback by default; a container sets 0.0.0.0 for its health check and scraper.</summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(0, 65535)]
    public int Port { get; set; } = 8081;

    /// <summary>A receiver is not ready when its platform has not answered for this long.</summary>
    [Range(1, 3600)]
    public int PlatformSilenceSeconds { get; set; } = 90;
}

/// <summary>
/// <c>/healthz</c> and <c>/metrics</c> on a port of their own, in every role, with or without the
/// web chat. Ready means: the store answers, the engine is loaded (where this role renders), and
/// every platform this role polls answered lately. Metrics in Prometheus text: queue depth per
/// rank, the oldest queued job's age, credits sold, and the worker's and adapters' counters
/// (render seconds per kind, failed deliveries, rate limits).
/// </summary>
public sealed class OpsServer(IServiceProvider services, IJobQueue queue, ILedger ledger, PlatformStatus platforms, IConfiguration configuration,
    IOptions<OpsOptions> options, TimeProvider time, ILogger<OpsServer> logger) : BackgroundService
{
    private readonly BotRole role = BotHost.RoleOf(configuration);
    private readonly CollectorRegistry registry = Metrics.NewCustomRegistry();
    private IDisposable? meters;
    private WebApplication? app;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        var depth = factory.CreateGauge("artbot_queue_depth", "Queued jobs by rank (0 paid light, 1 paid heavy, 2 free light, 3 free heavy).", "rank");
        var oldest = factory.CreateGauge("artbot_queue_oldest_seconds", "Age of the oldest queued job.");
        var sold = factory.CreateGauge("artbot_credits_sold", "Credits bought, less those refunded.");
        registry.AddBeforeCollectCallback(async ct =>
        {
            var now = await queue.DepthAsync(ct);
            foreach (var (rank, count) in now.ByRank) depth.WithLabels(rank.ToString(CultureInfo.InvariantCulture)).Set(count);
            oldest.Set(now.OldestQueuedAt is { } at ? (time.GetUtcNow() - at).TotalSeconds : 0);
            sold.Set(await ledger.CreditsSoldAsync(ct));
        });
        meters = Listen(factory);

        var o = options.Value;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(o.Host.Contains(':') ? $"[{o.Host}]" : o.Host)}:{o.Port}");
        app = builder.Build();
        // As a Delegate: a method group taking HttpContext would bind as a RequestDelegate and drop its result.
        app.MapGet("/healthz", (Delegate)HealthAsync);
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4";
            await registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        Url = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        logger.LogInformation("Health and metrics: {Url}/healthz, /metrics", Url);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>The worker's and adapters' measurements (the ArtBot meter) as Prometheus collectors.</summary>
    private static MeterListener Listen(IMetricFactory factory)
    {
        var render = factory.CreateHistogram("artbot_render_seconds", "Render time from claim to stored result, by kind and tier.",
            new HistogramConfiguration { LabelNames = ["kind", "tier"], Buckets = Histogram.ExponentialBuckets(0.05, 2, 14) });
        var jobs = factory.CreateCounter("artbot_jobs_total", "Job attempts by kind and how they ended (done, stopped, cancelled, failed, retried, refused, unavailable…).",
            new CounterConfiguration { LabelNames = ["kind", "outcome"] });
        var failed = factory.CreateCounter("artbot_deliveries_failed_total", "Result sends that failed (retried by the sweeper).");
        var limited = factory.CreateCounter("artbot_platform_rate_limited_total", "Too-many-requests answers, by platform.", new CounterConfiguration { LabelNames = ["platform"] });
        static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
        {
            foreach (var tag in tags) if (tag.Key == name) return tag.Value?.ToString() ?? "";
            return "";
        }
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == ArtBotMetrics.MeterName) l.EnableMeasurementEvents(instrument); },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument == ArtBotMetrics.RenderSeconds) render.WithLabels(Tag(tags, "kind"), Tag(tags, "tier")).Observe(value);
        });
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument == ArtBotMetrics.FailedDeliveries) failed.Inc(value);
            else if (instrument == ArtBotMetrics.Jobs) jobs.WithLabels(Tag(tags, "kind"), Tag(tags, "outcome")).Inc(value);
            else if (instrument == ArtBotMetrics.RateLimited) limited.WithLabels(Tag(tags, "platform")).Inc(value);
        });
        listener.Start();
        return listener;
    }

    /// <summary>Where it listens, once started (the port is the system's pick when Ops:Port is 0).</summary>
    public string? Url { get; private set; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;

    private async Task<IResult> HealthAsync(HttpContext context)
    {
        var problems = new List<string>();
        QueueDepth? depth = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            depth = await queue.DepthAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            problems.Add($"store: {e.GetType().Name}");
        }
        string? engine = null;
        if (role != BotRole.Receiver)
        {
            // The worker's engine is made at start; a receiver has none to load.
            engine = services.GetService<IArtEngine>() is { } loaded ? $"{loaded.Presets.All.Count} presets" : null;
            if (engine == null) problems.Add("engine: not loaded");
        }
        var capabilities = services.GetRequiredService<ArtCapabilities>();
        // A role that renders and lacks weights cannot do its work; without ffmpeg it only lacks animations, and says so.
        if (role != BotRole.Receiver)
            problems.AddRange(capabilities.Missing.Where(m => !m.StartsWith("animation:", StringComparison.Ordinal)).Select(m => $"weights: {m}"));
        var now = time.GetUtcNow();
        var silence = TimeSpan.FromSeconds(options.Value.PlatformSilenceSeconds);
        var contacts = platforms.Snapshot();
        foreach (var platform in PolledPlatforms())
            if (!contacts.TryGetValue(platform, out var contact)) problems.Add($"{platform}: no answer yet");
            else if (!contact.Ok || now - contact.At > silence) problems.Add($"{platform}: {contact.Problem ?? "silent"} since {contact.At:HH:mm:ss}");
        var body = new
        {
            status = problems.Count == 0 ? "ready" : "not ready",
            role = role.ToString().ToLowerInvariant(),
            problems,
            queued = depth?.ByRank.Values.Sum(),
            oldest_queued_s = depth?.OldestQueuedAt is { } at ? Math.Round((now - at).TotalSeconds) : (double?)null,
            engine,
            capabilities = new
            {
                presets = capabilities.Presets.Order(StringComparer.Ordinal).ToList(),
                gatys = capabilities.Gatys,
                dream = capabilities.Dream,
                animation = capabilities.Animation,
                missing = capabilities.Missing,
                weights_checked = capabilities.Checked,
            },
            platforms = contacts.ToDictionary(c => c.Key, c => new { ok = c.Value.Ok, at = c.Value.At, problem = c.Value.Problem }),
        };
        return Results.Json(body, statusCode: problems.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>The platforms this process receives from: their receivers report each answer.</summary>
    private IEnumerable<string> PolledPlatforms() =>
        role == BotRole.Worker ? [] : services.GetServices<IHostedService>().Select(s => s.GetType().Name switch
        {
            "TelegramReceiver" => "telegram",
            "VkReceiver" => "vk",
            _ => null,
        }).OfType<string>();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (app != null) await app.StopAsync(cancellationToken);
        meters?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        (app as IDisposable)?.Dispose();
        base.Dispose();
    }
}
