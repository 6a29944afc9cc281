using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace ArtBot.Storage.Postgres;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Every store on one PostgreSQL database shared by any number of processes (the schema made or
    /// migrated when it is first opened), with what sharing needs: advisory locks for cluster-wide
    /// work, and NOTIFY/LISTEN to wake the workers and carry a user's stop to the one rendering.
    /// </summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, Func<IServiceProvider, string> connectionString)
    {
        services.AddSingleton(sp => new PostgresDatabase(connectionString(sp)));
        services.AddSingleton<IJobQueue, PgJobQueue>();
        services.AddSingleton<IImageStore, PgImageStore>();
        services.AddSingleton<IUserStore, PgUserStore>();
        services.AddSingleton<ICursorStore, PgCursorStore>();
        services.AddSingleton<ILedger, PgLedger>();
        services.AddSingleton<IOfferStore, PgOfferStore>();
        services.AddSingleton<ArtBot.Domain.Gallery.IGalleryStore, PgGalleryStore>();
        services.AddSingleton<ISecretStore, PgSecretStore>();
        services.AddSingleton<IClusterLock, PgClusterLock>();
        services.AddSingleton<PgJobNotifications>();
        services.AddSingleton<IJobSignal>(sp => sp.GetRequiredService<PgJobNotifications>());
        services.AddSingleton<IJobSignalSource>(sp => sp.GetRequiredService<PgJobNotifications>());
        return services;
    }
}
