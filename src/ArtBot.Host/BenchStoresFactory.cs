using ArtBot.Storage;
using ArtBot.Storage.Postgres;
using Npgsql;

namespace ArtBot.Host;

/// <summary>Throwaway stores for <c>bench-queue</c>: a LiteDB file in a temp folder, or a fresh PostgreSQL schema, removed afterwards.</summary>
public static class BenchStoresFactory
{
    public static BenchStores LiteDb()
    {
        var folder = Directory.CreateTempSubdirectory("artbot-bench-").FullName;
        var database = new ArtBotDatabase(Path.Combine(folder, "bench.db"));
        return new BenchStores("litedb", new LiteJobQueue(database), new LiteImageStore(database), new LiteUserStore(database), new LiteLedger(database),
            new LiteOfferStore(database), new LiteCursorStore(database), new Cleanup(() =>
            {
                database.Dispose();
                Directory.Delete(folder, recursive: true);
            }));
    }

    public static BenchStores Postgres(string connectionString)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N");
        Execute(connectionString, $"create schema {schema}");
        var database = new PostgresDatabase(new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema, MaxPoolSize = 100 }.ConnectionString);
        return new BenchStores("postgres", new PgJobQueue(database), new PgImageStore(database), new PgUserStore(database), new PgLedger(database),
            new PgOfferStore(database), new PgCursorStore(database), new Cleanup(() =>
            {
                database.Dispose();
                Execute(connectionString, $"drop schema {schema} cascade");
            }));
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private sealed class Cleanup(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
