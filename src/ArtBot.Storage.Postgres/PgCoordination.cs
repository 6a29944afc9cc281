using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;
using Npgsql;
using static ArtBot.Storage.Postgres.PostgresDatabase;

namespace ArtBot.Storage.Postgres;

/// <summary>
/// Cluster-wide tasks on one node at a time: a session advisory lock, held on a connection of its
/// own for as long as the task runs; if the node dies, PostgreSQL ends the session and the lock
/// with it. Chosen over Quartz clustering: only mutual exclusion is needed, not Quartz's tables.
/// </summary>
public sealed class PgClusterLock(PostgresDatabase database) : IClusterLock
{
    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken = default)
    {
        var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = Command(connection, null, "select pg_try_advisory_lock(hashtextextended(@n, 1))", ("n", name)))
            if (await take.ExecuteScalarAsync(cancellationToken) is true) return new Held(connection, name);
        await connection.DisposeAsync();
        return null;
    }

    private sealed class Held(NpgsqlConnection connection, string name) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var release = Command(connection, null, "select pg_advisory_unlock(hashtextextended(@n, 1))", ("n", name));
                await release.ExecuteScalarAsync();
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}

/// <summary>
/// New work wakes idle workers at once: the booking node sends NOTIFY, every worker LISTENs on one
/// connection of its own. A lost notification costs a dispatcher tick, never a job: the queue is
/// the truth, the notification only a nudge.
/// </summary>
public sealed class PgJobNotifications(PostgresDatabase database, ILogger<PgJobNotifications> logger) : IJobSignal
{
    public const string Channel = "artbot_jobs";

    public void JobQueued() => _ = NotifyAsync();

    private async Task NotifyAsync()
    {
        try
        {
            await using var connection = await database.DataSource.OpenConnectionAsync();
            await using var notify = Command(connection, null, $"notify {Channel}");
            await notify.ExecuteNonQueryAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning("Could not wake the workers: {Problem}", e.Message);
        }
    }

    /// <summary>Calls <paramref name="onJob"/> for every notification until cancelled; reconnects after a failure.</summary>
    public async Task ListenAsync(Action onJob, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
                connection.Notification += (_, _) => onJob();
                await using (var listen = Command(connection, null, $"listen {Channel}")) await listen.ExecuteNonQueryAsync(cancellationToken);
                // Whatever was queued before this connection listened: one look now.
                onJob();
                while (true) await connection.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Listening for new jobs failed ({Problem}); again in 5 s", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
