using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot.Worker;

/// <summary>
/// Renews an attempt's lease every third of it while the attempt runs, so a worker that dies is
/// noticed within one lease. Each renewal is fenced by the attempt: when the store refuses it (the
/// lease ran out and another node took the job over) <paramref name="lost"/> is called. Each also
/// reads the job's stop flag, so a user's cancel reaches the render even if its notification was lost.
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public LeaseKeeper(IJobQueue queue, TimeProvider time, TimeSpan lease, long jobId, string attempt, Action lost, Action cancelRequested, ILogger logger)
    {
        loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(lease / 3, time, stop.Token);
                    var now = time.GetUtcNow();
                    var renewed = await queue.UpdateAsync(jobId, now, j => j.Renew(attempt, now + lease), CancellationToken.None);
                    if (!renewed.Applied)
                    {
                        logger.LogWarning("Job {Job}: lease not renewed ({Reason}); this attempt stops", jobId, renewed.Change.Refusal);
                        lost();
                        return;
                    }
                    if (renewed.Job.CancelRequested) cancelRequested();
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception e)
                {
                    // The store is unreachable: the next renewal tries again; if the lease runs out
                    // meanwhile, another worker takes the job over and this attempt's writes are refused.
                    logger.LogWarning("Job {Job}: lease not renewed ({Problem})", jobId, e.Message);
                }
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }
}
