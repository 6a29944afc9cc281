using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot.Worker;

/// <summary>
/// What no worker holds any more: jobs whose worker died (its lease ran out, or the one process a
/// LiteDB file allows stopped), bookings whose notice never went out, ended paid jobs left
/// unsettled by a crash between two steps, and finished pictures that have not reached their users.
/// </summary>
/// <param name="locks">Keeps the sweep to one node at a time where several share the store.</param>
public sealed class QueueSweeper(IJobQueue queue, IImageStore images, ResultDelivery delivery, JobNotices notices, IClusterLock locks, BotOptions options,
    TimeProvider time, ILogger<QueueSweeper> logger)
{
    private DateTimeOffset nextSweep = DateTimeOffset.MinValue;

    /// <summary>Start-up: re-queue interrupted jobs (telling those that ran out of tries), then sweep.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        // A store of one process: whatever was held was this process's before it stopped. A shared one: only lapsed leases.
        await RecoverOrphansAsync(expiredOnly: queue.SharedByProcesses, cancellationToken);
        await SweepAsync(cancellationToken);
    }

    /// <summary>Runs <see cref="SweepAsync"/> when <see cref="BotOptions.SweepInterval"/> has passed since the last sweep.</summary>
    public async Task SweepIfDueAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() < nextSweep) return;
        await SweepAsync(cancellationToken);
    }

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        nextSweep = time.GetUtcNow() + options.SweepInterval;
        await using var held = await locks.TryAcquireAsync("sweeper", cancellationToken);
        if (held == null) return;
        await RecoverOrphansAsync(expiredOnly: true, cancellationToken);
        foreach (var job in await queue.UnsettledAsync(cancellationToken))
        {
            var settled = await queue.UpdateAsync(job.Id, time.GetUtcNow(), j => j.Settle(), cancellationToken);
            if (settled.Settlement is { } s) logger.LogWarning("Job {Job}: settled by the sweeper, {Charged} charged, {Returned} returned", job.Id, s.Charged, s.Returned);
        }
        foreach (var job in await queue.UndeliveredAsync(time.GetUtcNow(), cancellationToken))
        {
            if (cancellationToken.IsCancellationRequested) return;
            await RedeliverAsync(job, cancellationToken);
        }
    }

    private async Task RedeliverAsync(Job job, CancellationToken cancellationToken)
    {
        byte[] image;
        try
        {
            image = await images.GetAsync(job.ResultImage!, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            var ended = await queue.UpdateAsync(job.Id, time.GetUtcNow(), j => j.EndWithoutResult(null, JobState.Failed, "result image expired before it could be delivered", time.GetUtcNow()), cancellationToken);
            if (ended.Applied) await notices.TellEndedAsync(ended.Job, Texts.Get(job.Language, TextKey.FailedForGood), ended.Settlement, cancellationToken);
            return;
        }
        // The delivery is this sweeper's for a lease: another node's sweep leaves it alone.
        var attempt = Job.NewAttempt();
        var now = time.GetUtcNow();
        var claimed = await queue.UpdateAsync(job.Id, now, j => j.ClaimDelivery(now, options.Lease, attempt), cancellationToken);
        if (!claimed.Applied) return;
        await delivery.DeliverAsync(claimed.Job, attempt, image, cancellationToken);
    }

    private async Task RecoverOrphansAsync(bool expiredOnly, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var (job, change, settlement) in await queue.RecoverAsync(now, expiredOnly, j => j.Recover(now, options.MaxAttempts), cancellationToken))
        {
            switch (change.Event, job.State)
            {
                case (JobEvent.Requeued, _):
                    logger.LogWarning("Job {Job} was interrupted; re-queued (attempt {Attempt} was its last)", job.Id, job.Attempts);
                    break;
                case (JobEvent.Ended, JobState.Failed):
                    logger.LogError("Job {Job} was interrupted {Attempts} times; failed", job.Id, job.Attempts);
                    ArtBotMetrics.Outcome(job, "failed", logger);
                    await notices.TellEndedAsync(job, Texts.Get(job.Language, TextKey.FailedForGood), settlement, cancellationToken);
                    break;
                case (JobEvent.Ended, _):
                    logger.LogInformation("Job {Job}: its user stopped it while its worker was gone; ended", job.Id);
                    ArtBotMetrics.Outcome(job, "cancelled", logger);
                    await notices.TellEndedAsync(job, Texts.Get(job.Language, TextKey.Cancelled), settlement, cancellationToken);
                    break;
                case (JobEvent.Announced, _):
                    logger.LogInformation("Job {Job}: its notice never went out; released to the workers", job.Id);
                    break;
            }
        }
    }
}
