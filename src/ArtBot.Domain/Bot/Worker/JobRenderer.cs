using ArtBot.Domain.Art;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot.Worker;

/// <summary>A job's request as the engine takes it: its stored images read, its kind's call made.</summary>
public sealed class JobRenderer(IImageStore images, IArtEngine engine, BotOptions options)
{
    public async Task<ArtResult> RenderAsync(Job job, IProgress<RenderProgress>? progress, CancellationToken cancellationToken)
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

    /// <summary>Stores a finished picture (or clip) for delivery, /history and the retention period; returns its id.</summary>
    public Task<string> KeepAsync(Job job, byte[] picture, DateTimeOffset now) => images.PutAsync(picture, now, UserProfile.KeyOf(job.Platform, job.UserId), CancellationToken.None);

    /// <summary>An animation comes back as MP4 bytes where pictures come back as JPEG: the rest of the job's path is the same.</summary>
    private async Task<ArtResult> AnimateAsync(Job job, byte[] video, CancellationToken cancellationToken)
    {
        // The job's frames (its tier's seconds at the frame rate, fixed when it was booked) bound the clip's length.
        var fps = options.AnimationFps;
        var animation = await engine.AnimateAsync(new AnimationRequest(video, job.PresetId!, job.Size, (job.Iterations ?? fps * 3) / (double)fps, fps), cancellationToken);
        return new ArtResult(animation.Video, ImageFormat.Jpeg, animation.Width, animation.Height, animation.Elapsed, animation.Description);
    }
}

/// <summary>Starts an attempt's live progress: its "started" message under a Cancel button, and the edits that follow.</summary>
public sealed class ProgressMessages(IJobQueue queue, IMessengers messengers, Menus menus, BotOptions options, TimeProvider time, ILogger<ProgressMessages> logger)
{
    internal Task<LiveProgress> StartAsync(Job job, string attempt, CancellationToken cancellationToken) =>
        LiveProgress.StartAsync(queue, messengers.For(job.Platform), menus, time, options.ProgressInterval, logger, job, attempt, cancellationToken);
}
