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
        var web = services.AddOptions<WebOptions>().Bind(configuration.GetSection(WebOptions.Section));
        // Checked only when the chat runs: a bot serving Telegram alone needs no web access key.
        if (!WebOptions.IsEnabled(configuration, otherPlatforms)) return services;
        web.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<WebChats>();
        services.AddSingleton<WebMessenger>();
        services.AddSingleton<IMessenger>(sp => sp.GetRequiredService<WebMessenger>());
        services.AddHostedService<WebChatServer>();
        return services;
    }
}
