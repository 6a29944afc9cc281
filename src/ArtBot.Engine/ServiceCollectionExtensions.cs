using ArtBot.Configuration;
using ArtBot.Domain.Art;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArtBot.Engine;

public static class ServiceCollectionExtensions
{
    /// <summary>The neural engine behind <see cref="IArtEngine"/>, the preset catalog, the capability probe and the upload intake, configured from the <c>Engine</c> section.</summary>
    public static IServiceCollection AddArtEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<EngineOptions>(configuration, EngineOptions.Section);
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
