using ArtBot.Configuration;
using ArtBot.Domain.Bot;
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
        services.AddSingleton<IMessenger>(sp => sp.GetRequiredService<WebMessenger>());
        services.AddHostedService<WebChatServer>();
        return services;
    }
}
