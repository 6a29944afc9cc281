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
/// Advisory locks are database-wide: the key carries the schema, so two deployments (or two tests)
/// in one database on schemas of their own never skip each other's sweep.
/// </summary>
public sealed class PgClusterLock(PostgresDatabase database) : IClusterLock
{
    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken = default)
    {
        var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = Command(connection, null, "select pg_try_advisory_lock(hashtextextended(current_schema() || '/' || @n, 1))", ("n", name)))
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
                await using var release = Command(connection, null, "select pg_advisory_unlock(hashtextextended(current_schema() || '/' || @n, 1))", ("n", name));
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
/// Nudges between processes: new work wakes idle workers at once, and a user's stop reaches the
/// worker rendering that job within moments. The sender NOTIFYs (<c>artbot_jobs</c>; <c>artbot_cancel</c>
/// with the job's id), every process LISTENs on one connection of its own. A lost notification
/// costs a dispatcher tick or a lease renewal (which reads the stop flag), never a job: the store
/// is the truth, the notification only a nudge.
/// </summary>
public sealed class PgJobNotifications(PostgresDatabase database, ILogger<PgJobNotifications> logger) : IJobSignal, IJobSignalSource
{
    public const string Channel = "artbot_jobs";
    public const string CancelChannel = "artbot_cancel";

    public void JobQueued() => _ = NotifyAsync(Channel, null);

    public void CancelRequested(long jobId) => _ = NotifyAsync(CancelChannel, jobId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private async Task NotifyAsync(string channel, string? payload)
    {
        try
        {
            await using var connection = await database.DataSource.OpenConnectionAsync();
            await using var notify = Command(connection, null, "select pg_notify(@channel, @payload)", ("channel", channel), ("payload", payload ?? ""));
            await notify.ExecuteNonQueryAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning("Could not signal the other processes ({Channel}): {Problem}", channel, e.Message);
        }
    }

    /// <summary>Passes every notification to <paramref name="handler"/> until cancelled; reconnects after a failure.</summary>
    public async Task ListenAsync(IJobSignal handler, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == CancelChannel)
                    {
                        if (long.TryParse(e.Payload, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var job)) handler.CancelRequested(job);
                    }
                    else handler.JobQueued();
                };
                await using (var listen = Command(connection, null, $"listen {Channel}; listen {CancelChannel}")) await listen.ExecuteNonQueryAsync(cancellationToken);
                // Whatever was queued before this connection listened: one look now.
                handler.JobQueued();
                while (true) await connection.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Listening to the other processes failed ({Problem}); again in 5 s", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
