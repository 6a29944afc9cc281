using System.Diagnostics;
using System.Text.Json.Serialization;
using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using ArtBot.Engine;
using ArtBot.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArtBot.Host;

public sealed record QueueBenchReport(
    [property: JsonPropertyName("queued_jobs")] int QueuedJobs,
    [property: JsonPropertyName("enqueue_10k_s")] double Enqueue10kSeconds,
    [property: JsonPropertyName("claim_next_ms_median")] double ClaimNextMsMedian,
    [property: JsonPropertyName("claim_next_ms_p99")] double ClaimNextMsP99,
    [property: JsonPropertyName("position_ms_median")] double PositionMsMedian,
    [property: JsonPropertyName("accept_update_ms_median")] double AcceptUpdateMsMedian,
    [property: JsonPropertyName("accept_update_ms_p99")] double AcceptUpdateMsP99,
    [property: JsonPropertyName("database_mb")] double DatabaseMb);

/// <summary>
/// <c>artbot bench-queue</c>: the dispatcher's cost with a deep queue, on a real LiteDB file:
/// picking the next job, a user's position, and accepting one update (a photo: stored, a
/// preview job queued, the menu answered) end to end through the conversation.
/// </summary>
public static class QueueBenchmark
{
    public static async Task<QueueBenchReport> RunAsync(PresetCatalog presets, int queued = 10_000, CancellationToken ct = default)
    {
        var folder = Directory.CreateTempSubdirectory("artbot-bench-").FullName;
        try
        {
            var path = Path.Combine(folder, "bench.db");
            using var database = new ArtBotDatabase(path);
            var queue = new LiteJobQueue(database);
            var images = new LiteImageStore(database);
            var users = new LiteUserStore(database);
            var night = new NightWindow(new TimeOnly(1, 0), new TimeOnly(7, 0), TimeZoneInfo.Utc);
            var policy = new QueuePolicy(new QueuePolicyOptions { IdleCapacityServesHeavyByDay = false, FreeMaxQueuedHeavy = int.MaxValue }, night);
            var day = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
            var random = new Random(1);

            // Paid jobs belong to one user with credits enough for all of them: a booking checks the balance.
            const long Whale = 1_000_000;
            await new LiteLedger(database).PostAsync(new LedgerEntry
            {
                Key = "bench:grant", Platform = "telegram", UserId = Whale, Kind = LedgerKind.AdminGrant, Amount = 10 * queued, At = day,
            }, ct);
            var fill = Stopwatch.StartNew();
            for (var i = 0; i < queued; i++)
            {
                var paid = random.Next(10) == 0;
                var jobClass = random.Next(3) == 0 ? JobClass.Heavy : JobClass.Light;
                await queue.EnqueueAsync(new Job
                {
                    Platform = "telegram", UserId = paid ? Whale : i % 2000, ChatId = i % 2000, Kind = jobClass == JobClass.Heavy ? JobKind.Stylize : JobKind.Preset,
                    PresetId = "wave", ContentImage = "img/none", Size = 512, Paid = paid, Class = jobClass,
                    Rank = QueuePolicy.RankOf(paid, jobClass), CreatedAt = day,
                }, paid ? 10 : 0, ct);
            }
            var enqueueSeconds = fill.Elapsed.TotalSeconds;

            var claims = new List<double>();
            for (var i = 0; i < 200; i++)
            {
                var clock = Stopwatch.StartNew();
                var job = await queue.ClaimNextAsync(policy, day, TimeSpan.FromMinutes(5), ct);
                claims.Add(clock.Elapsed.TotalMilliseconds);
                // Put it back so the queue stays 10 000 deep.
                await queue.RequeueAsync(job!, ct);
            }

            var sample = (await queue.ActiveJobsAsync("telegram", 1999, ct)).Last();
            var positions = new List<double>();
            for (var i = 0; i < 100; i++)
            {
                var clock = Stopwatch.StartNew();
                await queue.PositionAsync(sample, ct);
                positions.Add(clock.Elapsed.TotalMilliseconds);
            }

            var messenger = new NullMessenger();
            var ledger = new LiteLedger(database);
            var bot = new BotDomain(new BotPorts(queue, images, users, ledger, new LiteOfferStore(database)), new BotOptions(), new BillingOptions(), policy, presets,
                new NoEngine(), messenger, new NoSignal(), TimeProvider.System, NullLoggerFactory.Instance).Bot;
            var photo = new byte[200_000];
            random.NextBytes(photo);
            var accepts = new List<double>();
            for (var i = 0; i < 100; i++)
            {
                var clock = Stopwatch.StartNew();
                await bot.HandleAsync(new PhotoMessage(new ChatUser("telegram", 100_000 + i, 100_000 + i, "en"), [photo]), messenger, ct);
                accepts.Add(clock.Elapsed.TotalMilliseconds);
            }

            return new QueueBenchReport(await queue.QueuedCountAsync(ct), Math.Round(enqueueSeconds, 2),
                Median(claims), Percentile(claims, 0.99), Median(positions), Median(accepts), Percentile(accepts, 0.99),
                Math.Round(new FileInfo(path).Length / 1048576.0, 1));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return Math.Round(sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))], 3);
    }

    private sealed class NoSignal : IJobSignal
    {
        public void JobQueued() { }
    }

    /// <summary>The benchmark accepts updates; nothing renders.</summary>
    private sealed class NoEngine : IArtEngine
    {
        public PresetCatalog Presets => throw new NotSupportedException();
        public Task<ArtResult> PresetAsync(PresetRequest r, CancellationToken c = default) => throw new NotSupportedException();
        public Task<ArtResult> StylizeAsync(StylizeRequest r, IProgress<RenderProgress>? p = null, CancellationToken c = default) => throw new NotSupportedException();
        public Task<ArtResult> DreamAsync(DreamRequest r, IProgress<RenderProgress>? p = null, CancellationToken c = default) => throw new NotSupportedException();
        public Task<ArtResult> GalleryAsync(GalleryRequest r, CancellationToken c = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<Prediction>> ClassifyAsync(byte[] i, int t = 5, CancellationToken c = default) => throw new NotSupportedException();
    }

    private sealed class NullMessenger : IMessenger, IMessengers
    {
        public IMessenger For(string platform) => this;
        public string Platform => "telegram";
        public Task<long> SendTextAsync(long chatId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null) => Task.FromResult(1L);
        public Task<long> SendImageAsync(long chatId, byte[] image, string caption, Keyboard? keyboard = null, bool asFile = false, CancellationToken cancellationToken = default, string? dedupeKey = null) => Task.FromResult(1L);
        public Task EditTextAsync(long chatId, long messageId, string text, CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task AnswerButtonAsync(string callbackId, string? text = null, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
