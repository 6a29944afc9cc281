using System.Collections.Concurrent;

namespace ArtBot.Engine;

/// <summary>
/// One dedicated thread for all tensor work: TorchSharp's dispose scopes are per thread, and
/// one job at a time on the device is what the queue wants anyway. Once it has had nothing to do
/// for <see cref="IdleRelease"/>, the memory freed tensors left with the C allocator goes back to
/// the system: a busy worker keeps reusing it without page faults, an idle one is small again.
/// </summary>
public sealed class TorchThread : IDisposable
{
    public static readonly TimeSpan IdleRelease = TimeSpan.FromSeconds(2);

    private readonly BlockingCollection<Action> work = new();
    private readonly Thread thread;
    private readonly Timer release;
    private int busy;

    public TorchThread(string name = "artbot-torch")
    {
        release = new Timer(_ =>
        {
            // Thread-safe in both allocators; skipped when a job came in meanwhile.
            if (Volatile.Read(ref busy) == 0 && work.Count == 0) Native.NativeAllocator.Release();
        });
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
        foreach (var job in work.GetConsumingEnumerable())
        {
            Volatile.Write(ref busy, 1);
            job();
            Volatile.Write(ref busy, 0);
            if (work.Count == 0) release.Change(IdleRelease, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        release.Dispose();
        work.CompleteAdding();
        if (Thread.CurrentThread != thread) thread.Join(TimeSpan.FromSeconds(30));
        work.Dispose();
    }
}
