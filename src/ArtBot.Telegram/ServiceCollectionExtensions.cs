using ArtBot.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace ArtBot.Telegram;

public static class ServiceCollectionExtensions
{
    /// <summary>The Telegram adapter, when <c>Telegram:Token</c> is configured.</summary>
    /// <param name="receive">False for a worker: it sends (results, progress) but never polls, or two pollers would meet 409 Conflict.</param>
    public static IServiceCollection AddTelegramAdapter(this IServiceCollection services, IConfiguration configuration, bool receive = true)
    {
        var section = configuration.GetSection(TelegramOptions.Section);
        services.AddValidatedOptions<TelegramOptions>(configuration, TelegramOptions.Section);
        if (string.IsNullOrWhiteSpace(section[nameof(TelegramOptions.Token)])) return services;

        // HttpClientFactory logs every request URI, and Bot API URIs carry the token (/bot<token>/…).
        services.AddHttpClient("telegram").RemoveAllLoggers();
        services.AddSingleton<ITelegramBotClient>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<TelegramOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient("telegram");
            http.Timeout = TimeSpan.FromSeconds(o.PollTimeoutSeconds + 30);
            // Telegram.Bot retries 429s by itself (3 times, up to 60 s) under ArtBot's own retries:
            // off, so a 429 is retried by one layer and counted once (TelegramMessenger.RetryAsync).
            return new TelegramBotClient(new TelegramBotClientOptions(o.Token!, string.IsNullOrWhiteSpace(o.BaseUrl) ? null : o.BaseUrl) { RetryThreshold = 0, RetryCount = 0 }, http);
        });
        services.AddSingleton<TelegramMessenger>();
        services.AddSingleton<ArtBot.Domain.Bot.IMessenger>(sp => sp.GetRequiredService<TelegramMessenger>());
        if (!receive) return services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TelegramUpdateHandler>();
        services.AddHostedService<TelegramReceiver>();
        return services;
    }
}
