using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot.Worker;

/// <summary>What the worker tells a job's user, in their language: captions of results, and why a job ended.</summary>
public sealed class JobNotices(IMessengers messengers, PresetCatalog presets, ILogger<JobNotices> logger)
{
    /// <summary>A result's caption. A stopped picture names the steps its attempt actually painted.</summary>
    public string Caption(Job job)
    {
        var language = job.Language;
        return job.Kind switch
        {
            JobKind.Preset => Texts.Get(language, TextKey.ResultPreset, PresetName(job), Math.Round(job.ResultSeconds, 1)),
            JobKind.Stylize => Texts.Get(language, TextKey.ResultStylize, job.State == JobState.Cancelled ? job.ProgressStep : job.Iterations ?? 0, Duration(language, job.ResultSeconds)),
            JobKind.Dream => Texts.Get(language, TextKey.ResultDream, Duration(language, job.ResultSeconds)),
            JobKind.Animation => Texts.Get(language, TextKey.ResultAnimation, PresetName(job), Duration(language, job.ResultSeconds)),
            _ => Texts.Get(language, TextKey.GalleryCaption),
        };
    }

    private string PresetName(Job job) => presets.Find(job.PresetId!)?.Name.For(job.Language) ?? job.PresetId!;

    /// <summary>Why a job ended without a picture, with the credits that came back.</summary>
    public Task TellEndedAsync(Job job, string message, Settlement? settlement, CancellationToken cancellationToken) =>
        TellAsync(job, WithReturned(job, message, settlement), job.State == JobState.Failed ? "failed" : "cancelled", cancellationToken);

    /// <summary>What a job the capability it needs is missing from: said specifically, never "try again".</summary>
    public static string Unavailable(Language language, ArtCapability capability) => Texts.Get(language, "Unavailable" + capability);

    public async Task TellAsync(Job job, string message, string what, CancellationToken cancellationToken)
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

    public static string WithReturned(Job job, string message, Settlement? settlement) =>
        settlement is { Returned: > 0 } ? message + "\n" + Texts.Get(job.Language, TextKey.Released, settlement.Returned) : message;

    public static string Duration(Language language, double seconds) => (language, seconds < 90) switch
    {
        (Language.Ru, true) => $"{seconds:0} с",
        (Language.Ru, false) => (seconds / 60).ToString("0.#", System.Globalization.CultureInfo.GetCultureInfo("ru")) + " мин",
        (_, true) => $"{seconds:0} s",
        _ => $"{seconds / 60:0.#} min",
    };
}
