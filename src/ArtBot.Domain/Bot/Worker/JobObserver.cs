using ArtBot.Domain.Queue;

namespace ArtBot.Domain.Bot.Worker;

/// <summary>The steps of a job's life, in order (booked by the conversation, the rest by a worker), for metrics and for the crash tests that stop the process at each.</summary>
public enum JobStep { Booked, Claimed, Rendering, ResultStored, Sent, Delivered }

/// <summary>Sees a job pass each <see cref="JobStep"/>; called on the worker's path, so it must be quick.</summary>
public interface IJobObserver
{
    void Reached(JobStep step, Job job);
}

/// <summary>Every observer the host registered, called in turn.</summary>
public sealed class JobObservers(IEnumerable<IJobObserver> observers)
{
    private readonly IJobObserver[] all = observers.ToArray();

    public void Reached(JobStep step, Job job)
    {
        foreach (var observer in all) observer.Reached(step, job);
    }
}
