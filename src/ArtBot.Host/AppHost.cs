using ArtBot.Configuration;
using ArtBot.Domain.Art;
using ArtBot.Domain.Bot;
using ArtBot.Host.Composition;
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
    /// <summary>Where the environment's <c>ARTBOT_MODELS</c> (a ':'-separated path list) lands: it replaces Engine:ModelPaths.</summary>
    public const string ModelsEnvironmentVariable = "ARTBOT_MODELS";

    public static HostApplicationBuilder CreateBuilder(string[] args, IDictionary<string, string?>? overrides = null, LogLevel consoleLevel = LogLevel.Information)
    {
        var root = AppRoot.Find();
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root });
        builder.Configuration
            // Relative paths start at the application root unless configured otherwise.
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Engine:BasePath"] = root })
            .AddJsonFile(Path.Combine(root, "config", "artbot.json"), optional: true)
            .AddEnvironmentVariables("ARTBOT_")
            .AddInMemoryCollection(Environment.GetEnvironmentVariable(ModelsEnvironmentVariable) is { Length: > 0 } models
                ? new Dictionary<string, string?> { ["Engine:Models"] = models }
                : [])
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>());
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        // Standard output carries results (a path, a JSON object); logs go to standard error,
        // one JSON object a line with Logging:Json=true (for a log collector). Its "Z" must be
        // true: without UseUtcTimestamp the formatter writes local time.
        if (builder.Configuration.GetValue("Logging:Json", false))
            builder.Logging.AddJsonConsole(o => { o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; o.UseUtcTimestamp = true; })
                .AddFilter((category, level) => level >= consoleLevel);
        else
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
                .AddFilter((category, level) => level >= consoleLevel);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddArtEngine(builder.Configuration);
        return builder;
    }
}

/// <summary>The chat bot: the engine, the queue and every configured platform adapter.</summary>
public static class BotHost
{
    /// <summary>The exit code of a configured value refused on start (the line names the key, the value and the rule).</summary>
    public const int ConfigurationError = 2;

    public static HostApplicationBuilder CreateBuilder(IDictionary<string, string?>? overrides = null, LogLevel consoleLevel = LogLevel.Information)
    {
        var builder = AppHost.CreateBuilder([], overrides, consoleLevel);
        var configuration = builder.Configuration;
        var role = RoleOf(configuration);
        builder.Services
            .AddStorage(configuration, builder.Environment.ContentRootPath)
            .AddJobQueue(configuration, dispatch: role != BotRole.Receiver)
            .AddTelegramAdapter(configuration, receive: role != BotRole.Worker)
            .AddVkAdapter(configuration, receive: role != BotRole.Worker);
        // A receiver never renders: it gets the menus' presets and no engine (no device to open, no weights to read).
        if (role == BotRole.Receiver)
        {
            builder.Services.AddSingleton<IArtEngine>(sp => new PresetsOnlyEngine(sp.GetRequiredService<PresetCatalog>()));
            // Its programs are probed (the same image as the workers'); the weights are the workers' to have.
            builder.Services.AddSingleton(sp => CapabilityProbe.Probe(sp.GetRequiredService<IOptions<EngineOptions>>().Value, sp.GetRequiredService<PresetCatalog>(),
                checkModels: false, sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CapabilityProbe).FullName!)));
        }
        if (role == BotRole.All) builder.Services.AddWebChat(configuration, otherPlatforms: MessengerPlatforms(configuration).Count > 0);
        builder.Services.AddOps(configuration);
        return builder;
    }

    /// <summary>
    /// Runs the bot until it is asked to stop. A service that cannot start, or that dies on the
    /// way, ends the process with a non-zero code and one line saying which and why, so a
    /// supervisor that restarts on failure restarts it.
    /// </summary>
    /// <param name="started">Called once every service has started (the web chat's address is then known).</param>
    /// <returns>0 after a stop that was asked for; 1 when a service failed; 2 when a configured value is refused.</returns>
    public static async Task<int> RunAsync(IHost host, TextWriter errors, CancellationToken cancellationToken, Action? started = null)
    {
        try
        {
            // Every area's options first, so a refused value is said once, here, and not also
            // logged by the host as a failed start with its stack.
            host.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
            await host.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception e) when (OptionsRegistration.Problem(e) is { } problem)
        {
            await errors.WriteLineAsync($"artbot run: configuration: {problem}");
            return ConfigurationError;
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

    /// <inheritdoc cref="ArtBotServices.RoleOf"/>
    public static BotRole RoleOf(IConfiguration configuration) => ArtBotServices.RoleOf(configuration);

    /// <summary>Names of the platforms that have credentials configured.</summary>
    public static IReadOnlyList<string> ConfiguredPlatforms(IConfiguration configuration)
    {
        var platforms = MessengerPlatforms(configuration).ToList();
        if (RoleOf(configuration) == BotRole.All && WebOptions.ChatEnabled(configuration, platforms.Count > 0)) platforms.Add(WebMessenger.PlatformName);
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
