using ArtBot.Domain.Art;

namespace ArtBot.Domain.Queue;

public enum JobKind { Preset, Stylize, Dream, Gallery, Animation }

public enum JobState { Queued, Running, Done, Failed, Cancelled }

/// <summary>Light jobs (presets, galleries, small dreams) answer in seconds; heavy ones take minutes.</summary>
public enum JobClass { Light, Heavy }

public enum Tier { Free, Premium, Hd }

/// <summary>
/// One request in the persistent queue. <see cref="Rank"/> is the explicit, indexed priority
/// (paid before free, light before heavy); FIFO within a rank by <see cref="Id"/>.
/// </summary>
public sealed class Job
{
    public long Id { get; set; }
    public string Platform { get; set; } = "";
    public long UserId { get; set; }
    public long ChatId { get; set; }
    public Language Language { get; set; }
    public JobKind Kind { get; set; }
    public string? PresetId { get; set; }
    public string ContentImage { get; set; } = "";
    public string? StyleImage { get; set; }

    /// <summary>A second painting blended with <see cref="StyleImage"/>; <see cref="StyleShare"/> is the first one's share.</summary>
    public string? SecondStyleImage { get; set; }

    public double StyleShare { get; set; } = 1.0;

    /// <summary>The user wanted to watch it form (their setting when they asked).</summary>
    public bool LivePreview { get; set; }
    public int Size { get; set; }
    public int? Iterations { get; set; }
    public bool PreserveColors { get; set; }
    public double StyleStrength { get; set; } = 1.0;
    public Tier Tier { get; set; }
    public bool Paid { get; set; }
    public JobClass Class { get; set; }
    public int Rank { get; set; }
    public JobState State { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public bool CancelRequested { get; set; }
    public string? ResultImage { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public long? ProgressMessageId { get; set; }
    public int ProgressStep { get; set; }
    public int ProgressTotal { get; set; }

    /// <summary>Credits reserved for a paid job when it was queued.</summary>
    public long Price { get; set; }

    /// <summary>The reservation was settled (charged and/or returned), with the state change that ended the job.</summary>
    public bool Settled { get; set; }

    /// <summary>Sends of the result that failed; the sweeper backs off and gives up after a while.</summary>
    public int DeliveryAttempts { get; set; }

    public DateTimeOffset? NextDeliveryAt { get; set; }

    public bool IsFinished => State is JobState.Done or JobState.Failed or JobState.Cancelled;
}
