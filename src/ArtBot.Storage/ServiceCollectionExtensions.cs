using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace ArtBot.Storage;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Every store on one LiteDB file (<paramref name="path"/>), locked by this process for its life:
    /// jobs and the queue, images, users, cursors, the ledger, offers, the gallery, server keys; cluster-wide
    /// work is this process's alone.
    /// </summary>
    public static IServiceCollection AddLiteDbStorage(this IServiceCollection services, Func<IServiceProvider, string> path)
    {
        services.AddSingleton(sp => new ArtBotDatabase(path(sp)));
        services.AddSingleton<IJobQueue, LiteJobQueue>();
        services.AddSingleton<IImageStore, LiteImageStore>();
        services.AddSingleton<IUserStore, LiteUserStore>();
        services.AddSingleton<ICursorStore, LiteCursorStore>();
        services.AddSingleton<ILedger, LiteLedger>();
        services.AddSingleton<IOfferStore, LiteOfferStore>();
        services.AddSingleton<ArtBot.Domain.Gallery.IGalleryStore, LiteGalleryStore>();
        services.AddSingleton<ISecretStore, LiteSecretStore>();
        services.AddSingleton<IClusterLock, SingleProcessLock>();
        return services;
    }
}
