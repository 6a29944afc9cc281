using ArtBot.Configuration;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Gallery;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ArtBot.Web;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// The local web chat: on when <c>Web:Enabled</c> is true, or when it is unset and no other
    /// platform is configured (<paramref name="otherPlatforms"/>), so a newcomer without a token
    /// still gets a bot to talk to.
    /// </summary>
    public static IServiceCollection AddWebChat(this IServiceCollection services, IConfiguration configuration, bool otherPlatforms)
    {
        // Checked only when the chat runs: a bot serving Telegram alone needs no web access key.
        if (!WebOptions.IsEnabled(configuration, otherPlatforms))
        {
            services.AddOptions<WebOptions>().Bind(configuration.GetSection(WebOptions.Section));
            return services;
        }
        services.AddValidatedOptions<WebOptions>(configuration, WebOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<WebChats>();
        services.AddSingleton<WebMessenger>();
        // With Web:Chat false the host serves the gallery alone: no "web" platform to answer on.
        if (WebOptions.ChatEnabled(configuration, otherPlatforms)) services.AddSingleton<IMessenger>(sp => sp.GetRequiredService<WebMessenger>());
        services.AddHostedService<WebChatServer>();
        // The gallery's address, unless configured, is this host's own.
        services.AddSingleton(sp =>
        {
            var gallery = sp.GetRequiredService<IOptions<GalleryOptions>>().Value;
            return gallery.PublicUrl == null ? gallery with { PublicUrl = sp.GetRequiredService<IOptions<WebOptions>>().Value.Url } : gallery;
        });
        return services;
    }
}
