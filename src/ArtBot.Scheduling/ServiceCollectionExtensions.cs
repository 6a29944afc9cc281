using ArtBot.Configuration;
using ArtBot.Domain;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ArtBot.Domain.Art;
using Microsoft.Extensions.Options;
using Quartz;

namespace ArtBot.Scheduling;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// The queue's options and policy, the conversation and the worker (the domain), and Quartz
    /// driving them: a dispatcher (every few seconds, at once when a job is queued, and when the night
    /// window opens) and an hourly clean-up of old images. Over the store the host registered first:
    /// one that is shared by processes also brings what the others signal (<see cref="IJobSignalSource"/>).
    /// </summary>
    /// <param name="dispatch">False for a receiver: it books jobs, workers render them.</param>
    public static IServiceCollection AddJobQueue(this IServiceCollection services, IConfiguration configuration, bool dispatch = true)
    {
        services.AddValidatedOptions<QueueOptions>(configuration, QueueOptions.Section);
        services.AddValidatedOptions<QueuePolicyOptions>(configuration, QueueOptions.Section);
        services.AddValidatedOptions<BotOptions>(configuration, BotOptions.Section);
        services.AddValidatedOptions<BillingOptions>(configuration, BillingOptions.Section);
        services.AddValidatedOptions<ArtBot.Domain.Gallery.GalleryOptions>(configuration, ArtBot.Domain.Gallery.GalleryOptions.Section);
        // The domain takes its numbers as plain records.
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BotOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BillingOptions>>().Value);
        // The web host, where it serves the gallery, names its own address when none is configured (AddWebChat).
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ArtBot.Domain.Gallery.GalleryOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PlatformStatus>();
        services.AddSingleton(sp => Policy(sp.GetRequiredService<IOptions<QueueOptions>>().Value, sp.GetRequiredService<IOptions<QueuePolicyOptions>>().Value));
        services.AddSingleton<IMessengers, Messengers>();
        services.AddBotDomain(sp => TimeSpan.FromDays(sp.GetRequiredService<IOptions<QueueOptions>>().Value.RetentionDays));
        // A store of one process: the dispatcher is woken here, and a stop reaches the job in this process directly.
        services.TryAddSingleton<IJobSignal, QuartzJobSignal>();
        if (!dispatch) return services;

        services.AddHostedService<QueueRecovery>();
        if (services.Any(d => d.ServiceType == typeof(IJobSignalSource))) services.AddHostedService<SignalListener>();

        var queue = configuration.GetSection(QueueOptions.Section).Get<QueueOptions>() ?? new QueueOptions();
        var night = Night(queue);
        services.AddQuartz(q =>
        {
            q.AddJob(typeof(DispatchJob), j => j.WithIdentity(DispatchJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(DispatchJob.Key).WithIdentity("dispatch-tick", "artbot").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(queue.DispatchIntervalSeconds)).RepeatForever()));
            q.AddTrigger(t => t.ForJob(DispatchJob.Key).WithIdentity("night-opens", "artbot")
                .WithCronSchedule($"0 {night.Start.Minute} {night.Start.Hour} * * ?", c => c.InTimeZone(night.Zone)));
            q.AddJob(typeof(MaintenanceJob), j => j.WithIdentity(MaintenanceJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(MaintenanceJob.Key).WithIdentity("maintenance-hourly", "artbot").WithCronSchedule("0 17 * * * ?"));
        });
        // A stop waits for the dispatcher: it returns its job to the queue within one render step.
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }

    public static QueuePolicy Policy(QueueOptions queue, QueuePolicyOptions policy) => new(policy, Night(queue));

    private static NightWindow Night(QueueOptions o) =>
        new(o.NightStart, o.NightEnd, TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc);
}
