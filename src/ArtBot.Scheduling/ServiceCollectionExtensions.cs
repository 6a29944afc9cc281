using System.Globalization;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Bot.Worker;
using ArtBot.Domain.Queue;
using ArtBot.Storage;
using ArtBot.Storage.Postgres;
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
    /// The queue (on the configured storage provider), the conversation and the worker, driven by Quartz: a dispatcher
    /// (every few seconds, at once when a job is queued, and when the night window opens) and an
    /// hourly clean-up of old images.
    /// </summary>
    /// <param name="dispatch">False for a receiver: it books jobs, workers render them.</param>
    public static IServiceCollection AddJobQueue(this IServiceCollection services, IConfiguration configuration, string basePath, bool dispatch = true)
    {
        services.AddOptions<QueueOptions>().Bind(configuration.GetSection(QueueOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(configuration.GetSection("Bot").Get<BotOptions>() ?? new BotOptions());
        var billing = configuration.GetSection("Billing").Get<BillingOptions>() ?? new BillingOptions();
        // Prices are the one thing a configuration typo must never get wrong: refuse to start.
        if (billing.Problems().ToList() is { Count: > 0 } problems) throw new OptionsValidationException("Billing", typeof(BillingOptions), problems);
        services.AddSingleton(billing);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PlatformStatus>();
        AddStorage(services, configuration, basePath);
        services.AddSingleton(sp => Policy(sp.GetRequiredService<IOptions<QueueOptions>>().Value));
        services.AddSingleton<IMessengers, Messengers>();
        services.AddSingleton(sp => new BotDomain(
            new BotPorts(sp.GetRequiredService<IJobQueue>(), sp.GetRequiredService<IImageStore>(), sp.GetRequiredService<IUserStore>(),
                sp.GetRequiredService<ILedger>(), sp.GetRequiredService<IOfferStore>(), sp.GetRequiredService<ICursorStore>(), sp.GetRequiredService<IClusterLock>()),
            sp.GetRequiredService<BotOptions>(), billing, sp.GetRequiredService<QueuePolicy>(), sp.GetRequiredService<PresetCatalog>(),
            sp.GetRequiredService<IArtEngine>(), sp.GetRequiredService<IUploadIntake>(), sp.GetRequiredService<IMessengers>(), sp.GetRequiredService<IJobSignal>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetServices<IJobObserver>(),
            TimeSpan.FromDays(sp.GetRequiredService<IOptions<QueueOptions>>().Value.RetentionDays), sp.GetRequiredService<ArtCapabilities>()));
        services.AddSingleton(sp => sp.GetRequiredService<BotDomain>().Bot);
        services.AddSingleton(sp => sp.GetRequiredService<BotDomain>().Worker);
        services.AddSingleton(sp => sp.GetRequiredService<BotDomain>().Sweeper);
        services.AddSingleton(sp => sp.GetRequiredService<BotDomain>().Running);
        var postgres = (configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions()).IsPostgres;
        if (postgres)
        {
            services.AddSingleton<IJobSignal>(sp => sp.GetRequiredService<PgJobNotifications>());
            services.AddSingleton<IJobSignalSource>(sp => sp.GetRequiredService<PgJobNotifications>());
        }
        else services.AddSingleton<IJobSignal, QuartzJobSignal>();
        if (!dispatch) return services;

        services.AddHostedService<QueueRecovery>();
        if (postgres) services.AddHostedService<SignalListener>();

        var queue = configuration.GetSection(QueueOptions.Section).Get<QueueOptions>() ?? new QueueOptions();
        var night = Policy(queue).Night;
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

    /// <summary>One storage provider behind the domain's ports: LiteDB (the default) or PostgreSQL.</summary>
    private static void AddStorage(IServiceCollection services, IConfiguration configuration, string basePath)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        if (storage.IsPostgres)
        {
            // The schema is created or migrated when the database is first opened.
            services.AddSingleton(sp => new PostgresDatabase(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString!));
            services.AddSingleton<IJobQueue, PgJobQueue>();
            services.AddSingleton<IImageStore, PgImageStore>();
            services.AddSingleton<IUserStore, PgUserStore>();
            services.AddSingleton<ICursorStore, PgCursorStore>();
            services.AddSingleton<ILedger, PgLedger>();
            services.AddSingleton<IOfferStore, PgOfferStore>();
            services.AddSingleton<ISecretStore, PgSecretStore>();
            services.AddSingleton<IClusterLock, PgClusterLock>();
            services.AddSingleton<PgJobNotifications>();
            return;
        }
        services.AddSingleton(sp => new ArtBotDatabase(Path.Combine(basePath, sp.GetRequiredService<IOptions<QueueOptions>>().Value.DatabasePath)));
        services.AddSingleton<IJobQueue, LiteJobQueue>();
        services.AddSingleton<IImageStore, LiteImageStore>();
        services.AddSingleton<IUserStore, LiteUserStore>();
        services.AddSingleton<ICursorStore, LiteCursorStore>();
        services.AddSingleton<ILedger, LiteLedger>();
        services.AddSingleton<IOfferStore, LiteOfferStore>();
        services.AddSingleton<ISecretStore, LiteSecretStore>();
        services.AddSingleton<IClusterLock, SingleProcessLock>();
    }

    public static QueuePolicy Policy(QueueOptions o) => new(
        new QueuePolicyOptions
        {
            IdleCapacityServesHeavyByDay = o.IdleCapacityServesHeavyByDay,
            FreeMaxQueuedHeavy = o.FreeMaxQueuedHeavy,
            LightMaxSide = o.LightMaxSide,
            LightMaxIterations = o.LightMaxIterations,
        },
        new NightWindow(TimeOnly.ParseExact(o.NightStart, "HH:mm", CultureInfo.InvariantCulture),
            TimeOnly.ParseExact(o.NightEnd, "HH:mm", CultureInfo.InvariantCulture),
            TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone)));
}
