using System.Diagnostics;
using System.Text.Json.Serialization;
using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using ArtBot.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace ArtBot.Host;

public sealed record QueueBenchReport(
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("queued_jobs")] int QueuedJobs,
    [property: JsonPropertyName("enqueue_s")] double EnqueueSeconds,
    [property: JsonPropertyName("claim_next_ms_median")] double ClaimNextMsMedian,
    [property: JsonPropertyName("claim_next_ms_p99")] double ClaimNextMsP99,
    [property: JsonPropertyName("position_ms_median")] double PositionMsMedian,
    [property: JsonPropertyName("accept_update_ms_median")] double AcceptUpdateMsMedian,
    [property: JsonPropertyName("accept_update_ms_p99")] double AcceptUpdateMsP99,
    [property: JsonPropertyName("stand_in_render_ms")] int StandInRenderMs,
    [property: JsonPropertyName("throughput")] IReadOnlyList<WorkerThroughput> Throughput);

/// <param name="Workers">Workers claiming at once (each its own connection on PostgreSQL).</param>
/// <param name="Ideal">What the workers could do if the store cost nothing: workers × 3600 / render seconds.</param>
public sealed record WorkerThroughput(
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("jobs_per_hour")] double JobsPerHour,
    [property: JsonPropertyName("ideal_jobs_per_hour")] double Ideal);

/// <summary>
/// <c>artbot bench-queue</c>: the queue's cost with a deep queue, on either provider: picking the
/// next job, a user's position, accepting one update (a photo: stored, a preview job queued, the
/// menu answered) end to end through the conversation, and how many jobs an hour N workers get
/// through when each job's render is a stand-in of fixed cost (claim, wait, store the result,
/// deliver and settle).
/// </summary>
public static class QueueBenchmark
{
    public static async Task<QueueBenchReport> RunAsync(BenchStores stores, int queued, IReadOnlyList<int> workers, TimeSpan renderCost,
        TimeSpan perRun, CancellationToken ct = default)
    {
        var queue = stores.Queue;
        var policy = stores.Services.GetRequiredService<QueuePolicy>();
        var day = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var random = new Random(1);

        // Paid jobs belong to one user with credits enough for all of them: a booking checks the balance.
        const long Whale = 1_000_000;
        await stores.Ledger.PostAsync(new LedgerEntry
        {
            Key = "bench:grant", Platform = "telegram", UserId = Whale, Kind = LedgerKind.AdminGrant, Amount = 10L * queued, At = day,
        }, ct);
        var fill = Stopwatch.StartNew();
        for (var i = 0; i < queued; i++)
        {
            var paid = random.Next(10) == 0;
            var jobClass = random.Next(3) == 0 ? JobClass.Heavy : JobClass.Light;
            var job = new Job
            {
                Platform = "telegram", UserId = paid ? Whale : i % 2000, ChatId = i % 2000, Kind = jobClass == JobClass.Heavy ? JobKind.Stylize : JobKind.Preset,
                PresetId = "wave", ContentImage = "img/none", Size = 512, Paid = paid, Tier = paid ? Tier.Premium : Tier.Free, Class = jobClass,
                Rank = QueuePolicy.RankOf(paid, jobClass), CreatedAt = day,
            };
            job.Book(paid ? 10 : 0, announceFirst: false);
            await queue.EnqueueAsync(job, ct);
        }
        var enqueueSeconds = fill.Elapsed.TotalSeconds;

        var claims = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var clock = Stopwatch.StartNew();
            var attempt = Job.NewAttempt();
            var job = await queue.ClaimNextAsync(policy, day, j => j.Claim(day, TimeSpan.FromMinutes(5), attempt), ct);
            claims.Add(clock.Elapsed.TotalMilliseconds);
            // Put it back so the queue stays as deep.
            await queue.UpdateAsync(job!.Id, day, j => j.Return(attempt), ct);
        }

        var sample = (await queue.ActiveJobsAsync("telegram", 1999, ct)).Last();
        var positions = new List<double>();
        for (var i = 0; i < 100; i++)
        {
            var clock = Stopwatch.StartNew();
            await queue.PositionAsync(sample, ct);
            positions.Add(clock.Elapsed.TotalMilliseconds);
        }

        var messenger = NullMessenger.Instance;
        var bot = stores.Bot;
        // A phone photo's worth: what the intake decodes, scales and stores on each upload.
        var photo = Samples.Read("tubingen.jpg");
        var accepts = new List<double>();
        for (var i = 0; i < 100; i++)
        {
            var clock = Stopwatch.StartNew();
            await bot.HandleAsync(new PhotoMessage(new ChatUser("telegram", 100_000 + i, 100_000 + i, "en"), [photo]), messenger, ct);
            accepts.Add(clock.Elapsed.TotalMilliseconds);
        }

        var throughput = new List<WorkerThroughput>();
        foreach (var n in workers)
        {
            var done = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, n).Select(_ => Task.Run(async () =>
            {
                var attempt = Job.NewAttempt();
                while (clock.Elapsed < perRun && await queue.ClaimNextAsync(policy, day, j => j.Claim(day, TimeSpan.FromMinutes(5), attempt), ct) is { } job)
                {
                    await Task.Delay(renderCost, ct);   // the stand-in engine
                    await queue.UpdateAsync(job.Id, day, j => j.Finish(attempt, "img/bench", false, WorkDone.None, renderCost, day), ct);
                    await queue.UpdateAsync(job.Id, day, j => j.Deliver(attempt, day), ct);
                    Interlocked.Increment(ref done);
                    attempt = Job.NewAttempt();
                }
            }, ct)));
            throughput.Add(new WorkerThroughput(n, Math.Round(done / clock.Elapsed.TotalHours), Math.Round(n * 3600 / renderCost.TotalSeconds)));
        }

        return new QueueBenchReport(stores.Provider, queued, Math.Round(enqueueSeconds, 2),
            Median(claims), Percentile(claims, 0.99), Median(positions), Median(accepts), Percentile(accepts, 0.99),
            (int)renderCost.TotalMilliseconds, throughput);
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return Math.Round(sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))], 3);
    }

    /// <summary>Every send succeeds at once: the bench measures the store and the conversation.</summary>
    public sealed class NullMessenger : IMessenger, IMessengers
    {
        public static readonly NullMessenger Instance = new();

        public IMessenger For(string platform) => this;
        public string Platform => "telegram";
        public Task<long> SendTextAsync(long chatId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null) => Task.FromResult(1L);
        public Task<SentMessage> SendImageAsync(long chatId, byte[] image, string caption, Keyboard? keyboard = null, bool asFile = false, CancellationToken cancellationToken = default, string? dedupeKey = null) => Task.FromResult(new SentMessage(1));
        public Task<SentMessage> SendAnimationAsync(long chatId, byte[] video, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null) => Task.FromResult(new SentMessage(1));
        public Task<long> SendFileAsync(long chatId, byte[] file, string fileName, string caption, CancellationToken cancellationToken = default) => Task.FromResult(1L);
        public Task EditImageAsync(long chatId, long messageId, byte[]? image, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default) =>
            Task.CompletedTask;

        public Task EditTextAsync(long chatId, long messageId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task AnswerButtonAsync(string callbackId, string? text = null, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
