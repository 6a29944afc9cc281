using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ArtBot.Storage.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster for the test run: Debian's server binaries (installed by
/// .ci/run), initdb in a temp folder, listening on 127.0.0.1 at a free port, stopped and deleted
/// when the tests end. The server refuses to run as root, so under root it runs as the
/// "postgres" user the package creates. ARTBOT_TEST_POSTGRES names an existing server instead.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private readonly string? folder;
    private readonly string? bin;

    public PostgresCluster()
    {
        if (Environment.GetEnvironmentVariable("ARTBOT_TEST_POSTGRES") is { Length: > 0 } given)
        {
            ConnectionString = given;
            return;
        }
        bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => d).LastOrDefault()
            : null;
        if (bin == null) throw new InvalidOperationException("PostgreSQL's server is not installed (apt-get install postgresql; .ci/run does) and ARTBOT_TEST_POSTGRES is not set");
        folder = Directory.CreateTempSubdirectory("artbot-pg-").FullName;
        var port = FreePort();
        if (Environment.UserName == "root") Run("chown", "-R", "postgres:postgres", folder);
        AsServer("initdb", "-D", Path.Combine(folder, "data"), "-U", "artbot", "--auth=trust", "-E", "UTF8", "--no-sync");
        AsServer("pg_ctl", "-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=artbot;Database=postgres;Pooling=true;Maximum Pool Size=50";
    }

    public string ConnectionString { get; }

    /// <summary>A fresh, empty schema to run one test's stores in: tests never see each other's rows.</summary>
    public string NewSchema()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(ConnectionString))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"create schema {schema}", connection);
            create.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }

    public void Dispose()
    {
        if (folder == null) return;
        NpgsqlConnection.ClearAllPools();
        try
        {
            AsServer("pg_ctl", "-D", Path.Combine(folder, "data"), "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private void AsServer(string program, params string[] arguments)
    {
        var path = Path.Combine(bin!, program);
        if (Environment.UserName == "root") Run("runuser", ["-u", "postgres", "--", path, .. arguments]);
        else Run(path, arguments);
    }

    private static void Run(string program, params string[] arguments)
    {
        var psi = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) throw new TimeoutException($"{program} did not finish");
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors.Result}{output.Result}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
