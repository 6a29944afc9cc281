using ArtBot.Domain.Art;
using ArtBot.Engine;
using ArtBot.Host.Operations;
using ArtBot.Scheduling;
using ArtBot.Telegram;
using ArtBot.Vk;
using ArtBot.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArtBot.Host;

/// <summary>Composition root: configuration from <c>config/artbot.json</c> and <c>ARTBOT_*</c> variables, then the services.</summary>
public static class AppHost
{
    public static HostApplicationBuilder CreateBuilder(string[] args, IDictionary<string, string?>? overrides = null, LogLevel consoleLevel = LogLevel.Information)
    {
        var root = AppRoot.Find();
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root });
        builder.Configuration
            .AddJsonFile(Path.Combine(root, "config", "artbot.json"), optional: true)
            .AddEnvironmentVariables("ARTBOT_")
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>());
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        // Standard output carries results (a path, a JSON object); logs go to standard error,
        // one JSON object a line with Logging:Json=true (for a log collector).
        if (builder.Configuration.GetValue("Logging:Json", false))
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ").AddFilter((category, level) => level >= consoleLevel);
        else
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
                .AddFilter((category, level) => level >= consoleLevel);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddArtEngine(builder.Configuration, root);
        return builder;
    }
}

/// <summary>The chat bot: the engine, the queue and every configured platform adapter.</summary>
public static class BotHost
{
    public static HostApplicationBuilder CreateBuilder(IDictionary<string, string?>? overrides = null, LogLevel consoleLevel = LogLevel.Information)
    {
        var builder = AppHost.CreateBuilder([], overrides, consoleLevel);
        var role = RoleOf(builder.Configuration);
        builder.Services
            .AddJobQueue(builder.Configuration, builder.Environment.ContentRootPath, dispatch: role != BotRole.Receiver)
            .AddTelegramAdapter(builder.Configuration, receive: role != BotRole.Worker)
            .AddVkAdapter(builder.Configuration, receive: role != BotRole.Worker);
        // A receiver never renders: it gets the menus' presets and no engine (no device to open, no weights to read).
        if (role == BotRole.Receiver)
        {
            builder.Services.AddSingleton<IArtEngine>(sp => new PresetsOnlyEngine(sp.GetRequiredService<PresetCatalog>()));
            // Its programs are probed (the same image as the workers'); the weights are the workers' to have.
            builder.Services.AddSingleton(sp => CapabilityProbe.Probe(sp.GetRequiredService<IOptions<EngineOptions>>().Value, sp.GetRequiredService<PresetCatalog>(),
                checkModels: false, sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CapabilityProbe).FullName!)));
        }
        if (role == BotRole.All) builder.Services.AddWebChat(builder.Configuration, otherPlatforms: MessengerPlatforms(builder.Configuration).Count > 0);
        builder.Services.AddOptions<OpsOptions>().Bind(builder.Configuration.GetSection(OpsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        if (builder.Configuration.GetSection(OpsOptions.Section).GetValue(nameof(OpsOptions.Enabled), true)) builder.Services.AddHostedService<OpsServer>();
        return builder;
    }

    /// <summary>
    /// Runs the bot until it is asked to stop. A service that cannot start, or that dies on the
    /// way, ends the process with a non-zero code and one line saying which and why, so a
    /// supervisor that restarts on failure restarts it.
    /// </summary>
    /// <param name="started">Called once every service has started (the web chat's address is then known).</param>
    /// <returns>0 after a stop that was asked for; 1 when a service failed.</returns>
    public static async Task<int> RunAsync(IHost host, TextWriter errors, CancellationToken cancellationToken, Action? started = null)
    {
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception e)
        {
            await errors.WriteLineAsync($"artbot run: could not start: {e.Message}");
            return 1;
        }
        started?.Invoke();
        await host.WaitForShutdownAsync(cancellationToken);
        // The host stops when a background service throws, and would end with 0 like any stop.
        foreach (var service in host.Services.GetServices<IHostedService>().OfType<BackgroundService>())
            if (service.ExecuteTask is { IsFaulted: true } task)
            {
                var problem = task.Exception!.InnerExceptions[0];
                await errors.WriteLineAsync($"artbot run: {service.GetType().Name} stopped: {problem.GetType().Name}: {problem.Message}");
                return 1;
            }
        return 0;
    }

    /// <summary>
    /// <c>Bot:Role</c> (<c>artbot run --role</c>): <c>all</c> (default) receives and renders in one
    /// process; a <c>receiver</c> talks to the platforms and books jobs, never renders; a
    /// <c>worker</c> claims, renders and delivers, never polls. Split roles share a PostgreSQL store;
    /// the web chat (its conversations live in the process's memory) runs only with <c>all</c>.
    /// </summary>
    /// <exception cref="OptionsValidationException">An unknown role, or a split role on LiteDB.</exception>
    public static BotRole RoleOf(IConfiguration configuration)
    {
        var text = configuration["Bot:Role"] ?? "all";
        if (!Enum.TryParse<BotRole>(text, ignoreCase: true, out var role) || !Enum.IsDefined(role))
            throw new OptionsValidationException("Bot", typeof(BotRole), [$"Bot:Role must be all, receiver or worker, not '{text}'"]);
        if (role != BotRole.All && !(configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions()).IsPostgres)
            throw new OptionsValidationException("Bot", typeof(BotRole), [$"--role {text.ToLowerInvariant()} shares the store with other processes: set Storage:Provider=postgres and Storage:ConnectionString"]);
        return role;
    }

    /// <summary>Names of the platforms that have credentials configured.</summary>
    public static IReadOnlyList<string> ConfiguredPlatforms(IConfiguration configuration)
    {
        var platforms = MessengerPlatforms(configuration).ToList();
        if (RoleOf(configuration) == BotRole.All && WebOptions.IsEnabled(configuration, platforms.Count > 0)) platforms.Add(WebMessenger.PlatformName);
        return platforms;
    }

    /// <summary>Telegram and VK, where they have credentials.</summary>
    private static IReadOnlyList<string> MessengerPlatforms(IConfiguration configuration)
    {
        var platforms = new List<string>();
        if (!string.IsNullOrWhiteSpace(configuration[$"{TelegramOptions.Section}:{nameof(TelegramOptions.Token)}"])) platforms.Add(TelegramMessenger.PlatformName);
        if (!string.IsNullOrWhiteSpace(configuration[$"{VkOptions.Section}:{nameof(VkOptions.Token)}"])) platforms.Add(VkMessenger.PlatformName);
        return platforms;
    }
}

public enum BotRole { All, Receiver, Worker }

/// <summary>The application root: the folder holding <c>config/artbot.json</c> (the repo, or /app in the image).</summary>
public static class AppRoot
{
    public static string Find()
    {
        if (Environment.GetEnvironmentVariable("ARTBOT_ROOT") is { Length: > 0 } explicitRoot) return Path.GetFullPath(explicitRoot);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "config", "artbot.json"))) return dir.FullName;
        return AppContext.BaseDirectory;
    }
}
