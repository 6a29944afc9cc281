using System.Collections.Concurrent;
using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot;

/// <summary>The steps of a job's life, in order (booked by the conversation, the rest by a worker), for metrics and for the crash tests that stop the process at each.</summary>
public enum JobStep { Booked, Claimed, Rendering, ResultStored, Sent, Delivered }

/// <summary>Sees a worker pass each <see cref="JobStep"/>; called on the worker's path, so it must be quick.</summary>
public interface IJobObserver
{
    void Reached(JobStep step, Job job);
}

/// <summary>
/// Takes the next job the policy allows, renders it on the engine, keeps one progress message
/// up to date, delivers the result with follow-up buttons and settles its credits. One job at a
/// time: the device serves one job, and the dispatcher calls this in a loop.
/// Two different stops reach a job: the user's /cancel (the best image so far is delivered and
/// the work done is charged) and the process's shutdown (<c>stopping</c>: the job goes back to
/// the queue untouched, nothing partial is delivered, nothing is settled).
/// </summary>
public sealed class JobRunner(
    IJobQueue queue,
    IImageStore images,
    IUserStore users,
    IArtEngine engine,
    IMessengers messengers,
    Menus menus,
    PresetCatalog presets,
    QueuePolicy policy,
    BotOptions options,
    IEnumerable<IJobObserver> observers,
    TimeProvider time,
    ILogger<JobRunner> logger) : IRunningJobs
{
    private readonly ConcurrentDictionary<long, CancellationTokenSource> running = new();
    private readonly IJobObserver[] watchers = observers.ToArray();
    private DateTimeOffset nextSweep = DateTimeOffset.MinValue;

    /// <summary>Keeps the sweep to one node at a time where several share the store; null: this process is alone.</summary>
    public IClusterLock? Locks { get; init; }

    public bool Cancel(long jobId)
    {
        if (!running.TryGetValue(jobId, out var source)) return false;
        source.Cancel();
        return true;
    }

    /// <summary>Start-up: re-queue interrupted jobs (telling those that ran out of tries), then sweep.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        // A store of one process: whatever ran was this process's before it stopped. A shared one: only expired leases.
        await RequeueDeadAsync(expiredOnly: queue.SharedByProcesses, cancellationToken);
        await SweepAsync(cancellationToken);
    }

    private async Task RequeueDeadAsync(bool expiredOnly, CancellationToken cancellationToken)
    {
        var report = await queue.RecoverAsync(options.MaxAttempts, time.GetUtcNow(), expiredOnly, cancellationToken);
        foreach (var job in report.Requeued) logger.LogWarning("Job {Job} was interrupted; re-queued (attempt {Attempt})", job.Id, job.Attempts);
        foreach (var job in report.Failed)
        {
            logger.LogError("Job {Job} was interrupted {Attempts} times; failed", job.Id, job.Attempts);
            await TellAsync(job, WithReturned(job, Texts.Get(job.Language, TextKey.FailedForGood), job.Paid ? new Settlement(job.Price, 0) : null), "failed", cancellationToken);
        }
    }

    /// <summary>Runs <see cref="SweepAsync"/> when a minute has passed since the last sweep.</summary>
    public async Task SweepIfDueAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() < nextSweep) return;
        await SweepAsync(cancellationToken);
    }

    /// <summary>
    /// Settles what a crash left between two steps (ended paid jobs with open reservations) and
    /// delivers finished results that have not reached their users yet, with growing pauses
    /// between tries of one chat that cannot be reached.
    /// </summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        nextSweep = time.GetUtcNow() + options.SweepInterval;
        // One sweeper at a time: two would both see the same undelivered result and both send it.
        await using var held = Locks == null ? null : await Locks.TryAcquireAsync("sweep", cancellationToken);
        if (Locks != null && held == null) return;
        // A worker that stopped renewing its lease died: its job goes back to the queue.
        await RequeueDeadAsync(expiredOnly: true, cancellationToken);
        foreach (var job in await queue.UnsettledAsync(cancellationToken))
            if (await queue.SettleAsync(job, time.GetUtcNow(), cancellationToken) is { } settled)
                logger.LogWarning("Job {Job}: settled by the sweeper, {Charged} charged, {Returned} returned", job.Id, settled.Charged, settled.Returned);
        foreach (var job in await queue.UndeliveredAsync(time.GetUtcNow(), cancellationToken))
        {
            if (cancellationToken.IsCancellationRequested) return;
            byte[] image;
            try
            {
                image = await images.GetAsync(job.ResultImage!, cancellationToken);
            }
            catch (KeyNotFoundException)
            {
                await EndAsync(job, JobState.Failed, "result image expired before it could be delivered", Texts.Get(job.Language, TextKey.FailedForGood), cancellationToken);
                continue;
            }
            // The delivery is this sweeper's for a lease: another node's sweep leaves it alone.
            job.LeaseUntil = time.GetUtcNow() + options.Lease;
            if (!await queue.RenewLeaseAsync(job.Id, job.LeaseUntil.Value, cancellationToken)) continue;
            await TryDeliverAsync(job, image, null, cancellationToken);
        }
    }

    /// <param name="stopping">The process is shutting down: not a user's cancel.</param>
    /// <returns>False when no job may run now (or the process is stopping).</returns>
    public async Task<bool> RunNextAsync(CancellationToken stopping)
    {
        if (stopping.IsCancellationRequested) return false;
        var job = await queue.ClaimNextAsync(policy, time.GetUtcNow(), options.Lease, CancellationToken.None);
        if (job == null) return false;
        Observe(JobStep.Claimed, job);

        if (await users.IsBannedAsync(job.Platform, job.UserId, CancellationToken.None))
        {
            logger.LogInformation("Job {Job}: {Platform}:{User} is banned; not rendered", job.Id, job.Platform, job.UserId);
            await queue.EndWithoutResultAsync(job, JobState.Cancelled, "user banned", time.GetUtcNow(), CancellationToken.None);
            return true;
        }

        using var userCancel = new CancellationTokenSource();
        using var lost = new CancellationTokenSource();
        running[job.Id] = userCancel;
        ThrottledProgress? progress = null;
        await using var lease = new LeaseKeeper(queue, time, options.Lease, logger, job, lost);
        logger.LogInformation("Job {Job}: {Kind} for {Platform}:{User}, attempt {Attempt}", job.Id, job.Kind, job.Platform, job.UserId, job.Attempts);
        try
        {
            // A /cancel that found the job claimed but not yet registered left this flag.
            if ((await queue.GetAsync(job.Id, CancellationToken.None))?.CancelRequested == true) userCancel.Cancel();
            using var either = CancellationTokenSource.CreateLinkedTokenSource(userCancel.Token, stopping, lost.Token);
            progress = job.Kind is JobKind.Stylize or JobKind.Dream ? await StartProgressAsync(job, stopping) : null;
            Observe(JobStep.Rendering, job);
            var result = await RenderAsync(job, progress, either.Token);
            // The lease ran out and the job went back to the queue (this worker stalled): another
            // worker renders it; nothing of this one goes out.
            if (lost.IsCancellationRequested)
            {
                logger.LogWarning("Job {Job}: its lease ran out while it rendered here; left to the worker that took it over", job.Id);
                if (progress != null) await progress.StopAsync();
                return true;
            }
            // Cut short by the shutdown (a user's stop alongside it included): nothing partial goes out.
            // A render that finished before the stop reached it is whole, and is delivered.
            if (result.Cancelled && stopping.IsCancellationRequested) throw new OperationCanceledException(stopping);
            if (progress != null) await progress.StopAsync();
            if (result.Cancelled && job.ProgressStep == 0)
            {
                // Stopped before the first step: there is no picture to give, and nothing to charge.
                await EndAsync(job, JobState.Cancelled, "cancelled before the first step", Texts.Get(job.Language, TextKey.Cancelled), CancellationToken.None);
                return true;
            }
            if (progress != null) await progress.FinishAsync(Texts.Get(job.Language, TextKey.ProgressFinished));
            job.ResultImage = await images.PutAsync(result.Image, time.GetUtcNow(), CancellationToken.None);
            // A cancelled Gatys or dream still returns its best image so far: the user gets it.
            job.State = result.Cancelled ? JobState.Cancelled : JobState.Done;
            job.FinishedAt = time.GetUtcNow();
            await queue.UpdateAsync(job, CancellationToken.None);
            Observe(JobStep.ResultStored, job);
            ArtBotMetrics.Rendered(job.Kind.ToString(), job.FinishedAt.Value - (job.StartedAt ?? job.FinishedAt.Value));
            await TryDeliverAsync(job, result.Image, result, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: the job goes back as it was; the next start renders it afresh.
            if (progress != null) await progress.StopAsync();
            await queue.ReturnAsync(job, CancellationToken.None);
            logger.LogInformation("Job {Job}: back in the queue, the process is stopping", job.Id);
            return false;
        }
        catch (OperationCanceledException) when (userCancel.IsCancellationRequested)
        {
            // A job that cannot stop half-way (a preset) was cancelled before it started.
            await EndAsync(job, JobState.Cancelled, "cancelled", Texts.Get(job.Language, TextKey.Cancelled), CancellationToken.None);
        }
        catch (ArtInputException e)
        {
            logger.LogInformation("Job {Job} refused its input: {Reason}", job.Id, e.Error);
            await EndAsync(job, JobState.Failed, e.Message, Texts.Get(job.Language, TextKey.Failed, Texts.Get(job.Language, "Input" + e.Error)), CancellationToken.None);
        }
        catch (KeyNotFoundException e)
        {
            logger.LogWarning("Job {Job}: {Problem}", job.Id, e.Message);
            await EndAsync(job, JobState.Failed, e.Message, Texts.Get(job.Language, TextKey.ImageExpired), CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {Job} failed on attempt {Attempt}", job.Id, job.Attempts);
            if (job.Attempts >= options.MaxAttempts) await EndAsync(job, JobState.Failed, e.Message, Texts.Get(job.Language, TextKey.FailedForGood), CancellationToken.None);
            else await queue.RequeueAsync(job, CancellationToken.None);
        }
        finally
        {
            running.TryRemove(job.Id, out _);
        }
        return true;
    }

    /// <summary>
    /// Renews a job's lease every third of it while this worker has the job, so a worker that dies
    /// is noticed within one lease. When the store says the job is no longer ours (the lease ran out
    /// and another node requeued it), <paramref name="lost"/> stops the render.
    /// </summary>
    private sealed class LeaseKeeper : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;

        public LeaseKeeper(IJobQueue queue, TimeProvider time, TimeSpan length, ILogger logger, Job job, CancellationTokenSource lost)
        {
            loop = Task.Run(async () =>
            {
                var every = length / 3;
                try
                {
                    while (true)
                    {
                        await Task.Delay(every, time, stop.Token);
                        var until = time.GetUtcNow() + length;
                        job.LeaseUntil = until;   // later writes of this copy carry the renewed lease
                        if (!await queue.RenewLeaseAsync(job.Id, until, CancellationToken.None))
                        {
                            await lost.CancelAsync();
                            return;
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
                catch (Exception e)
                {
                    // The store is unreachable: the lease may run out, and another worker may take the job over.
                    logger.LogWarning("Job {Job}: lease not renewed ({Problem})", job.Id, e.Message);
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }
    }

    private void Observe(JobStep step, Job job)
    {
        foreach (var watcher in watchers) watcher.Reached(step, job);
    }

    private async Task<ArtResult> RenderAsync(Job job, IProgress<RenderProgress>? progress, CancellationToken cancellationToken)
    {
        var content = await images.GetAsync(job.ContentImage, CancellationToken.None);
        return job.Kind switch
        {
            JobKind.Preset => await engine.PresetAsync(new PresetRequest(content, job.PresetId!, job.Size), cancellationToken),
            JobKind.Stylize => await engine.StylizeAsync(
                new StylizeRequest(content, await images.GetAsync(job.StyleImage!, CancellationToken.None), job.Size, job.Iterations, job.PreserveColors, job.StyleStrength,
                    SecondStyle: job.SecondStyleImage is { } second ? await images.GetAsync(second, CancellationToken.None) : null, Blend: job.StyleShare),
                progress, cancellationToken),
            JobKind.Dream => await engine.DreamAsync(new DreamRequest(content, job.Size, job.Iterations), progress, cancellationToken),
            JobKind.Animation => await AnimateAsync(job, content, cancellationToken),
            _ => await engine.GalleryAsync(new GalleryRequest(content, job.Size, job.Language), cancellationToken),
        };
    }

    /// <summary>An animation comes back as MP4 bytes where pictures come back as JPEG: the rest of the job's path is the same.</summary>
    private async Task<ArtResult> AnimateAsync(Job job, byte[] video, CancellationToken cancellationToken)
    {
        // The job's frames (its tier's seconds at the frame rate, fixed when it was booked) bound the clip's length.
        var fps = options.AnimationFps;
        var animation = await engine.AnimateAsync(new AnimationRequest(video, job.PresetId!, job.Size, (job.Iterations ?? fps * 3) / (double)fps, fps), cancellationToken);
        return new ArtResult(animation.Video, ImageFormat.Jpeg, animation.Width, animation.Height, animation.Elapsed, animation.Description);
    }

    private async Task<ThrottledProgress?> StartProgressAsync(Job job, CancellationToken cancellationToken)
    {
        Keyboard? cancel = null;
        try
        {
            cancel = await menus.CancelAsync(job, cancellationToken);
            job.ProgressMessageId = await messengers.For(job.Platform).SendTextAsync(job.ChatId, Texts.Get(job.Language, TextKey.Started),
                cancel, cancellationToken, dedupeKey: $"job:{job.Id}:started:{job.Attempts}");
            await queue.UpdateAsync(job, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Job {Job}: progress message not sent ({Problem})", job.Id, e.Message);
        }
        return new ThrottledProgress(queue, messengers.For(job.Platform), time, options.ProgressInterval, logger, job, cancel);
    }

    /// <summary>
    /// Reports arrive on the engine's tensor thread: they must not block it, so each edit is
    /// fired off, at most one at a time and no more often than the configured interval. The
    /// job's step is kept on every report: a user's cancel is charged by the work done. Every
    /// edit keeps the job's Cancel button; the last one, when the job is done, takes it away.
    /// </summary>
    private sealed class ThrottledProgress(IJobQueue queue, IMessenger messenger, TimeProvider time, TimeSpan interval, ILogger logger, Job job, Keyboard? cancel)
        : IProgress<RenderProgress>
    {
        /// <summary>A live preview at each of these shares of the work (the result itself comes at the end).</summary>
        public const double PreviewEvery = 0.2;

        private DateTimeOffset last = DateTimeOffset.MinValue;
        private int busy;
        private Task inFlight = Task.CompletedTask;
        private double nextPreview = PreviewEvery;
        private long? previewMessage;
        private Snapshot? pendingPreview;

        /// <summary>A preview taken at a mark, waiting for its turn to be sent.</summary>
        private sealed record Snapshot(byte[] Image, int Percent);

        /// <summary>No more edits; waits for the one in flight.</summary>
        public async Task StopAsync()
        {
            Interlocked.Exchange(ref busy, 1);
            await inFlight;
        }

        /// <summary>Says the job is done, so the message does not stay at "2 %" beside the result; the preview keeps its last picture, without the Cancel button.</summary>
        public async Task FinishAsync(string text)
        {
            await StopAsync();
            try
            {
                if (job.ProgressMessageId is { } message) await messenger.EditTextAsync(job.ChatId, message, text, null, CancellationToken.None);
                // A preview taken while the last edit was still under way goes out now, before the caption says it is done.
                if (Interlocked.Exchange(ref pendingPreview, null) is { } last) await PreviewAsync(last);
                if (previewMessage is { } preview)
                    await messenger.EditImageAsync(job.ChatId, preview, null, Texts.Get(job.Language, TextKey.PreviewFinished), null, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogWarning("Job {Job}: final progress edit failed ({Problem})", job.Id, e.Message);
            }
        }

        /// <remarks>
        /// Called on the engine's tensor thread: a preview's snapshot is taken here, at its mark,
        /// whatever else is going on (it reads the image being painted), and waits as the newest
        /// pending one; everything that talks to a platform runs off this thread. At most one edit
        /// is in flight, and none sooner than the interval after the last.
        /// </remarks>
        public void Report(RenderProgress value)
        {
            job.ProgressStep = value.Step;
            job.ProgressTotal = value.TotalSteps;
            if (job.LivePreview && value.Snapshot != null && value.Fraction >= nextPreview && nextPreview < 1 - 1e-9)
            {
                Volatile.Write(ref pendingPreview, new Snapshot(value.Snapshot(), (int)Math.Round(value.Fraction * 100)));
                nextPreview = (Math.Floor(value.Fraction / PreviewEvery + 1e-9) + 1) * PreviewEvery;
            }
            var now = time.GetUtcNow();
            if (now - last < interval || Interlocked.Exchange(ref busy, 1) == 1) return;
            last = now;
            inFlight = Task.Run(async () =>
            {
                try
                {
                    // /status reads the stored job: one write per (throttled) report.
                    await queue.UpdateAsync(job, CancellationToken.None);
                    var percent = (int)Math.Round(value.Fraction * 100);
                    var left = value.Eta is { } eta ? $"{(int)eta.TotalMinutes}:{eta.Seconds:00}" : "?";
                    if (job.ProgressMessageId is { } message)
                        await messenger.EditTextAsync(job.ChatId, message,
                            Texts.Get(job.Language, TextKey.Progress, percent, value.Step, value.TotalSteps, left), cancel, CancellationToken.None);
                    if (Interlocked.Exchange(ref pendingPreview, null) is { } preview) await PreviewAsync(preview);
                }
                catch (Exception e)
                {
                    logger.LogWarning("Job {Job}: progress edit failed ({Problem})", job.Id, e.Message);
                }
                finally
                {
                    Interlocked.Exchange(ref busy, 0);
                }
            }, CancellationToken.None);
        }

        /// <summary>One photo message under the progress text, its picture replaced at each preview.</summary>
        private async Task PreviewAsync(Snapshot snapshot)
        {
            var caption = Texts.Get(job.Language, TextKey.Preview, snapshot.Percent);
            if (previewMessage is { } preview) await messenger.EditImageAsync(job.ChatId, preview, snapshot.Image, caption, cancel, CancellationToken.None);
            else previewMessage = await messenger.SendImageAsync(job.ChatId, snapshot.Image, caption, cancel, cancellationToken: CancellationToken.None,
                dedupeKey: $"job:{job.Id}:preview:{job.Attempts}");
        }
    }

    /// <summary>Delivers and settles; a failed send is counted and retried later by the sweeper, never re-rendered.</summary>
    private async Task TryDeliverAsync(Job job, byte[] image, ArtResult? result, CancellationToken cancellationToken)
    {
        try
        {
            await DeliverAsync(job, image, result, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ArtBotMetrics.FailedDeliveries.Add(1);
            job.DeliveryAttempts++;
            if (job.DeliveryAttempts >= options.MaxDeliveryAttempts)
            {
                logger.LogError("Job {Job}: result undeliverable after {Attempts} tries ({Problem}); ended, credits returned", job.Id, job.DeliveryAttempts, e.Message);
                await queue.EndWithoutResultAsync(job, JobState.Failed, $"undeliverable: {e.Message}", time.GetUtcNow(), CancellationToken.None);
                return;
            }
            job.NextDeliveryAt = time.GetUtcNow() + TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, job.DeliveryAttempts - 1)));
            job.LeaseUntil = null;   // the sweeper's, on any node, from NextDeliveryAt on
            await queue.UpdateAsync(job, CancellationToken.None);
            logger.LogWarning("Job {Job}: result not delivered ({Problem}); next try at {Next:HH:mm}", job.Id, e.Message, job.NextDeliveryAt);
        }
    }

    private async Task DeliverAsync(Job job, byte[] image, ArtResult? result, CancellationToken cancellationToken)
    {
        var seconds = result?.Elapsed.TotalSeconds ?? 0;
        var caption = job.Kind switch
        {
            JobKind.Preset => Texts.Get(job.Language, TextKey.ResultPreset, presets.Find(job.PresetId!)?.Name.For(job.Language) ?? job.PresetId!, Math.Round(seconds, 1)),
            JobKind.Stylize => Texts.Get(job.Language, TextKey.ResultStylize, job.Iterations ?? 0, Duration(job.Language, seconds)),
            JobKind.Dream => Texts.Get(job.Language, TextKey.ResultDream, Duration(job.Language, seconds)),
            JobKind.Animation => Texts.Get(job.Language, TextKey.ResultAnimation, presets.Find(job.PresetId!)?.Name.For(job.Language) ?? job.PresetId!, Duration(job.Language, seconds)),
            _ => Texts.Get(job.Language, TextKey.GalleryCaption),
        };
        var messenger = messengers.For(job.Platform);
        if (job.Kind == JobKind.Animation)
        {
            await messenger.SendAnimationAsync(job.ChatId, image, caption, null, cancellationToken, $"job:{job.Id}:result");
        }
        else
        {
            var keyboard = job.Kind == JobKind.Gallery ? await menus.PhotoAsync(job, cancellationToken) : await menus.ResultAsync(job, cancellationToken);
            await messenger.SendImageAsync(job.ChatId, image, caption, keyboard, asFile: false, cancellationToken, $"job:{job.Id}:result");
            // The full-quality file is part of a finished HD picture, not of work the user stopped.
            if (options.LimitsOf(job.Tier).SendFile && job.Kind != JobKind.Gallery && job.State == JobState.Done)
                await messenger.SendImageAsync(job.ChatId, image, caption, null, asFile: true, cancellationToken, $"job:{job.Id}:file");
        }
        Observe(JobStep.Sent, job);
        var settled = await queue.MarkDeliveredAsync(job, time.GetUtcNow(), CancellationToken.None);
        Observe(JobStep.Delivered, job);
        if (settled == null) return;
        logger.LogInformation("Job {Job}: {Charged} credits charged, {Returned} returned", job.Id, settled.Charged, settled.Returned);
        if (job.State != JobState.Done)
            await TellAsync(job, Texts.Get(job.Language, TextKey.ChargedForWorkDone, settled.Charged, settled.Returned), "settled", cancellationToken);
    }

    private static string WithReturned(Job job, string message, Settlement? settlement) =>
        settlement is { Returned: > 0 } ? message + "\n" + Texts.Get(job.Language, TextKey.Released, settlement.Returned) : message;

    private static string Duration(Language language, double seconds) => (language, seconds < 90) switch
    {
        (Language.Ru, true) => $"{seconds:0} с",
        (Language.Ru, false) => (seconds / 60).ToString("0.#", System.Globalization.CultureInfo.GetCultureInfo("ru")) + " мин",
        (_, true) => $"{seconds:0} s",
        _ => $"{seconds / 60:0.#} min",
    };

    /// <summary>Ends a job without a picture, its credits returned in the same step, and tells the user.</summary>
    private async Task EndAsync(Job job, JobState state, string error, string message, CancellationToken cancellationToken)
    {
        var settlement = await queue.EndWithoutResultAsync(job, state, error, time.GetUtcNow(), cancellationToken);
        await TellAsync(job, WithReturned(job, message, settlement), state == JobState.Failed ? "failed" : "cancelled", cancellationToken);
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
