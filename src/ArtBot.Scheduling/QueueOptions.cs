using System.ComponentModel.DataAnnotations;

namespace ArtBot.Scheduling;

/// <summary>Configuration section <c>Queue</c> (the queue policy's numbers, <c>QueuePolicyOptions</c>, are bound from it too).</summary>
public sealed record QueueOptions : IValidatableObject
{
    public const string Section = "Queue";

    /// <summary>The LiteDB file; relative to the application root.</summary>
    [Required]
    public string DatabasePath { get; init; } = "data/artbot.db";

    /// <summary>When the night window, in which free heavy jobs run, opens and closes (in <see cref="TimeZone"/>).</summary>
    public TimeOnly NightStart { get; init; } = new(1, 0);

    public TimeOnly NightEnd { get; init; } = new(7, 0);

    [Required]
    public string TimeZone { get; init; } = "Europe/Moscow";

    [Range(1, 365)]
    public int RetentionDays { get; init; } = 7;

    /// <summary>How often the dispatcher looks for work when nothing woke it.</summary>
    [Range(1, 3600)]
    public int DispatchIntervalSeconds { get; init; } = 5;

    /// <summary>
    /// Jobs a worker has in flight at once. The engine still runs one job's tensor work at a
    /// time; a second slot loads, decodes, encodes and delivers while the first has the device,
    /// which pays on a GPU. On a CPU the cores are the limit: keep 1.
    /// </summary>
    [Range(1, 8)]
    public int RenderSlots { get; init; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!System.TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
            yield return new ValidationResult("is not a time zone this system knows (an IANA name, such as Europe/Moscow)", [nameof(TimeZone)]);
        if (NightStart == NightEnd) yield return new ValidationResult("the night window opens and closes at the same time", [nameof(NightEnd)]);
    }
}
