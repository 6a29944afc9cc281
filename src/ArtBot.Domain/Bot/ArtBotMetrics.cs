using System.Diagnostics.Metrics;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot;

/// <summary>
/// What happens, counted where it happens (the worker, the adapters), through .NET's own meter
/// API, so nothing here depends on an exporter; the host publishes it (Prometheus text at /metrics).
/// </summary>
public static class ArtBotMetrics
{
    public const string MeterName = "ArtBot";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Seconds from claim to stored result, by job kind and tier.</summary>
    public static readonly Histogram<double> RenderSeconds = Meter.CreateHistogram<double>("artbot.render.seconds", "s", "render time from claim to stored result, by kind and tier");

    /// <summary>How each attempt of a job ended, by kind and outcome (done, stopped, cancelled, failed, retried, refused, unavailable…).</summary>
    public static readonly Counter<long> Jobs = Meter.CreateCounter<long>("artbot.jobs", description: "job attempts by kind and outcome");

    /// <summary>Result sends that failed (retried later by the sweeper).</summary>
    public static readonly Counter<long> FailedDeliveries = Meter.CreateCounter<long>("artbot.deliveries.failed", description: "result sends that failed");

    /// <summary>Answers of "too many requests" from a platform (Telegram 429, VK 6/9).</summary>
    public static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("artbot.platform.rate_limited", description: "too-many-requests answers, by platform");

    public static void Rendered(Job job, TimeSpan elapsed) =>
        RenderSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("kind", Name(job.Kind)), new KeyValuePair<string, object?>("tier", Name(job.Tier)));

    /// <summary>
    /// How an attempt of a job ended: counted, and said in one log line of its own (event
    /// <c>JobOutcome</c>) with the same words as the counter, so a log search and a dashboard agree.
    /// </summary>
    public static void Outcome(Job job, string outcome, ILogger logger)
    {
        Jobs.Add(1, new KeyValuePair<string, object?>("kind", Name(job.Kind)), new KeyValuePair<string, object?>("outcome", outcome));
        logger.LogInformation(JobOutcomeEvent, "Job {Job} ({Kind}, {Tier}, {Platform}) attempt {Attempt}: {Outcome}",
            job.Id, Name(job.Kind), Name(job.Tier), job.Platform, job.Attempts, outcome);
    }

    public static readonly EventId JobOutcomeEvent = new(100, "JobOutcome");

    public static void WasRateLimited(string platform) => RateLimited.Add(1, new KeyValuePair<string, object?>("platform", platform));

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
