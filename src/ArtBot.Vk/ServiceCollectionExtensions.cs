using ArtBot.Configuration;
using ArtBot.Domain.Bot;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArtBot.Vk;

public static class ServiceCollectionExtensions
{
    /// <summary>The VK adapter, when <c>Vk:Token</c> is configured.</summary>
    /// <param name="receive">False for a worker: it sends but never long-polls.</param>
    public static IServiceCollection AddVkAdapter(this IServiceCollection services, IConfiguration configuration, bool receive = true)
    {
        var section = configuration.GetSection(VkOptions.Section);
        services.AddValidatedOptions<VkOptions>(configuration, VkOptions.Section);
        if (string.IsNullOrWhiteSpace(section[nameof(VkOptions.Token)])) return services;

        // Form bodies carry the token; HttpClientFactory's request logging stays off all the same.
        services.AddHttpClient("vk").RemoveAllLoggers();
        services.AddHttpClient("vk-download")
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .RemoveAllLoggers();
        services.AddSingleton(sp => new VkApiClient(Client(sp, "vk"), sp.GetRequiredService<IOptions<VkOptions>>(), sp.GetRequiredService<ILogger<VkApiClient>>()));
        services.AddSingleton(sp => new VkDownloader(Client(sp, "vk-download"), sp.GetRequiredService<IOptions<VkOptions>>()));
        services.AddSingleton(sp => new VkLongPoll(sp.GetRequiredService<VkApiClient>(), Client(sp, "vk"), sp.GetRequiredService<ICursorStore>(), sp.GetRequiredService<ILogger<VkLongPoll>>()));
        services.AddSingleton<VkMessenger>();
        services.AddSingleton<IMessenger>(sp => sp.GetRequiredService<VkMessenger>());
        if (!receive) return services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<VkUpdateHandler>();
        services.AddHostedService<VkReceiver>();
        if (configuration.GetSection("Gallery").GetValue<bool>("VkWallPost")) services.AddHostedService<VkWallPoster>();
        return services;
    }

    private static HttpClient Client(IServiceProvider services, string name)
    {
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(name);
        // Long poll requests are held open for the wait.
        http.Timeout = TimeSpan.FromSeconds(services.GetRequiredService<IOptions<VkOptions>>().Value.LongPollWaitSeconds + 30);
        return http;
    }
}
