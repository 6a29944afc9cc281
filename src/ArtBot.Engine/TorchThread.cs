using System.Collections.Concurrent;

namespace ArtBot.Engine;

/// <summary>
/// One dedicated thread for all tensor work: TorchSharp's dispose scopes are per thread, and
/// one job at a time on the device is what the queue wants anyway.
/// </summary>
public sealed class TorchThread : IDisposable
{
    private readonly BlockingCollection<Action> work = new();
    private readonly Thread thread;

    public TorchThread(string name = "artbot-torch")
    {
        thread = new Thread(Loop) { IsBackground = true, Name = name };
        thread.Start();
    }

    public Task<T> RunAsync<T>(Func<T> job, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Add(() =>
        {
            if (cancellationToken.IsCancellationRequested) { done.TrySetCanceled(cancellationToken); return; }
            try { done.TrySetResult(job()); }
            catch (Exception e) { done.TrySetException(e); }
        }, CancellationToken.None);
        return done.Task;
    }

    private void Loop()
    {
        foreach (var job in work.GetConsumingEnumerable()) job();
    }

    public void Dispose()
    {
        work.CompleteAdding();
        if (Thread.CurrentThread != thread) thread.Join(TimeSpan.FromSeconds(30));
        work.Dispose();
    }
}
