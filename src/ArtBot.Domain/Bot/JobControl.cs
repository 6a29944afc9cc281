using ArtBot.Domain.Art;
using ArtBot.Domain.Bot.Worker;
using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Bot;

/// <summary>/status and /cancel: where a user's jobs stand, and stopping them.</summary>
public sealed class JobControl(IJobQueue queue, IRunningJobs running, IJobSignal signal, QueuePolicy policy, PresetCatalog presets, TimeProvider time, Microsoft.Extensions.Logging.ILogger<JobControl> logger)
{
    public async Task<string> StatusAsync(UserProfile user, CancellationToken ct)
    {
        var active = await queue.ActiveJobsAsync(user.Platform, user.UserId, ct);
        if (active.Count == 0) return Texts.Get(user.Language, TextKey.StatusNone);
        var now = time.GetUtcNow();
        var lines = new List<string>();
        foreach (var job in active)
        {
            var kind = KindName(user.Language, job);
            if (job.State == JobState.Running)
            {
                var percent = job.ProgressTotal > 0 ? (int)Math.Floor(100 * job.ProgressWork) : 0;
                lines.Add(Texts.Get(user.Language, TextKey.StatusRunning, percent, kind));
            }
            else
            {
                var position = await queue.PositionAsync(job, ct);
                lines.Add(policy.HeldUntil(job, position, now) is { } opening
                    ? Texts.Get(user.Language, TextKey.StatusHeld, position, policy.LocalClock(opening), kind)
                    : Texts.Get(user.Language, TextKey.StatusQueued, position, kind));
            }
        }
        return string.Join("\n", lines);
    }

    public string KindName(Language language, Job job) => job.Kind switch
    {
        JobKind.Preset => Texts.Get(language, TextKey.KindPreset, presets.Find(job.PresetId ?? "")?.Name.For(language) ?? job.PresetId ?? "?"),
        JobKind.Stylize => Texts.Get(language, TextKey.KindStylize),
        JobKind.Dream => Texts.Get(language, TextKey.KindDream),
        JobKind.Animation => Texts.Get(language, TextKey.KindAnimation, presets.Find(job.PresetId ?? "")?.Name.For(language) ?? job.PresetId ?? "?"),
        _ => Texts.Get(language, TextKey.KindGallery),
    };

    /// <summary>
    /// A queued job is taken out and its credits returned in one transaction; one a worker claimed
    /// first (or that runs) is flagged, and its worker is told wherever it runs: it delivers what it
    /// has and settles it.
    /// </summary>
    /// <param name="jobId">Just this job of the user's (a Cancel button); null: every active one (/cancel).</param>
    public async Task<string> CancelAsync(UserProfile user, CancellationToken ct, long? jobId = null)
    {
        var active = (await queue.ActiveJobsAsync(user.Platform, user.UserId, ct)).Where(j => jobId == null || j.Id == jobId).ToList();
        if (active.Count == 0) return Texts.Get(user.Language, jobId == null ? TextKey.NothingToCancel : TextKey.AlreadyFinished);
        var stoppingRunning = false;
        var cancelled = false;
        var returned = 0L;
        foreach (var job in active)
        {
            var now = time.GetUtcNow();
            var cancel = await queue.UpdateAsync(job.Id, now, j => j.RequestCancel(now), ct);
            switch (cancel.Change.Event)
            {
                case JobEvent.Ended:
                    ArtBotMetrics.Outcome(cancel.Job, "cancelled", logger);
                    returned += cancel.Settlement?.Returned ?? 0;
                    cancelled = true;
                    break;
                case JobEvent.CancelFlagged:
                    // The flag is the truth; the in-process stop and the signal to other processes only make it quick.
                    running.Cancel(job.Id);
                    signal.CancelRequested(job.Id);
                    stoppingRunning = true;
                    break;
            }
        }
        // Every one of them ended on its own a moment ago.
        if (!stoppingRunning && !cancelled) return Texts.Get(user.Language, TextKey.AlreadyFinished);
        var text = Texts.Get(user.Language, stoppingRunning ? TextKey.CancelledRunning : TextKey.Cancelled);
        return returned > 0 ? text + "\n" + Texts.Get(user.Language, TextKey.Released, returned) : text;
    }
}
