using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Bot.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ArtBot.Domain;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// The conversation, the worker and the money rules, over the ports the rest of the host
    /// registers: the stores (<see cref="Queue.IJobQueue"/>, images, users, the ledger, offers,
    /// cursors, the cluster lock), the engine and the upload intake, the messengers, the job
    /// signal, <see cref="BotOptions"/>, <see cref="BillingOptions"/>, <see cref="Gallery.GalleryOptions"/>, the gallery store, the queue policy, the preset
    /// catalog and the capabilities. The host, the tests and the benchmarks all compose it here.
    /// </summary>
    /// <param name="offerLifetime">How long a button stays good: as long as the photos it points at are kept.</param>
    public static IServiceCollection AddBotDomain(this IServiceCollection services, Func<IServiceProvider, TimeSpan> offerLifetime)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new OfferBook(sp.GetRequiredService<IOfferStore>(), sp.GetRequiredService<TimeProvider>()) { Lifetime = offerLifetime(sp) });
        services.AddSingleton<Menus>();
        services.AddSingleton<RequestGate>();
        services.AddSingleton<Booking>();
        services.AddSingleton<JobObservers>();
        services.AddSingleton<JobNotices>();
        services.AddSingleton<ResultDelivery>();
        services.AddSingleton<QueueSweeper>();
        services.AddSingleton<JobRenderer>();
        services.AddSingleton<ProgressMessages>();
        services.AddSingleton<RunningJobs>();
        services.AddSingleton<IRunningJobs>(sp => sp.GetRequiredService<RunningJobs>());
        services.AddSingleton<JobWorker>();
        services.AddSingleton<JobControl>();
        services.AddSingleton<Payments>();
        services.AddSingleton<AdminService>();
        services.AddSingleton<Gallery.GalleryService>();
        services.AddSingleton<Gallery.SharingConversation>();
        services.AddSingleton<BotService>();
        return services;
    }
}
