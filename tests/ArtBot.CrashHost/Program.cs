using System.Diagnostics;
using ArtBot.Domain.Bot;
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
using var host = builder.Build();
await host.RunAsync();

internal sealed class KillAt(JobStep step) : IJobObserver
{
    public void Reached(JobStep reached, Job job)
    {
        if (reached != step) return;
        Console.Error.WriteLine($"crash-host: killed at {step} of job {job.Id}");
        Process.GetCurrentProcess().Kill();
    }
}
