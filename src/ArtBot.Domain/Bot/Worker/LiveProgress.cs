using ArtBot.Domain.Art;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot.Worker;

/// <summary>
/// One attempt's progress: the work it has done (what a stop is charged by, kept on every report),
/// one progress message edited in place, and, when the user wants it, one live-preview photo
/// replaced as the picture forms. Reports arrive on the engine's tensor thread and must not block
/// it: each edit is fired off, at most one at a time and no more often than the interval. Every
/// edit keeps the job's Cancel button; the last ones, when the job is done, take it away.
/// </summary>
internal sealed class LiveProgress : IProgress<RenderProgress>
{
    /// <summary>A live preview at each of these shares of the work (the result itself comes at the end).</summary>
    public const double PreviewEvery = 0.2;

    private readonly IJobQueue queue;
    private readonly IMessenger messenger;
    private readonly TimeProvider time;
    private readonly TimeSpan interval;
    private readonly ILogger logger;
    private readonly Job job;
    private readonly string attempt;
    private readonly Keyboard? cancel;
    private readonly long? progressMessage;
    private DateTimeOffset last = DateTimeOffset.MinValue;
    private int busy;
    private volatile bool stopped;
    private Task inFlight = Task.CompletedTask;
    private double nextPreview = PreviewEvery;
    private long? previewMessage;
    private Snapshot? pendingPreview;
    private WorkDone current = WorkDone.None;

    private LiveProgress(IJobQueue queue, IMessenger messenger, TimeProvider time, TimeSpan interval, ILogger logger, Job job, string attempt, Keyboard? cancel, long? progressMessage)
    {
        (this.queue, this.messenger, this.time, this.interval, this.logger) = (queue, messenger, time, interval, logger);
        (this.job, this.attempt, this.cancel, this.progressMessage) = (job, attempt, cancel, progressMessage);
    }

    /// <summary>A preview taken at a mark, waiting for its turn to be sent.</summary>
    private sealed record Snapshot(byte[] Image, int Percent);

    /// <summary>The work this attempt has done so far.</summary>
    public WorkDone Current => Volatile.Read(ref current);

    /// <summary>Says the job started, under a Cancel button, and keeps that message to edit.</summary>
    public static async Task<LiveProgress> StartAsync(IJobQueue queue, IMessenger messenger, Menus menus, TimeProvider time, TimeSpan interval, ILogger logger,
        Job job, string attempt, CancellationToken cancellationToken)
    {
        Keyboard? cancel = null;
        long? message = null;
        try
        {
            cancel = await menus.CancelAsync(job, cancellationToken);
            message = await messenger.SendTextAsync(job.ChatId, Texts.Get(job.Language, TextKey.Started), cancel, cancellationToken, dedupeKey: $"job:{job.Id}:started:{job.Attempts}");
            await queue.UpdateAsync(job.Id, time.GetUtcNow(), j => j.ShowProgressIn(attempt, message.Value), CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Job {Job}: progress message not sent ({Problem})", job.Id, e.Message);
        }
        return new LiveProgress(queue, messenger, time, interval, logger, job, attempt, cancel, message);
    }

    /// <summary>No more edits; waits for the one in flight.</summary>
    public async Task StopAsync()
    {
        stopped = true;
        await inFlight;
    }

    /// <summary>
    /// The job is done: a preview taken while the last edit was under way goes out first, the
    /// preview keeps its last picture without the Cancel button, and only then does the progress
    /// message say it is done, so nothing about the picture forming comes after "done".
    /// </summary>
    public async Task FinishAsync(string text)
    {
        await StopAsync();
        try
        {
            if (Interlocked.Exchange(ref pendingPreview, null) is { } pending) await PreviewAsync(pending);
            if (previewMessage is { } preview)
                await messenger.EditImageAsync(job.ChatId, preview, null, Texts.Get(job.Language, TextKey.PreviewFinished), null, CancellationToken.None);
            if (progressMessage is { } message) await messenger.EditTextAsync(job.ChatId, message, text, null, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning("Job {Job}: final progress edit failed ({Problem})", job.Id, e.Message);
        }
    }

    /// <remarks>
    /// Called on the engine's tensor thread: a preview's snapshot is taken here, at its mark,
    /// whatever else is going on (it reads the image being painted), and waits as the newest
    /// pending one; everything that talks to a platform or the store runs off this thread.
    /// </remarks>
    public void Report(RenderProgress value)
    {
        var work = new WorkDone(value.Step, value.TotalSteps, value.Fraction);
        Volatile.Write(ref current, work);
        if (job.LivePreview && value.Snapshot != null && value.Fraction >= nextPreview && nextPreview < 1 - 1e-9)
        {
            Volatile.Write(ref pendingPreview, new Snapshot(value.Snapshot(), (int)Math.Round(value.Fraction * 100)));
            nextPreview = (Math.Floor(value.Fraction / PreviewEvery + 1e-9) + 1) * PreviewEvery;
        }
        var now = time.GetUtcNow();
        if (stopped || now - last < interval || Interlocked.Exchange(ref busy, 1) == 1) return;
        last = now;
        inFlight = Task.Run(async () =>
        {
            try
            {
                // /status reads the stored job: one fenced write per (throttled) report.
                await queue.UpdateAsync(job.Id, time.GetUtcNow(), j => j.Progress(attempt, work), CancellationToken.None);
                var percent = (int)Math.Round(value.Fraction * 100);
                var left = value.Eta is { } eta ? $"{(int)eta.TotalMinutes}:{eta.Seconds:00}" : "?";
                if (progressMessage is { } message)
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
        else previewMessage = (await messenger.SendImageAsync(job.ChatId, snapshot.Image, caption, cancel, cancellationToken: CancellationToken.None,
            dedupeKey: $"job:{job.Id}:preview:{job.Attempts}")).MessageId;
    }
}
