using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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
public sealed record OpsOptions
{
    public const string Section = "Ops";

    public bool Enabled { get; init; } = true;

    /// <summary>Loopback by default; a container sets 0.0.0.0 for its health check and scraper.</summary>
    [Required]
    public string Host { get; init; } = "127.0.0.1";

    [Range(0, 65535)]
    public int Port { get; init; } = 8081;

    /// <summary>A receiver is not ready when its platform has not answered for this long.</summary>
    [Range(1, 3600)]
    public int PlatformSilenceSeconds { get; init; } = 90;
}

/// <summary>
/// <c>/healthz/live</c>, <c>/healthz/ready</c> (and <c>/healthz</c>, the same) and <c>/metrics</c> on a
/// port of their own, in every role, with or without the web chat. Ready means (ASP.NET Core health
/// checks): the store answers, the engine is loaded and its weights are there (where this role
/// renders), and every platform this role polls answered lately. Live means the process answers. Metrics in Prometheus text: queue depth per
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
        // The process's own series (process_cpu_seconds_total, process_working_set_bytes,
        // dotnet_collection_count_total, dotnet_total_memory_bytes…), as the default registry has them.
        DotNetStats.Register(registry);

        var o = options.Value;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(o.Host.Contains(':') ? $"[{o.Host}]" : o.Host)}:{o.Port}");
        builder.Services.AddHealthChecks()
            .AddAsyncCheck("store", StoreAsync, tags: [Ready])
            .AddCheck("engine", Engine, tags: [Ready])
            .AddCheck("capabilities", Capabilities, tags: [Ready])
            .AddCheck("platforms", Platforms, tags: [Ready]);
        app = builder.Build();
        // Live: the process answers (a supervisor restarts it when not). Ready: it can do its work
        // now (a load balancer or an orchestrator holds traffic when not); /healthz is ready, as before.
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, _) => context.Response.WriteAsJsonAsync(new { status = "live", role = role.ToString().ToLowerInvariant() }, context.RequestAborted),
        });
        foreach (var path in new[] { "/healthz/ready", "/healthz" })
            app.MapHealthChecks(path, new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync });
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4";
            await registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        Url = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        logger.LogInformation("Health and metrics: {Url}/healthz/live, /healthz/ready, /metrics", Url);
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

    private const string Ready = "ready";

    private async Task<HealthCheckResult> StoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var depth = await queue.DepthAsync(timeout.Token);
            var data = new Dictionary<string, object>
            {
                ["queued"] = depth.ByRank.Values.Sum(),
                ["oldest_queued_s"] = depth.OldestQueuedAt is { } at ? Math.Round((time.GetUtcNow() - at).TotalSeconds) : 0,
            };
            return HealthCheckResult.Healthy(data: data);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"store: {e.GetType().Name}");
        }
    }

    /// <summary>The worker's engine is made at start; a receiver has none to load.</summary>
    private HealthCheckResult Engine()
    {
        if (role == BotRole.Receiver) return HealthCheckResult.Healthy();
        return services.GetService<IArtEngine>() is { } loaded
            ? HealthCheckResult.Healthy(data: new Dictionary<string, object> { ["engine"] = $"{loaded.Presets.All.Count} presets" })
            : HealthCheckResult.Unhealthy("engine: not loaded");
    }

    /// <summary>A role that renders and lacks weights cannot do its work; without ffmpeg it only lacks animations, and says so.</summary>
    private HealthCheckResult Capabilities()
    {
        if (role == BotRole.Receiver) return HealthCheckResult.Healthy();
        var missing = services.GetRequiredService<ArtCapabilities>().Missing.Where(m => !m.StartsWith("animation:", StringComparison.Ordinal)).Select(m => $"weights: {m}").ToList();
        return missing.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(string.Join("; ", missing));
    }

    /// <summary>Every platform this role polls answered lately.</summary>
    private HealthCheckResult Platforms()
    {
        var now = time.GetUtcNow();
        var silence = TimeSpan.FromSeconds(options.Value.PlatformSilenceSeconds);
        var contacts = platforms.Snapshot();
        var problems = new List<string>();
        foreach (var platform in PolledPlatforms())
            if (!contacts.TryGetValue(platform, out var contact)) problems.Add($"{platform}: no answer yet");
            else if (!contact.Ok || now - contact.At > silence) problems.Add($"{platform}: {contact.Problem ?? "silent"} since {contact.At:HH:mm:ss}");
        return problems.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(string.Join("; ", problems));
    }

    /// <summary>One JSON body for every health path: the checks' verdict, what failed, and what the operator looks at next.</summary>
    private Task WriteAsync(HttpContext context, HealthReport report)
    {
        var problems = report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy)
            .SelectMany(e => (e.Description ?? "").Split("; ", StringSplitOptions.RemoveEmptyEntries)).ToList();
        var data = report.Entries.Values.SelectMany(e => e.Data).ToDictionary(d => d.Key, d => d.Value);
        var capabilities = services.GetRequiredService<ArtCapabilities>();
        var body = new
        {
            status = report.Status == HealthStatus.Healthy ? "ready" : "not ready",
            role = role.ToString().ToLowerInvariant(),
            problems,
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString().ToLowerInvariant()),
            queued = data.GetValueOrDefault("queued"),
            oldest_queued_s = data.GetValueOrDefault("oldest_queued_s"),
            engine = data.GetValueOrDefault("engine"),
            capabilities = new
            {
                presets = capabilities.Presets.Order(StringComparer.Ordinal).ToList(),
                gatys = capabilities.Gatys,
                dream = capabilities.Dream,
                animation = capabilities.Animation,
                missing = capabilities.Missing,
                weights_checked = capabilities.Checked,
            },
            platforms = platforms.Snapshot().ToDictionary(c => c.Key, c => new { ok = c.Value.Ok, at = c.Value.At, problem = c.Value.Problem }),
        };
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
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
