using ArtBot.Domain;
using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using ArtBot.Engine;
using ArtBot.Storage;
using ArtBot.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ArtBot.Host;

/// <summary>
/// Throwaway stores for <c>bench-queue</c> (a LiteDB file in a temp folder, or a fresh PostgreSQL
/// schema, removed afterwards), with the domain composed over them as the host composes it.
/// </summary>
public static class BenchStoresFactory
{
    public static BenchStores LiteDb(PresetCatalog presets, IMessengers messengers)
    {
        var folder = Directory.CreateTempSubdirectory("artbot-bench-").FullName;
        var services = Compose(new ServiceCollection().AddLiteDbStorage(_ => Path.Combine(folder, "bench.db")), presets, messengers);
        return new BenchStores("litedb", services, () => Directory.Delete(folder, recursive: true));
    }

    public static BenchStores Postgres(string connectionString, PresetCatalog presets, IMessengers messengers)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N");
        Execute(connectionString, $"create schema {schema}");
        var scoped = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema, MaxPoolSize = 100 }.ConnectionString;
        var services = Compose(new ServiceCollection().AddPostgresStorage(_ => scoped), presets, messengers);
        return new BenchStores("postgres", services, () => Execute(connectionString, $"drop schema {schema} cascade"));
    }

    /// <summary>The domain on default options, with a stand-in engine: the bench measures the queue and the conversation, not rendering.</summary>
    private static ServiceProvider Compose(IServiceCollection services, PresetCatalog presets, IMessengers messengers)
    {
        var night = new NightWindow(new TimeOnly(1, 0), new TimeOnly(7, 0), TimeZoneInfo.Utc);
        services.AddLogging()
            .AddSingleton(new BotOptions())
            .AddSingleton(new BillingOptions())
            .AddSingleton(new QueuePolicy(new QueuePolicyOptions { IdleCapacityServesHeavyByDay = false, FreeMaxQueuedHeavy = int.MaxValue }, night))
            .AddSingleton(presets)
            .AddSingleton(ArtCapabilities.Everything(presets))
            .AddSingleton<IArtEngine>(new PresetsOnlyEngine(presets))
            .AddSingleton<IUploadIntake>(new UploadIntake(Options.Create(new EngineOptions())))
            .AddSingleton(messengers)
            .AddBotDomain(_ => TimeSpan.FromDays(7));
        if (!services.Any(d => d.ServiceType == typeof(IJobSignal))) services.AddSingleton<IJobSignal, NoSignal>();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Nothing listens: the bench claims by itself.</summary>
    private sealed class NoSignal : IJobSignal
    {
        public void JobQueued() { }

        public void CancelRequested(long jobId) { }
    }
}

/// <summary>The stores a benchmark runs on, the domain over them, and how to clean them up.</summary>
public sealed class BenchStores(string provider, ServiceProvider services, Action cleanup) : IDisposable
{
    public string Provider => provider;
    public IServiceProvider Services => services;
    public IJobQueue Queue => services.GetRequiredService<IJobQueue>();
    public ILedger Ledger => services.GetRequiredService<ILedger>();
    public BotService Bot => services.GetRequiredService<BotService>();

    public void Dispose()
    {
        services.Dispose();
        cleanup();
    }
}
