using System.ComponentModel.DataAnnotations;

namespace ArtBot.Scheduling;

/// <summary>Configuration section <c>Queue</c>.</summary>
public sealed class QueueOptions
{
    public const string Section = "Queue";

    /// <summary>The LiteDB file; relative to the application root.</summary>
    [Required]
    public string DatabasePath { get; set; } = "data/artbot.db";

    [Required, RegularExpression(@"^\d{2}:\d{2}$")]
    public string NightStart { get; set; } = "01:00";

    [Required, RegularExpression(@"^\d{2}:\d{2}$")]
    public string NightEnd { get; set; } = "07:00";

    [Required]
    public string TimeZone { get; set; } = "Europe/Moscow";

    public bool IdleCapacityServesHeavyByDay { get; set; } = true;

    [Range(0, 100)]
    public int FreeMaxQueuedHeavy { get; set; } = 2;

    [Range(16, 8192)]
    public int LightMaxSide { get; set; } = 512;

    [Range(1, 100_000)]
    public int LightMaxIterations { get; set; } = 100;

    [Range(1, 365)]
    public int RetentionDays { get; set; } = 7;

    /// <summary>How often the dispatcher looks for work when nothing woke it.</summary>
    [Range(1, 3600)]
    public int DispatchIntervalSeconds { get; set; } = 5;

    /// <summary>
    /// Jobs a worker has in flight at once. The engine still runs one job's tensor work at a
    /// time; a second slot loads, decodes, encodes and delivers while the first has the device,
    /// which pays on a GPU. On a CPU the cores are the limit: keep 1.
    /// </summary>
    [Range(1, 8)]
    public int RenderSlots { get; set; } = 1;
}
