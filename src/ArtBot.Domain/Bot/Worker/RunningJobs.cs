using System.Collections.Concurrent;

namespace ArtBot.Domain.Bot.Worker;

/// <summary>Stops a running job cooperatively in this process (the worker delivers the best image so far).</summary>
public interface IRunningJobs
{
    /// <returns>False when the job does not run in this process.</returns>
    bool Cancel(long jobId);
}

/// <summary>
/// The user's stop of each job this process renders, by job id. A stop that arrives from another
/// process (PostgreSQL's NOTIFY, the lease renewal reading the flag) lands here too.
/// </summary>
public sealed class RunningJobs : IRunningJobs
{
    private readonly ConcurrentDictionary<long, CancellationTokenSource> running = new();

    public bool Cancel(long jobId)
    {
        if (!running.TryGetValue(jobId, out var source)) return false;
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return false;   // it ended a moment ago
        }
        return true;
    }

    /// <summary>Registers the job's stop for as long as the returned registration lives.</summary>
    public Registration Register(long jobId)
    {
        var source = new CancellationTokenSource();
        running[jobId] = source;
        return new Registration(this, jobId, source);
    }

    public sealed class Registration(RunningJobs owner, long jobId, CancellationTokenSource source) : IDisposable
    {
        public CancellationToken Token => source.Token;

        public bool IsCancellationRequested => source.IsCancellationRequested;

        public void Cancel() => owner.Cancel(jobId);

        public void Dispose()
        {
            owner.running.TryRemove(new KeyValuePair<long, CancellationTokenSource>(jobId, source));
            source.Dispose();
        }
    }
}
