using System.Diagnostics;
using ArtBot.Domain.Bot.Worker;
using ArtBot.Domain.Queue;
using ArtBot.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The bot host as `artbot run` composes it (configuration from ARTBOT_* variables). With
// ARTBOT_CRASH_AT=<step> the process kills itself (SIGKILL: no shutdown, no flush, no finally)
// the first time a job passes that step, as a power cut or an OOM kill would.
var builder = BotHost.CreateBuilder(consoleLevel: LogLevel.Warning);
if (Environment.GetEnvironmentVariable("ARTBOT_CRASH_AT") is { Length: > 0 } step)
    builder.Services.AddSingleton<IJobObserver>(new KillAt(Enum.Parse<JobStep>(step)));
// With ARTBOT_HOLD_AT=<step> and ARTBOT_HOLD_UNTIL=<file>, the worker waits at that step, the first
// time a job passes it, until the file exists: the test acts in between (a user's cancel before the first step).
if (Environment.GetEnvironmentVariable("ARTBOT_HOLD_AT") is { Length: > 0 } hold && Environment.GetEnvironmentVariable("ARTBOT_HOLD_UNTIL") is { Length: > 0 } release)
    builder.Services.AddSingleton<IJobObserver>(new HoldAt(Enum.Parse<JobStep>(hold), release));
// With ARTBOT_TEST_BROKEN_SERVICE set, a service that dies once the host has started, as a receiver whose platform broke would.
if (Environment.GetEnvironmentVariable("ARTBOT_TEST_BROKEN_SERVICE") is { Length: > 0 } problem)
    builder.Services.AddHostedService(s => new BrokenService(problem, s.GetRequiredService<IHostApplicationLifetime>()));
using var host = builder.Build();
return await BotHost.RunAsync(host, Console.Error, CancellationToken.None);

internal sealed class KillAt(JobStep step) : IJobObserver
{
    public void Reached(JobStep reached, Job job)
    {
        if (reached != step) return;
        Console.Error.WriteLine($"crash-host: killed at {step} of job {job.Id}");
        Process.GetCurrentProcess().Kill();
    }
}

internal sealed class BrokenService(string problem, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A state, not a time: every other service is up when this one breaks.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(stoppingToken);
        throw new InvalidOperationException(problem);
    }
}

internal sealed class HoldAt(JobStep step, string release) : IJobObserver
{
    private int held;

    public void Reached(JobStep reached, Job job)
    {
        if (reached != step || Interlocked.Exchange(ref held, 1) == 1) return;
        Console.Error.WriteLine($"crash-host: holding at {step} of job {job.Id}");
        // A state to wait for, not a time: the test makes the file once it has done what it does in between.
        while (!File.Exists(release)) Thread.Sleep(20);
    }
}
