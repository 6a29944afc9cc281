using ArtBot.Domain.Art;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArtBot.Engine;

public static class ServiceCollectionExtensions
{
    public const string ModelsEnvironmentVariable = "ARTBOT_MODELS";

    /// <summary>
    /// The neural engine behind <see cref="IArtEngine"/>, configured from the <c>Engine</c>
    /// section; <c>ARTBOT_MODELS</c> (a path list, ':'-separated) replaces the model search path.
    /// </summary>
    public static IServiceCollection AddArtEngine(this IServiceCollection services, IConfiguration configuration, string? basePath = null)
    {
        services.AddOptions<EngineOptions>()
            .Bind(configuration.GetSection(EngineOptions.Section))
            .PostConfigure(o =>
            {
                if (basePath != null && string.IsNullOrEmpty(o.BasePath)) o.BasePath = basePath;
                if (o.ModelPaths.Length == 0) o.ModelPaths = EngineOptions.DefaultModelPaths;
                if (o.VggModels.Length == 0) o.VggModels = EngineOptions.DefaultVggModels;
                if (Environment.GetEnvironmentVariable(ModelsEnvironmentVariable) is { Length: > 0 } paths)
                    o.ModelPaths = paths.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // The catalog is read without the engine, so a process that never renders (a receiver) starts no device.
        services.AddSingleton(sp => StyleFolder.Load(EngineOptionsStyles(sp)));
        // Probed once, when first asked for (the host asks at start): what this host can render.
        services.AddSingleton(sp => CapabilityProbe.Probe(sp.GetRequiredService<IOptions<EngineOptions>>().Value, sp.GetRequiredService<PresetCatalog>(),
            checkModels: true, sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger(typeof(CapabilityProbe).FullName!)));
        services.AddSingleton<IUploadIntake, UploadIntake>();
        services.AddSingleton<ArtEngine>();
        services.AddSingleton<IArtEngine>(sp => sp.GetRequiredService<ArtEngine>());
        return services;
    }

    private static string EngineOptionsStyles(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<EngineOptions>>().Value;
        return options.Resolve(options.StylesPath);
    }
}
