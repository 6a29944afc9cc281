using ArtBot.Domain.Bot;
using ArtBot.Domain.Bot.Worker;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace ArtBot.Scheduling;

/// <summary>
/// Runs queued jobs until none may run now, <see cref="QueueOptions.RenderSlots"/> at a time (the
/// engine serialises their tensor work). One dispatch at a time: the slots are its own.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DispatchJob(JobWorker worker, QueueSweeper sweeper, IOptions<QueueOptions> options, IHostApplicationLifetime lifetime) : IJob
{
    public static readonly JobKey Key = new("dispatch", "artbot");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        // The host's stop is the shutdown signal, whatever Quartz does with its own token.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        await sweeper.SweepIfDueAsync(stopping.Token);
        async Task Slot()
        {
            while (!stopping.IsCancellationRequested && await worker.RunNextAsync(stopping.Token))
            {
            }
        }
        await Task.WhenAll(Enumerable.Range(0, options.Value.RenderSlots).Select(_ => Slot()));
    }
}

/// <summary>Deletes stored images older than the retention period, and the button menus that pointed at them.</summary>
[DisallowConcurrentExecution]
public sealed class MaintenanceJob(IImageStore images, IOfferStore offers, IClusterLock locks, IOptions<QueueOptions> options, TimeProvider time, ILogger<MaintenanceJob> logger) : IJob
{
    public static readonly JobKey Key = new("maintenance", "artbot");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        // Every worker schedules it; one does it.
        await using var held = await locks.TryAcquireAsync("maintenance", cancellationToken);
        if (held == null) return;
        var deleted = await images.DeleteOlderThanAsync(time.GetUtcNow().AddDays(-options.Value.RetentionDays), cancellationToken);
        if (deleted > 0) logger.LogInformation("Deleted {Count} images older than {Days} days", deleted, options.Value.RetentionDays);
        var expired = await offers.DeleteExpiredAsync(time.GetUtcNow(), cancellationToken);
        if (expired > 0) logger.LogInformation("Deleted {Count} expired button menus", expired);
    }
}

/// <summary>
/// The signals of a process whose store it has to itself (LiteDB): a job queued wakes the
/// dispatcher at once; a stop needs no message, the conversation stops the job in this process itself.
/// </summary>
public sealed class QuartzJobSignal(ISchedulerFactory schedulers, ILogger<QuartzJobSignal> logger) : IJobSignal
{
    public void JobQueued() => _ = WakeAsync(schedulers, logger);

    public void CancelRequested(long jobId)
    {
    }

    /// <summary>Runs the dispatcher now; if that fails, its periodic trigger picks the job up anyway.</summary>
    internal static async Task WakeAsync(ISchedulerFactory schedulers, ILogger logger)
    {
        try
        {
            var scheduler = await schedulers.GetScheduler();
            await scheduler.TriggerJob(DispatchJob.Key);
        }
        catch (Exception e)
        {
            logger.LogWarning("Could not wake the dispatcher: {Problem}", e.Message);
        }
    }
}

/// <summary>
/// A store shared by processes: what the others signal reaches this worker at once, a job
/// booked anywhere wakes its dispatcher, a stop asked for anywhere stops the job if it renders here.
/// </summary>
public sealed class SignalListener(IJobSignalSource source, ISchedulerFactory schedulers, RunningJobs running, ILogger<SignalListener> logger) : BackgroundService, IJobSignal
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => source.ListenAsync(this, stoppingToken);

    public void JobQueued() => _ = QuartzJobSignal.WakeAsync(schedulers, logger);

    public void CancelRequested(long jobId)
    {
        if (running.Cancel(jobId)) logger.LogInformation("Job {Job}: its user asked to stop it; stopping", jobId);
    }
}

/// <summary>Before the scheduler starts: re-queue what a crash interrupted and deliver finished results.</summary>
public sealed class QueueRecovery(QueueSweeper sweeper, ILogger<QueueRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await sweeper.RecoverAsync(cancellationToken);
        logger.LogInformation("Queue recovered");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Every platform's messenger, by name.</summary>
public sealed class Messengers(IEnumerable<IMessenger> all) : IMessengers
{
    private readonly Dictionary<string, IMessenger> byPlatform = all.ToDictionary(m => m.Platform);

    public IMessenger For(string platform) =>
        byPlatform.TryGetValue(platform, out var messenger) ? messenger : throw new InvalidOperationException($"no messenger for platform '{platform}'");
}
