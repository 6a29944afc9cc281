using System.Text.Json.Serialization;
using ArtBot.Domain.Art;

namespace ArtBot.Domain.Queue;

public enum JobKind { Preset, Stylize, Dream, Gallery, Animation }

/// <summary>
/// Where a job's life stands. <see cref="Booked"/> comes last so the stored numbers of the others
/// never change: a booked job is stored (and its credits held) but waits for its "queued" notice
/// before a worker may take it, so the user hears "queued" before "started".
/// </summary>
public enum JobState { Queued, Running, Done, Failed, Cancelled, Booked }

/// <summary>Light jobs (presets, galleries, small dreams) answer in seconds; heavy ones take minutes.</summary>
public enum JobClass { Light, Heavy }

public enum Tier { Free, Premium, Hd }

/// <summary>What a transition did to a job.</summary>
public enum JobEvent
{
    Refused, Booked, Announced, Claimed, Renewed, Progressed, Returned, RetryScheduled, Requeued, Finished, Ended,
    DeliveryClaimed, Delivered, RedeliveryScheduled, DeliveryReleased, CancelFlagged, Settled,
}

/// <summary>
/// The outcome of one transition of a <see cref="Job"/>: what happened, whether the job's credits
/// are to be settled in the same transaction, or why nothing changed (a stale attempt, a job that
/// moved on).
/// </summary>
public sealed record JobChange(JobEvent Event, bool Settle = false, string? Refusal = null)
{
    public bool Applied => Refusal == null;

    public static JobChange Refuse(string why) => new(JobEvent.Refused, Refusal: why);
}

/// <summary>Where a render stands, as the worker last saw it: steps, and the share of the work (pixels × iterations) done.</summary>
public sealed record WorkDone(int Step, int TotalSteps, double Share)
{
    public static readonly WorkDone None = new(0, 0, 0);
}

/// <summary>
/// One request in the persistent queue, and its whole life: every change after booking is a
/// transition method here, so each store only chooses, locks and saves, and every rule of a job's
/// life (attempts, leases, who may write, when credits settle) is written once. <see cref="Rank"/>
/// is the explicit, indexed priority (paid before free, light before heavy); FIFO within a rank.
/// </summary>
/// <remarks>
/// Each claim starts an attempt with a token of its own (<see cref="Attempt"/>); progress and the
/// charge basis belong to it and start at zero. Every transition a worker asks for names its
/// attempt, and one from an attempt that is no longer the job's (its lease ran out and another
/// worker took over) is refused, never applied. Setters are private (stores map them by reflection).
/// </remarks>
public sealed class Job
{
    /// <summary>How long a booking may wait for its notice before recovery releases it to the workers anyway.</summary>
    public static readonly TimeSpan AnnouncementGrace = TimeSpan.FromMinutes(1);

    public long Id { get; set; }
    public string Platform { get; init; } = "";
    public long UserId { get; init; }
    public long ChatId { get; init; }
    public Language Language { get; init; }
    public JobKind Kind { get; init; }
    public string? PresetId { get; init; }
    public string ContentImage { get; init; } = "";
    public string? StyleImage { get; init; }

    /// <summary>A second painting blended with <see cref="StyleImage"/>; <see cref="StyleShare"/> is the first one's share.</summary>
    public string? SecondStyleImage { get; init; }

    public double StyleShare { get; init; } = 1.0;

    /// <summary>The user wanted to watch it form (their setting when they asked).</summary>
    public bool LivePreview { get; init; }
    public int Size { get; init; }
    public int? Iterations { get; init; }
    public bool PreserveColors { get; init; }
    public double StyleStrength { get; init; } = 1.0;
    public Tier Tier { get; init; }
    public bool Paid { get; init; }
    public JobClass Class { get; init; }
    public int Rank { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    [JsonInclude] public JobState State { get; private set; }

    /// <summary>Credits reserved for a paid job when it was booked.</summary>
    [JsonInclude] public long Price { get; private set; }

    /// <summary>Render attempts begun (a shutdown's hand-back does not count).</summary>
    [JsonInclude] public int Attempts { get; private set; }

    /// <summary>The token of whoever holds the job now: the render attempt, or the delivery that took over a finished one.</summary>
    [JsonInclude] public string? Attempt { get; private set; }

    [JsonInclude] public DateTimeOffset? StartedAt { get; private set; }
    [JsonInclude] public DateTimeOffset? FinishedAt { get; private set; }
    [JsonInclude] public DateTimeOffset? LeaseUntil { get; private set; }

    /// <summary>A job that failed a try waits until then before a worker may take it again.</summary>
    [JsonInclude] public DateTimeOffset? NotBefore { get; private set; }

    [JsonInclude] public bool CancelRequested { get; private set; }
    [JsonInclude] public string? ResultImage { get; private set; }

    /// <summary>How long the attempt that made the result painted, for its caption.</summary>
    [JsonInclude] public double ResultSeconds { get; private set; }

    [JsonInclude] public string? Error { get; private set; }
    [JsonInclude] public DateTimeOffset? DeliveredAt { get; private set; }

    /// <summary>The platform's id of the delivered picture's file (Telegram's file_id): what inline mode sends again.</summary>
    [JsonInclude] public string? ResultFileId { get; private set; }
    [JsonInclude] public long? ProgressMessageId { get; private set; }
    [JsonInclude] public int ProgressStep { get; private set; }
    [JsonInclude] public int ProgressTotal { get; private set; }

    /// <summary>The share of the work (pixels × iterations over the scales) this attempt has done: what a stopped picture is charged by.</summary>
    [JsonInclude] public double ProgressWork { get; private set; }

    /// <summary>The reservation was settled (charged and/or returned), with the state change that ended the job.</summary>
    [JsonInclude] public bool Settled { get; private set; }

    /// <summary>Sends of the result that failed; the sweeper backs off and gives up after a while.</summary>
    [JsonInclude] public int DeliveryAttempts { get; private set; }

    [JsonInclude] public DateTimeOffset? NextDeliveryAt { get; private set; }

    [JsonIgnore] public bool IsFinished => State is JobState.Done or JobState.Failed or JobState.Cancelled;

    /// <summary>Booked, queued or running: the user's job is not over.</summary>
    [JsonIgnore] public bool IsActive => State is JobState.Booked or JobState.Queued or JobState.Running;

    /// <summary>A picture (finished, or stopped with the best so far) that has not reached its user yet.</summary>
    [JsonIgnore] public bool AwaitsDelivery => State is JobState.Done or JobState.Cancelled && ResultImage != null && DeliveredAt == null;

    /// <summary>
    /// A paid job whose end is known and whose reservation is still open: delivered, failed, or
    /// cancelled without a picture. The one definition every store and the sweeper use.
    /// </summary>
    [JsonIgnore] public bool NeedsSettlement => Paid && !Settled && (DeliveredAt != null || State == JobState.Failed || (State == JobState.Cancelled && ResultImage == null));

    /// <summary>The work this attempt has done, as the charge and /status read it.</summary>
    [JsonIgnore] public WorkDone Work => new(ProgressStep, ProgressTotal, ProgressWork);

    public static string NewAttempt() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// A new job takes its price: queued at once, or, with <paramref name="announceFirst"/>, booked
    /// and held from the workers until <see cref="Announce"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A paid job without a positive price, or a free one with a price.</exception>
    public JobChange Book(long price, bool announceFirst)
    {
        if (Paid != price > 0) throw new ArgumentException($"a {(Paid ? "paid job needs a positive price" : "free job has no price")}, not {price}", nameof(price));
        if (Id != 0 || Attempts != 0 || State != JobState.Queued) return JobChange.Refuse("booked before");
        Price = price;
        State = announceFirst ? JobState.Booked : JobState.Queued;
        return new JobChange(JobEvent.Booked);
    }

    /// <summary>The user was told the job's place: workers may take it now.</summary>
    public JobChange Announce()
    {
        if (State != JobState.Booked) return JobChange.Refuse($"{State}, not waiting for its notice");
        State = JobState.Queued;
        return new JobChange(JobEvent.Announced);
    }

    /// <summary>A worker takes the job: a new attempt, its lease, its progress at zero.</summary>
    public JobChange Claim(DateTimeOffset now, TimeSpan lease, string attempt)
    {
        if (State != JobState.Queued) return JobChange.Refuse($"{State}, not queued");
        State = JobState.Running;
        Attempts++;
        Attempt = attempt;
        StartedAt = now;
        LeaseUntil = now + lease;
        NotBefore = null;
        Error = null;
        ResetProgress();
        return new JobChange(JobEvent.Claimed);
    }

    /// <summary>The holder is alive: its lease runs on (a render, or the delivery of a finished job).</summary>
    public JobChange Renew(string attempt, DateTimeOffset until)
    {
        if (!Holds(attempt)) return Stale();
        if (State != JobState.Running && !AwaitsDelivery) return JobChange.Refuse($"{State}, nothing to hold");
        LeaseUntil = until;
        return new JobChange(JobEvent.Renewed);
    }

    /// <summary>How far the attempt has got (for /status; the charge takes the final figure from <see cref="Finish"/>).</summary>
    public JobChange Progress(string attempt, WorkDone work)
    {
        if (!Holds(attempt) || State != JobState.Running) return Stale();
        SetProgress(work);
        return new JobChange(JobEvent.Progressed);
    }

    /// <summary>The attempt's progress message, edited as it goes.</summary>
    public JobChange ShowProgressIn(string attempt, long messageId)
    {
        if (!Holds(attempt) || State != JobState.Running) return Stale();
        ProgressMessageId = messageId;
        return new JobChange(JobEvent.Progressed);
    }

    /// <summary>The process is stopping: the job goes back to its place as if never claimed (no attempt counted, nothing settled).</summary>
    public JobChange Return(string attempt)
    {
        if (!Holds(attempt) || State != JobState.Running) return Stale();
        State = JobState.Queued;
        Attempts = Math.Max(0, Attempts - 1);
        StartedAt = null;
        LeaseUntil = null;
        Attempt = null;
        ResetProgress();
        return new JobChange(JobEvent.Returned);
    }

    /// <summary>
    /// A try failed in a way that may pass (the store, the device, a dropped connection): the job
    /// waits <paramref name="delay"/> and goes again, or, its tries spent, fails for good.
    /// </summary>
    public JobChange Retry(string attempt, string error, DateTimeOffset now, int maxAttempts, TimeSpan delay)
    {
        if (!Holds(attempt) || State != JobState.Running) return Stale();
        Attempt = null;
        LeaseUntil = null;
        if (Attempts >= maxAttempts) return End(JobState.Failed, $"failed {Attempts} times: {error}", now);
        State = JobState.Queued;
        Error = error;
        NotBefore = now + delay;
        ResetProgress();
        return new JobChange(JobEvent.RetryScheduled);
    }

    /// <summary>
    /// Whether whoever held the job is gone: a running job whose lease ran out (any running job at
    /// the start of the one process a store allows), a booking whose notice never came, a finished
    /// job's delivery held by a process that stopped.
    /// </summary>
    public bool Orphaned(DateTimeOffset now, bool expiredOnly) => State switch
    {
        JobState.Running => !expiredOnly || LeaseUntil < now,
        JobState.Booked => !expiredOnly || CreatedAt < now - AnnouncementGrace,
        _ => !expiredOnly && AwaitsDelivery && LeaseUntil != null,
    };

    /// <summary>
    /// Whoever held the job is gone (<see cref="Orphaned"/>): a render goes back to the queue with
    /// its attempt counted, or fails for good once it has had <paramref name="maxAttempts"/>; one
    /// its user asked to stop ends cancelled; a booking is released; a held delivery is let go.
    /// </summary>
    public JobChange Recover(DateTimeOffset now, int maxAttempts)
    {
        switch (State)
        {
            case JobState.Booked:
                State = JobState.Queued;
                return new JobChange(JobEvent.Announced);
            case JobState.Running:
                Attempt = null;
                LeaseUntil = null;
                if (CancelRequested) return End(JobState.Cancelled, "stopped by its user while its worker was gone", now);
                if (Attempts >= maxAttempts) return End(JobState.Failed, $"interrupted {Attempts} times", now);
                State = JobState.Queued;
                ResetProgress();
                return new JobChange(JobEvent.Requeued);
            case JobState.Done or JobState.Cancelled when AwaitsDelivery && LeaseUntil != null:
                Attempt = null;
                LeaseUntil = null;
                return new JobChange(JobEvent.DeliveryReleased);
            default:
                return JobChange.Refuse($"{State}, nothing to recover");
        }
    }

    /// <summary>
    /// The attempt has its picture: done, or, when its user stopped it, cancelled with the best so
    /// far. <paramref name="work"/> is the attempt's own, and what a stopped picture is charged by.
    /// The attempt keeps its lease to deliver it; credits settle with the delivery.
    /// </summary>
    public JobChange Finish(string attempt, string resultImage, bool stoppedByUser, WorkDone work, TimeSpan elapsed, DateTimeOffset now)
    {
        if (!Holds(attempt) || State != JobState.Running) return Stale();
        ResultImage = resultImage;
        ResultSeconds = elapsed.TotalSeconds;
        State = stoppedByUser ? JobState.Cancelled : JobState.Done;
        FinishedAt = now;
        SetProgress(work);
        return new JobChange(JobEvent.Finished);
    }

    /// <summary>
    /// The job ends with no picture for its user (refused input, a missing capability, cancelled
    /// before its first step, its user banned, its result lost): its credits come back in the same
    /// step. A worker names its <paramref name="attempt"/>; null is for the sweeper and recovery.
    /// </summary>
    public JobChange EndWithoutResult(string? attempt, JobState state, string error, DateTimeOffset now)
    {
        if (state is not (JobState.Failed or JobState.Cancelled)) throw new ArgumentOutOfRangeException(nameof(state), state, "a job ends without a result as failed or cancelled");
        if (attempt != null && !Holds(attempt)) return Stale();
        if (DeliveredAt != null || State is JobState.Failed || (State is JobState.Cancelled && !AwaitsDelivery)) return JobChange.Refuse($"{State}, over already");
        Attempt = null;
        return End(state, error, now);
    }

    /// <summary>A sweeper takes over the delivery of a finished picture whose sender is gone (or whose pause is over).</summary>
    public JobChange ClaimDelivery(DateTimeOffset now, TimeSpan lease, string attempt)
    {
        if (!DeliveryDue(now)) return JobChange.Refuse("no delivery due");
        Attempt = attempt;
        LeaseUntil = now + lease;
        return new JobChange(JobEvent.DeliveryClaimed);
    }

    /// <summary>Due for a send: awaiting delivery, its pause after a failed send over, and nobody holding it.</summary>
    public bool DeliveryDue(DateTimeOffset now) => AwaitsDelivery && (NextDeliveryAt == null || NextDeliveryAt <= now) && (LeaseUntil == null || LeaseUntil < now);

    /// <summary>The picture reached its user: a paid job settles now (in full, or by the work done when stopped).</summary>
    public JobChange Deliver(string attempt, DateTimeOffset now, string? fileId = null)
    {
        if (!Holds(attempt)) return Stale();
        if (!AwaitsDelivery) return JobChange.Refuse("delivered before");
        DeliveredAt = now;
        ResultFileId = fileId;
        NextDeliveryAt = null;
        LeaseUntil = null;
        return new JobChange(JobEvent.Delivered, Settle: Paid && !Settled);
    }

    /// <summary>A send failed: the next try waits longer each time; after <paramref name="maxDeliveryAttempts"/> the job ends and its credits return.</summary>
    public JobChange DeliveryFailed(string attempt, string error, DateTimeOffset now, int maxDeliveryAttempts)
    {
        if (!Holds(attempt) || !AwaitsDelivery) return Stale();
        DeliveryAttempts++;
        Attempt = null;
        LeaseUntil = null;
        if (DeliveryAttempts >= maxDeliveryAttempts) return End(JobState.Failed, $"undeliverable: {error}", now);
        NextDeliveryAt = now + TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, DeliveryAttempts - 1)));
        return new JobChange(JobEvent.RedeliveryScheduled);
    }

    /// <summary>
    /// The user's stop: a job still in the queue ends at once, its credits back; a running one is
    /// flagged for its worker, wherever it runs, which delivers what it has and charges the work done.
    /// </summary>
    public JobChange RequestCancel(DateTimeOffset now)
    {
        switch (State)
        {
            case JobState.Booked or JobState.Queued:
                return End(JobState.Cancelled, "cancelled in the queue", now);
            case JobState.Running:
                CancelRequested = true;
                return new JobChange(JobEvent.CancelFlagged);
            default:
                return JobChange.Refuse($"{State}, over already");
        }
    }

    /// <summary>What a crash between two steps left: an ended paid job whose reservation is still open.</summary>
    public JobChange Settle() => NeedsSettlement ? new JobChange(JobEvent.Settled, Settle: true) : JobChange.Refuse("nothing to settle");

    /// <summary>The settlement procedure records that the reservation is closed (<see cref="Billing.JobLedger"/>).</summary>
    internal void MarkSettled() => Settled = true;

    private JobChange End(JobState state, string error, DateTimeOffset now)
    {
        State = state;
        Error = error;
        FinishedAt = now;
        LeaseUntil = null;
        NotBefore = null;
        return new JobChange(JobEvent.Ended, Settle: Paid && !Settled);
    }

    private bool Holds(string attempt) => Attempt != null && string.Equals(Attempt, attempt, StringComparison.Ordinal);

    private JobChange Stale() => JobChange.Refuse(Attempt == null ? $"{State}, held by no attempt" : $"{State}, held by another attempt");

    private void ResetProgress()
    {
        ProgressStep = ProgressTotal = 0;
        ProgressWork = 0;
        ProgressMessageId = null;
    }

    private void SetProgress(WorkDone work)
    {
        ProgressStep = Math.Max(0, work.Step);
        ProgressTotal = Math.Max(0, work.TotalSteps);
        ProgressWork = double.IsFinite(work.Share) ? Math.Clamp(work.Share, 0, 1) : 0;
    }
}
