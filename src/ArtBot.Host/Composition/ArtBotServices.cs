using ArtBot.Configuration;
using ArtBot.Domain.Bot;
using ArtBot.Host.Operations;
using ArtBot.Scheduling;
using ArtBot.Storage;
using ArtBot.Storage.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArtBot.Host.Composition;

/// <summary>The host's own areas: the storage provider chosen by configuration, and the operations port.</summary>
public static class ArtBotServices
{
    /// <summary>
    /// One storage provider behind the domain's ports: LiteDB (the file at <c>Queue:DatabasePath</c>,
    /// under <paramref name="root"/>) or PostgreSQL. Registered before the queue, which takes a shared
    /// store's signals when it has them.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration, string root)
    {
        services.AddValidatedOptions<StorageOptions>(configuration, StorageOptions.Section);
        return Storage(configuration).IsPostgres
            ? services.AddPostgresStorage(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString!)
            : services.AddLiteDbStorage(sp => Path.Combine(root, sp.GetRequiredService<IOptions<QueueOptions>>().Value.DatabasePath));
    }

    /// <summary><c>/healthz/live</c>, <c>/healthz/ready</c> and <c>/metrics</c> on a port of their own (<c>Ops</c>), in every role.</summary>
    public static IServiceCollection AddOps(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<OpsOptions>(configuration, OpsOptions.Section);
        if (configuration.GetSection(OpsOptions.Section).GetValue(nameof(OpsOptions.Enabled), true)) services.AddHostedService<OpsServer>();
        return services;
    }

    /// <summary>
    /// <c>Bot:Role</c> (<c>artbot run --role</c>): <c>all</c> (default) receives and renders in one
    /// process; a <c>receiver</c> talks to the platforms and books jobs, never renders; a
    /// <c>worker</c> claims, renders and delivers, never polls. Split roles share a PostgreSQL store;
    /// the web chat (its conversations live in the process's memory) runs only with <c>all</c>.
    /// </summary>
    /// <exception cref="OptionsValidationException">A split role on LiteDB.</exception>
    /// <exception cref="InvalidOperationException">A role the binder cannot read (it names the key and the value).</exception>
    public static BotRole RoleOf(IConfiguration configuration)
    {
        var role = configuration.GetSection(BotOptions.Section).GetValue(nameof(BotOptions.Role), BotRole.All);
        if (role != BotRole.All && !Storage(configuration).IsPostgres)
            throw new OptionsValidationException(BotOptions.Section, typeof(BotRole),
                [$"Bot:Role = {role.ToString().ToLowerInvariant()}: shares the store with other processes, so it needs Storage:Provider=postgres and Storage:ConnectionString"]);
        return role;
    }

    private static StorageOptions Storage(IConfiguration configuration) =>
        configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
}
