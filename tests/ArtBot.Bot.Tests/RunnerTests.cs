using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;
using ArtBot.Engine.Imaging;

namespace ArtBot.Bot.Tests;

/// <summary>The worker on the real engine and weights, with small images.</summary>
public sealed class RunnerTests : IDisposable
{
    private readonly Harness h = new(new BotOptions { ProgressInterval = TimeSpan.Zero, GalleryTile = 64, Free = new TierLimits(96, 8) });

    public RunnerTests() => ArtBot.Engine.Native.TorchNative.EnsureLoaded();

    public void Dispose() => h.Dispose();

    [Fact]
    public async Task Photo_then_preset_delivers_the_gallery_then_the_result_with_follow_ups()
    {
        await h.Say(new PhotoMessage(Harness.User(), [Harness.Photo("tubingen.jpg")]));
        await h.Press("The Great Wave");
        h.Messenger.Clear();

        Assert.Equal(2, await h.RunAllAsync());

        var images = h.Messenger.All<SentImage>();
        Assert.Equal(2, images.Count);
        Assert.Equal("Your photo in every style: pick one below.", images[0].Caption);
        Assert.StartsWith("Style “The Great Wave”", images[1].Caption);
        using var result = ImageCodec.Decode(images[1].Image, long.MaxValue);
        Assert.Equal(96, Math.Max(result.Width, result.Height));
        Assert.Equal(["Stronger", "Another style", "Dream this"], images[1].Keyboard!.Rows[0].Select(b => b.Text));
        Assert.All(await h.Queue.ActiveJobsAsync("telegram", 1), _ => Assert.Fail("nothing should be left"));
    }

    [Fact]
    public async Task Held_heavy_job_runs_at_night_with_one_progress_message_edited()
    {
        using var h = new Harness(new BotOptions { ProgressInterval = TimeSpan.Zero, Free = new TierLimits(96, 8) },
            new QueuePolicyOptions { LightMaxIterations = 4, IdleCapacityServesHeavyByDay = false });
        await h.Say(new PhotoMessage(Harness.User(), [Harness.Photo("dog.jpg"), Harness.Painting("the_scream.jpg")]));
        Assert.False(await h.Worker.RunNextAsync(CancellationToken.None));   // free heavy: held by day

        h.Clock.Now = Harness.InTheNight;
        h.Messenger.Clear();
        Assert.True(await h.Worker.RunNextAsync(CancellationToken.None));

        var started = h.Messenger.All<SentText>().Single();
        Assert.Equal("Started working on your picture.", started.Text);
        var edits = h.Messenger.All<EditedText>();
        Assert.NotEmpty(edits);
        Assert.All(edits, e => Assert.Equal(started.MessageId, e.MessageId));
        var result = h.Messenger.Pictures().Single();
        Assert.StartsWith("Painted in the style of your picture, 8 iterations", result.Caption);
        // Beside it, one live preview message, its picture replaced as the job went on, its Cancel button gone at the end.
        var preview = h.Messenger.All<SentImage>().Single(i => i.Caption.StartsWith("As it forms:"));
        Assert.NotNull(preview.Keyboard);
        Assert.Null(h.Messenger.All<EditedImage>().Last(e => e.MessageId == preview.MessageId).Keyboard);
        // "Done" is the last word about the picture forming: no preview is sent or edited after it.
        var said = h.Messenger.Log.ToList();
        var done = said.FindIndex(s => s is EditedText { Text: "Done: the picture is below." });
        Assert.True(done > 0, "the progress message says it is done");
        Assert.DoesNotContain(said.Skip(done), s => s is EditedImage || s is SentImage i && i.Caption.StartsWith("As it form", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broken_upload_is_refused_with_a_message_and_nothing_is_stored_or_queued()
    {
        await h.Say(new PhotoMessage(Harness.User(), [[0x42, 0x4d, 1, 2, 3]], "dream"));
        Assert.Equal("Sorry, that did not work: it is not a picture (JPEG, PNG or WebP, please)", h.Messenger.All<SentText>().Last().Text);
        Assert.False(await h.Worker.RunNextAsync(CancellationToken.None));
        Assert.Equal(0, await h.Images.StoredBytesAsync("telegram:1", DateTimeOffset.MinValue));
    }

    [Fact]
    public async Task Restart_requeues_the_interrupted_job_and_delivers_its_result_once()
    {
        await h.Say(new PhotoMessage(Harness.User(), [Harness.Photo("person.jpg")], "dream"));
        var claimed = await h.Queue.ClaimNextAsync(h.Policy, h.Clock.Now, j => j.Claim(h.Clock.Now, h.Options.Lease, Job.NewAttempt()));   // a worker took it, then the process died
        Assert.NotNull(claimed);
        h.Messenger.Clear();

        await h.Sweeper.RecoverAsync(CancellationToken.None);
        Assert.Equal(1, await h.RunAllAsync());
        await h.Sweeper.RecoverAsync(CancellationToken.None);   // a second start-up finds nothing to redo

        Assert.Single(h.Messenger.Pictures());
        var job = await h.Queue.GetAsync(claimed!.Id);
        Assert.Equal((JobState.Done, 2), (job!.State, job.Attempts));
        Assert.NotNull(job.DeliveredAt);
    }

    [Fact]
    public async Task Cancel_stops_a_running_job_and_sends_the_best_image_so_far()
    {
        using var h = new Harness(new BotOptions { ProgressInterval = TimeSpan.Zero, Free = new TierLimits(64, 5000), StylizeIterations = 5000 },
            new QueuePolicyOptions { LightMaxIterations = 10_000 });
        await h.Say(new PhotoMessage(Harness.User(), [Harness.Photo("dog.jpg"), Harness.Painting("starry_night.jpg")]));
        var run = h.Worker.RunNextAsync(CancellationToken.None);

        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (h.Messenger.All<EditedText>().Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no progress was reported");
            await Task.WhenAny(run, Task.Delay(50));
            Assert.False(run.IsCompleted, "5000 iterations should not have finished");
        }
        await h.Say(new CommandMessage(Harness.User(), "status"));
        Assert.Matches(@"^Working on it: \d+% \(painting in your style\)\.$", h.Messenger.All<SentText>()[^1].Text);
        Assert.True((await h.Queue.GetAsync(1))!.ProgressStep > 0, "progress should be stored for /status");
        await h.Say(new CommandMessage(Harness.User(), "cancel"));
        Assert.Equal("Stopping… you'll get what was painted so far.", h.Messenger.All<SentText>()[^1].Text);
        Assert.True(await run);

        var result = h.Messenger.All<SentImage>().Single();
        using var image = ImageCodec.Decode(result.Image, long.MaxValue);
        Assert.Equal(64, Math.Max(image.Width, image.Height));
        var job = (await h.Queue.GetAsync(1))!;
        Assert.Equal(JobState.Cancelled, job.State);
        // The caption says what was painted: the steps of this attempt, not the 5000 asked for.
        Assert.InRange(job.ProgressStep, 1, 4999);
        Assert.StartsWith($"Painted in the style of your picture, {job.ProgressStep} iterations, ", result.Caption);
    }

    [Fact]
    public async Task A_failed_delivery_is_not_rendered_again_and_is_retried_at_the_next_start()
    {
        await h.Say(new PhotoMessage(Harness.User(), [Harness.Photo("dog.jpg")], "dream"));
        h.Messenger.RefuseImages = true;
        Assert.True(await h.Worker.RunNextAsync(CancellationToken.None));
        Assert.False(await h.Worker.RunNextAsync(CancellationToken.None));   // not re-queued
        var job = await h.Queue.GetAsync(1);
        Assert.Equal((JobState.Done, 1), (job!.State, job.Attempts));
        Assert.Null(job.DeliveredAt);

        await h.Sweeper.SweepAsync(CancellationToken.None);                  // too soon: the chat gets a pause
        Assert.Equal(1, (await h.Queue.GetAsync(1))!.DeliveryAttempts);
        h.Clock.Now += TimeSpan.FromMinutes(2);
        await h.Sweeper.RecoverAsync(CancellationToken.None);                // still blocked: start-up goes on
        Assert.Equal(2, (await h.Queue.GetAsync(1))!.DeliveryAttempts);
        h.Messenger.RefuseImages = false;
        h.Clock.Now += TimeSpan.FromMinutes(3);
        await h.Sweeper.SweepAsync(CancellationToken.None);                  // the periodic sweep, not only a start-up
        Assert.Single(h.Messenger.All<SentImage>());
        Assert.NotNull((await h.Queue.GetAsync(1))!.DeliveredAt);
    }
}
