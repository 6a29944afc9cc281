using System.Collections.Concurrent;
using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot;

/// <summary>
/// Takes the next job the policy allows, renders it on the engine, keeps one progress message
/// up to date and delivers the result with follow-up buttons. One job at a time: the device
/// serves one job, and the dispatcher calls this in a loop.
/// </summary>
public sealed class JobRunner(
    IJobQueue queue,
    IImageStore images,
    IArtEngine engine,
    IMessengers messengers,
    ILedger ledger,
    PresetCatalog presets,
    QueuePolicy policy,
    BotOptions options,
    TimeProvider time,
    ILogger<JobRunner> logger) : IRunningJobs
{
    private readonly ConcurrentDictionary<long, CancellationTokenSource> running = new();

    public bool Cancel(long jobId)
    {
        if (!running.TryGetValue(jobId, out var source)) return false;
        source.Cancel();
        return true;
    }

    /// <summary>Start-up: re-queue interrupted jobs (telling those that ran out of tries) and deliver finished, undelivered results.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var report = await queue.RecoverAsync(options.MaxAttempts, time.GetUtcNow(), cancellationToken);
        foreach (var job in report.Requeued) logger.LogWarning("Job {Job} was interrupted; re-queued (attempt {Attempt})", job.Id, job.Attempts);
        foreach (var job in report.Failed)
        {
            logger.LogError("Job {Job} was interrupted {Attempts} times; failed", job.Id, job.Attempts);
            await TellAsync(job, await WithReleaseAsync(job, Texts.Get(job.Language, TextKey.FailedForGood), cancellationToken), "failed", cancellationToken);
        }
        foreach (var job in await queue.UndeliveredAsync(cancellationToken))
        {
            try
            {
                await DeliverAsync(job, await images.GetAsync(job.ResultImage!, cancellationToken), null, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next start-up tries again; one chat that cannot be reached must not keep the bot down.
                logger.LogWarning("Job {Job}: result still undelivered ({Problem})", job.Id, e.Message);
            }
        }
    }

    /// <returns>False when no job may run now.</returns>
    public async Task<bool> RunNextAsync(CancellationToken cancellationToken)
    {
        var job = await queue.ClaimNextAsync(policy, time.GetUtcNow(), options.Lease, cancellationToken);
        if (job == null) return false;

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        running[job.Id] = cancel;
        logger.LogInformation("Job {Job}: {Kind} for {Platform}:{User}, attempt {Attempt}", job.Id, job.Kind, job.Platform, job.UserId, job.Attempts);
        try
        {
            var progress = job.Kind is JobKind.Stylize or JobKind.Dream ? await StartProgressAsync(job, cancellationToken) : null;
            var result = await RenderAsync(job, progress, cancel.Token);
            // A progress edit still in flight must not land after the result.
            if (progress != null) await progress.FinishAsync(Texts.Get(job.Language, TextKey.ProgressFinished));
            job.ResultImage = await images.PutAsync(result.Image, time.GetUtcNow(), cancellationToken);
            // A cancelled Gatys or dream still returns its best image so far: the user gets it.
            job.State = result.Cancelled ? JobState.Cancelled : JobState.Done;
            job.FinishedAt = time.GetUtcNow();
            await queue.UpdateAsync(job, cancellationToken);
            try
            {
                await DeliverAsync(job, result.Image, result, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Rendered and stored: a failed send is retried at the next start-up, never re-rendered.
                logger.LogWarning("Job {Job}: result not delivered ({Problem})", job.Id, e.Message);
            }
        }
        catch (ArtInputException e)
        {
            logger.LogInformation("Job {Job} refused its input: {Reason}", job.Id, e.Message);
            await FailAsync(job, Texts.Get(job.Language, TextKey.Failed, e.Message), cancellationToken);
        }
        catch (KeyNotFoundException e)
        {
            logger.LogWarning("Job {Job}: {Problem}", job.Id, e.Message);
            await FailAsync(job, Texts.Get(job.Language, TextKey.ImageExpired), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the job stays "running" and start-up recovery re-queues it.
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {Job} failed on attempt {Attempt}", job.Id, job.Attempts);
            if (job.Attempts >= options.MaxAttempts) await FailAsync(job, Texts.Get(job.Language, TextKey.FailedForGood), cancellationToken);
            else await queue.RequeueAsync(job, cancellationToken);
        }
        finally
        {
            running.TryRemove(job.Id, out _);
        }
        return true;
    }

    private async Task<ArtResult> RenderAsync(Job job, IProgress<RenderProgress>? progress, CancellationToken cancellationToken)
    {
        var content = await images.GetAsync(job.ContentImage, cancellationToken);
        return job.Kind switch
        {
            JobKind.Preset => await engine.PresetAsync(new PresetRequest(content, job.PresetId!, job.Size), cancellationToken),
            JobKind.Stylize => await engine.StylizeAsync(
                new StylizeRequest(content, await images.GetAsync(job.StyleImage!, cancellationToken), job.Size, job.Iterations, job.PreserveColors, job.StyleStrength),
                progress, cancellationToken),
            JobKind.Dream => await engine.DreamAsync(new DreamRequest(content, job.Size, job.Iterations), progress, cancellationToken),
            _ => await engine.GalleryAsync(new GalleryRequest(content, job.Size, job.Language), cancellationToken),
        };
    }

    private async Task<ThrottledProgress?> StartProgressAsync(Job job, CancellationToken cancellationToken)
    {
        try
        {
            job.ProgressMessageId = await messengers.For(job.Platform).SendTextAsync(job.ChatId, Texts.Get(job.Language, TextKey.Started),
                cancellationToken: cancellationToken, dedupeKey: $"job:{job.Id}:started:{job.Attempts}");
            await queue.UpdateAsync(job, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Job {Job}: progress message not sent ({Problem})", job.Id, e.Message);
        }
        return new ThrottledProgress(queue, messengers.For(job.Platform), time, options.ProgressInterval, logger, job, cancellationToken);
    }

    /// <summary>
    /// Reports arrive on the engine's tensor thread: they must not block it, so each edit is
    /// fired off, at most one at a time and no more often than the configured interval.
    /// </summary>
    private sealed class ThrottledProgress(IJobQueue queue, IMessenger messenger, TimeProvider time, TimeSpan interval, ILogger logger, Job job, CancellationToken cancellationToken) : IProgress<RenderProgress>
    {
        private DateTimeOffset last = DateTimeOffset.MinValue;
        private int busy;
        private Task inFlight = Task.CompletedTask;

        /// <summary>Waits for the edit in flight, then says the job is done, so the message does not stay at "2 %" beside the result.</summary>
        public async Task FinishAsync(string text)
        {
            Interlocked.Exchange(ref busy, 1);
            await inFlight;
            if (job.ProgressMessageId is not { } message) return;
            try
            {
                await messenger.EditTextAsync(job.ChatId, message, text, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Job {Job}: final progress edit failed ({Problem})", job.Id, e.Message);
            }
        }

        public void Report(RenderProgress value)
        {
            var now = time.GetUtcNow();
            if (now - last < interval || Interlocked.Exchange(ref busy, 1) == 1) return;
            last = now;
            inFlight = Task.Run(async () =>
            {
                try
                {
                    job.ProgressStep = value.Step;
                    job.ProgressTotal = value.TotalSteps;
                    // /status reads the stored job: one write per (throttled) report.
                    await queue.UpdateAsync(job, cancellationToken);
                    var percent = (int)Math.Round(value.Fraction * 100);
                    var left = value.Eta is { } eta ? $"{(int)eta.TotalMinutes}:{eta.Seconds:00}" : "?";
                    if (job.ProgressMessageId is { } message)
                        await messenger.EditTextAsync(job.ChatId, message,
                            Texts.Get(job.Language, TextKey.Progress, percent, value.Step, value.TotalSteps, left), cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Job {Job}: progress edit failed ({Problem})", job.Id, e.Message);
                }
                finally
                {
                    Interlocked.Exchange(ref busy, 0);
                }
            }, CancellationToken.None);
        }
    }

    private async Task DeliverAsync(Job job, byte[] image, ArtResult? result, CancellationToken cancellationToken)
    {
        var seconds = result?.Elapsed.TotalSeconds ?? 0;
        var caption = job.Kind switch
        {
            JobKind.Preset => Texts.Get(job.Language, TextKey.ResultPreset, presets.Find(job.PresetId!)?.Name.For(job.Language) ?? job.PresetId!, Math.Round(seconds, 1)),
            JobKind.Stylize => Texts.Get(job.Language, TextKey.ResultStylize, job.Iterations ?? 0, Duration(seconds)),
            JobKind.Dream => Texts.Get(job.Language, TextKey.ResultDream, Duration(seconds)),
            _ => Texts.Get(job.Language, TextKey.GalleryCaption),
        };
        var keyboard = job.Kind == JobKind.Gallery
            ? null
            : Keyboard.Of([
                new Button(Texts.Get(job.Language, TextKey.ButtonStronger), $"x:{job.Id}"),
                new Button(Texts.Get(job.Language, TextKey.ButtonAnotherPreset), $"m:{job.Id}"),
                new Button(Texts.Get(job.Language, TextKey.ButtonDreamThis), $"r:{job.Id}")]);
        var messenger = messengers.For(job.Platform);
        await messenger.SendImageAsync(job.ChatId, image, caption, keyboard, asFile: false, cancellationToken, $"job:{job.Id}:result");
        if (options.LimitsOf(job.Tier).SendFile && job.Kind != JobKind.Gallery)
            await messenger.SendImageAsync(job.ChatId, image, caption, null, asFile: true, cancellationToken, $"job:{job.Id}:file");
        job.DeliveredAt = time.GetUtcNow();
        await queue.UpdateAsync(job, cancellationToken);
        // Paid on delivery; a job the user stopped gives its best image so far and its credits back.
        if (job.Paid && await ledger.SettleAsync(job.Id, charge: job.State == JobState.Done, time.GetUtcNow(), cancellationToken) is { } settled)
        {
            logger.LogInformation("Job {Job}: {Credits} credits {Outcome}", job.Id, settled, job.State == JobState.Done ? "charged" : "released");
            if (job.State != JobState.Done) await TellAsync(job, Texts.Get(job.Language, TextKey.Released, settled), "released", cancellationToken);
        }
    }

    /// <summary>A paid job that ends without a result returns its credits, and the message says so.</summary>
    private async Task<string> WithReleaseAsync(Job job, string message, CancellationToken cancellationToken) =>
        job.Paid && await ledger.SettleAsync(job.Id, charge: false, time.GetUtcNow(), cancellationToken) is { } released
            ? message + "\n" + Texts.Get(job.Language, TextKey.Released, released)
            : message;

    private static string Duration(double seconds) =>
        seconds < 90 ? $"{seconds:0} s" : $"{seconds / 60:0.#} min";

    private async Task FailAsync(Job job, string message, CancellationToken cancellationToken)
    {
        job.State = JobState.Failed;
        job.Error = message;
        job.FinishedAt = time.GetUtcNow();
        await queue.UpdateAsync(job, cancellationToken);
        await TellAsync(job, await WithReleaseAsync(job, message, cancellationToken), "failed", cancellationToken);
    }

    private async Task TellAsync(Job job, string message, string what, CancellationToken cancellationToken)
    {
        try
        {
            await messengers.For(job.Platform).SendTextAsync(job.ChatId, message, cancellationToken: cancellationToken, dedupeKey: $"job:{job.Id}:{what}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Job {Job}: could not tell the user ({Problem})", job.Id, e.Message);
        }
    }
}
