using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot.Worker;

/// <summary>
/// Sends a finished picture with its follow-up buttons, then records it delivered (fenced by the
/// sender's attempt) and settles a paid job in the same step. A failed send is not rendered again:
/// the job waits, longer each time, for the sweeper's next try, and ends (refunded) after
/// <see cref="BotOptions.MaxDeliveryAttempts"/>.
/// </summary>
public sealed class ResultDelivery(IJobQueue queue, IMessengers messengers, Menus menus, JobNotices notices, BotOptions options, JobObservers observers,
    TimeProvider time, ILogger<ResultDelivery> logger)
{
    /// <param name="attempt">The sender's hold on the job: the render attempt, or the sweeper's delivery claim.</param>
    public async Task DeliverAsync(Job job, string attempt, byte[] image, CancellationToken cancellationToken)
    {
        SentMessage sent;
        try
        {
            sent = await SendAsync(job, image, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ArtBotMetrics.FailedDeliveries.Add(1);
            var now = time.GetUtcNow();
            var failed = await queue.UpdateAsync(job.Id, now, j => j.DeliveryFailed(attempt, e.Message, now, options.MaxDeliveryAttempts), CancellationToken.None);
            if (!failed.Applied) logger.LogWarning("Job {Job}: result not delivered ({Problem}), and the job moved on ({Reason})", job.Id, e.Message, failed.Change.Refusal);
            else if (failed.Change.Event == JobEvent.Ended)
            {
                logger.LogError("Job {Job}: result undeliverable after {Attempts} tries ({Problem}); ended, credits returned", job.Id, failed.Job.DeliveryAttempts, e.Message);
                ArtBotMetrics.Outcome(job, "undeliverable", logger);
                await notices.TellEndedAsync(failed.Job, Texts.Get(job.Language, TextKey.FailedForGood), failed.Settlement, CancellationToken.None);
            }
            else logger.LogWarning("Job {Job}: result not delivered ({Problem}); next try at {Next:HH:mm}", job.Id, e.Message, failed.Job.NextDeliveryAt);
            return;
        }
        observers.Reached(JobStep.Sent, job);
        var at = time.GetUtcNow();
        var delivered = await queue.UpdateAsync(job.Id, at, j => j.Deliver(attempt, at, sent.FileId), CancellationToken.None);
        if (!delivered.Applied)
        {
            // Another holder took the delivery over after this one's lease ran out: it records it.
            logger.LogWarning("Job {Job}: sent, but not recorded here ({Reason})", job.Id, delivered.Change.Refusal);
            return;
        }
        observers.Reached(JobStep.Delivered, delivered.Job);
        if (delivered.Settlement is not { } settled) return;
        logger.LogInformation("Job {Job}: {Charged} credits charged, {Returned} returned", job.Id, settled.Charged, settled.Returned);
        if (delivered.Job.State != JobState.Done)
            await notices.TellAsync(delivered.Job, Texts.Get(job.Language, TextKey.ChargedForWorkDone, settled.Charged, settled.Returned), "settled", cancellationToken);
    }

    private async Task<SentMessage> SendAsync(Job job, byte[] image, CancellationToken cancellationToken)
    {
        var caption = notices.Caption(job);
        var messenger = messengers.For(job.Platform);
        if (job.Kind == JobKind.Animation)
            return await messenger.SendAnimationAsync(job.ChatId, image, caption, await menus.ResultAsync(job, cancellationToken), cancellationToken, $"job:{job.Id}:result");
        var keyboard = job.Kind == JobKind.Gallery ? await menus.PhotoAsync(job, cancellationToken) : await menus.ResultAsync(job, cancellationToken);
        var sent = await messenger.SendImageAsync(job.ChatId, image, caption, keyboard, asFile: false, cancellationToken, $"job:{job.Id}:result");
        // The full-quality file is part of a finished HD picture, not of work the user stopped.
        if (options.LimitsOf(job.Tier).SendFile && job.Kind != JobKind.Gallery && job.State == JobState.Done)
            await messenger.SendImageAsync(job.ChatId, image, caption, null, asFile: true, cancellationToken, $"job:{job.Id}:file");
        return sent;
    }
}
