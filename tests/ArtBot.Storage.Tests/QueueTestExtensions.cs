using ArtBot.Domain.Queue;

namespace ArtBot.Storage.Tests;

/// <summary>The queue's calls as the worker and the conversation make them, short for tests.</summary>
internal static class QueueTestExtensions
{
    /// <summary>Books a job as the conversation does for a preview: priced, claimable at once.</summary>
    public static Task<Job?> BookAsync(this IJobQueue queue, Job job, long price = 0, bool announceFirst = false)
    {
        job.Book(price, announceFirst);
        return queue.EnqueueAsync(job);
    }

    /// <summary>A worker's claim: a new attempt (read it back from <see cref="Job.Attempt"/>).</summary>
    public static Task<Job?> ClaimAsync(this IJobQueue queue, QueuePolicy policy, DateTimeOffset now, TimeSpan lease) =>
        queue.ClaimNextAsync(policy, now, j => j.Claim(now, lease, Job.NewAttempt()));

    /// <summary>The holder of <paramref name="job"/>'s current attempt applies <paramref name="transition"/>.</summary>
    public static Task<JobUpdate> ByAttemptAsync(this IJobQueue queue, Job job, DateTimeOffset now, Func<Job, string, JobChange> transition)
    {
        var attempt = job.Attempt ?? throw new InvalidOperationException($"job {job.Id} is held by no attempt");
        return queue.UpdateAsync(job.Id, now, j => transition(j, attempt));
    }

    /// <summary>A render finished (or stopped with its best so far) and was delivered by its attempt.</summary>
    public static async Task<JobUpdate> FinishAndDeliverAsync(this IJobQueue queue, Job claimed, DateTimeOffset now, bool stopped = false, WorkDone? work = null)
    {
        var finished = await queue.ByAttemptAsync(claimed, now, (j, a) => j.Finish(a, $"img/{claimed.Id}", stopped, work ?? WorkDone.None, TimeSpan.FromSeconds(1), now));
        Assert.True(finished.Applied, finished.Change.Refusal);
        return await queue.ByAttemptAsync(claimed, now, (j, a) => j.Deliver(a, now));
    }
}
