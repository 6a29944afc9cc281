using ArtBot.Domain.Art;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot.Worker;

/// <summary>
/// Claims the next job the policy allows, renders it as a new attempt, stores the picture and
/// hands it to <see cref="ResultDelivery"/>. Every write names the attempt, so an attempt that lost
/// its lease (stalled, then woke up) changes nothing and sends nothing. A worker with several
/// render slots (<c>Queue:RenderSlots</c>) calls this from each; the engine serialises their tensor work.
/// Two different stops reach a job: the user's cancel (the best image so far is delivered and the
/// work this attempt did is charged) and the process's shutdown (<c>stopping</c>: the job goes
/// back to the queue untouched, nothing partial is delivered, nothing is settled).
/// Failures go by kind: refused input and a missing capability end the job at once, refunded;
/// anything else is tried again after a pause that grows, with jitter.
/// </summary>
public sealed class JobWorker(
    IJobQueue queue,
    IUserStore users,
    JobRenderer renderer,
    ProgressMessages progressMessages,
    ResultDelivery delivery,
    JobNotices notices,
    RunningJobs running,
    QueuePolicy policy,
    BotOptions options,
    JobObservers observers,
    TimeProvider time,
    ILogger<JobWorker> logger)
{
    /// <param name="stopping">The process is shutting down: not a user's cancel.</param>
    /// <returns>False when no job may run now (or the process is stopping).</returns>
    public async Task<bool> RunNextAsync(CancellationToken stopping)
    {
        if (stopping.IsCancellationRequested) return false;
        var attempt = Job.NewAttempt();
        var claimedAt = time.GetUtcNow();
        var job = await queue.ClaimNextAsync(policy, claimedAt, j => j.Claim(claimedAt, options.Lease, attempt), CancellationToken.None);
        if (job == null) return false;
        observers.Reached(JobStep.Claimed, job);

        if (await users.IsBannedAsync(job.Platform, job.UserId, CancellationToken.None))
        {
            logger.LogInformation("Job {Job}: {Platform}:{User} is banned; not rendered", job.Id, job.Platform, job.UserId);
            await EndAsync(job, attempt, JobState.Cancelled, "user banned", null, "banned");
            return true;
        }

        using var userCancel = running.Register(job.Id);
        using var lost = new CancellationTokenSource();
        LiveProgress? progress = null;
        await using var lease = new LeaseKeeper(queue, time, options.Lease, job.Id, attempt, lost.Cancel, userCancel.Cancel, logger);
        logger.LogInformation("Job {Job}: {Kind} for {Platform}:{User}, attempt {Attempt}", job.Id, job.Kind, job.Platform, job.UserId, job.Attempts);
        try
        {
            // A /cancel that found the job claimed but not yet registered here left this flag.
            if (job.CancelRequested || (await queue.GetAsync(job.Id, CancellationToken.None))?.CancelRequested == true) userCancel.Cancel();
            using var either = CancellationTokenSource.CreateLinkedTokenSource(userCancel.Token, stopping, lost.Token);
            progress = job.Kind is JobKind.Stylize or JobKind.Dream ? await progressMessages.StartAsync(job, attempt, stopping) : null;
            observers.Reached(JobStep.Rendering, job);
            var result = await renderer.RenderAsync(job, progress, either.Token);
            if (progress != null) await progress.StopAsync();
            if (lost.IsCancellationRequested)
            {
                // The lease ran out and the job went back to the queue (this worker stalled): another
                // worker renders it; nothing of this attempt goes out.
                logger.LogWarning("Job {Job}: its lease ran out while it rendered here; left to the worker that took it over", job.Id);
                return true;
            }
            // Cut short by the shutdown (a user's stop alongside it included): nothing partial goes out.
            // A render that finished before the stop reached it is whole, and is delivered.
            if (result.Cancelled && stopping.IsCancellationRequested) throw new OperationCanceledException(stopping);
            var work = progress?.Current ?? WorkDone.None;
            if (result.Cancelled && work.Step == 0)
            {
                // Stopped before this attempt's first step: there is no picture to give, and nothing to charge.
                await EndAsync(job, attempt, JobState.Cancelled, "cancelled before the first step", Texts.Get(job.Language, TextKey.Cancelled), "cancelled");
                return true;
            }
            var stored = await renderer.KeepAsync(job, result.Image, time.GetUtcNow());
            var now = time.GetUtcNow();
            var finished = await queue.UpdateAsync(job.Id, now, j => j.Finish(attempt, stored, result.Cancelled, work, result.Elapsed, now), CancellationToken.None);
            if (!finished.Applied)
            {
                logger.LogWarning("Job {Job}: result of attempt {Attempt} refused ({Reason}); nothing sent", job.Id, job.Attempts, finished.Change.Refusal);
                return true;
            }
            if (progress != null) await progress.FinishAsync(Texts.Get(job.Language, TextKey.ProgressFinished));
            observers.Reached(JobStep.ResultStored, finished.Job);
            ArtBotMetrics.Rendered(finished.Job, now - (job.StartedAt ?? now));
            ArtBotMetrics.Outcome(finished.Job, result.Cancelled ? "stopped" : "done", logger);
            await delivery.DeliverAsync(finished.Job, attempt, result.Image, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: the job goes back as it was; the next start renders it afresh.
            if (progress != null) await progress.StopAsync();
            await queue.UpdateAsync(job.Id, time.GetUtcNow(), j => j.Return(attempt), CancellationToken.None);
            logger.LogInformation("Job {Job}: back in the queue, the process is stopping", job.Id);
            return false;
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            logger.LogWarning("Job {Job}: its lease ran out; left to the worker that took it over", job.Id);
        }
        catch (OperationCanceledException) when (userCancel.IsCancellationRequested)
        {
            // A job that cannot stop half-way (a preset, an animation) was stopped before it had a picture: free.
            if (progress != null) await progress.StopAsync();
            await EndAsync(job, attempt, JobState.Cancelled, "cancelled", Texts.Get(job.Language, TextKey.Cancelled), "cancelled");
        }
        catch (Exception e)
        {
            if (progress != null) await progress.StopAsync();
            await FailAsync(job, attempt, e);
        }
        return true;
    }

    /// <summary>Refused input and missing capabilities are permanent: one line, the job ends refunded. Anything else may pass: it goes again later.</summary>
    private async Task FailAsync(Job job, string attempt, Exception e)
    {
        switch (e)
        {
            case ArtInputException input:
                logger.LogInformation("Job {Job} refused its input: {Reason}", job.Id, input.Message);
                await EndAsync(job, attempt, JobState.Failed, input.Message, Texts.Get(job.Language, TextKey.Failed, Texts.Get(job.Language, "Input" + input.Error)), "refused");
                return;
            case ArtUnavailableException unavailable:
                logger.LogError("Job {Job}: {Capability} is not available on this host: {Problem}", job.Id, unavailable.Capability, unavailable.Message);
                await EndAsync(job, attempt, JobState.Failed, unavailable.Message, JobNotices.Unavailable(job.Language, unavailable.Capability), "unavailable");
                return;
            case KeyNotFoundException missing:
                logger.LogWarning("Job {Job}: {Problem}", job.Id, missing.Message);
                await EndAsync(job, attempt, JobState.Failed, missing.Message, Texts.Get(job.Language, TextKey.ImageExpired), "expired");
                return;
        }
        var now = time.GetUtcNow();
        var delay = RetryDelay(job.Attempts);
        var retried = await queue.UpdateAsync(job.Id, now, j => j.Retry(attempt, e.Message, now, options.MaxAttempts, delay), CancellationToken.None);
        if (!retried.Applied)
        {
            logger.LogWarning("Job {Job}: attempt {Attempt} failed ({Problem}), and the job moved on ({Reason})", job.Id, job.Attempts, e.Message, retried.Change.Refusal);
            return;
        }
        if (retried.Change.Event == JobEvent.Ended)
        {
            logger.LogError(e, "Job {Job} failed on attempt {Attempt}, its last", job.Id, job.Attempts);
            ArtBotMetrics.Outcome(retried.Job, "failed", logger);
            await notices.TellEndedAsync(retried.Job, Texts.Get(job.Language, TextKey.FailedForGood), retried.Settlement, CancellationToken.None);
            return;
        }
        logger.LogWarning("Job {Job} failed on attempt {Attempt} ({Type}: {Problem}); again in {Seconds:0} s", job.Id, job.Attempts, e.GetType().Name, e.Message, delay.TotalSeconds);
        ArtBotMetrics.Outcome(retried.Job, "retried", logger);
    }

    /// <summary>Doubles per attempt from <see cref="BotOptions.RetryDelay"/>, capped at ten minutes, with ±50 % jitter so a fault shared by many jobs does not bring them back together.</summary>
    private TimeSpan RetryDelay(int attempts)
    {
        var nominal = Math.Min(options.RetryDelay.TotalSeconds * Math.Pow(2, Math.Max(0, attempts - 1)), TimeSpan.FromMinutes(10).TotalSeconds);
        return TimeSpan.FromSeconds(nominal * (0.5 + Random.Shared.NextDouble()));
    }

    /// <summary>Ends the job without a picture, its credits back in the same step, and tells the user (unless <paramref name="message"/> is null).</summary>
    private async Task EndAsync(Job job, string attempt, JobState state, string error, string? message, string outcome)
    {
        var now = time.GetUtcNow();
        var ended = await queue.UpdateAsync(job.Id, now, j => j.EndWithoutResult(attempt, state, error, now), CancellationToken.None);
        if (!ended.Applied)
        {
            logger.LogWarning("Job {Job}: could not end it ({Reason})", job.Id, ended.Change.Refusal);
            return;
        }
        ArtBotMetrics.Outcome(ended.Job, outcome, logger);
        if (message != null) await notices.TellEndedAsync(ended.Job, message, ended.Settlement, CancellationToken.None);
    }
}
