using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Queue;

namespace ArtBot.Bot.Tests;

/// <summary>Money and job state move together: cancels racing workers, bans at claim time, limits.</summary>
public sealed class SettlementTests : IDisposable
{
    private readonly Harness h = new(new BotOptions
    {
        ProgressInterval = TimeSpan.Zero, Premium = new TierLimits(48, 400), DreamSteps = 200, Admins = ["telegram:99"],
        Limits = new RequestLimits { MaxActiveJobsPerUser = 100, UploadsPerMinute = 1000 },
    }, new QueuePolicyOptions { LightMaxSide = 4096, LightMaxIterations = 100_000, LightMaxDreamSteps = 100_000 });

    public SettlementTests() => ArtBot.Engine.Native.TorchNative.EnsureLoaded();

    public void Dispose() => h.Dispose();

    private async Task Grant(long user, long credits) =>
        await h.Ledger.PostAsync(new LedgerEntry { Key = $"grant:{Guid.NewGuid():N}", Platform = "telegram", UserId = user, Kind = LedgerKind.AdminGrant, Amount = credits });

    /// <summary>Every delivered paid job has exactly one charge, every other ended one none, nothing is held, and the balance is the sum.</summary>
    private async Task AssertLedgerInvariantsAsync(long user)
    {
        var entries = await h.Ledger.EntriesAsync("telegram", user);
        Assert.Equal(entries.Sum(e => e.Amount), await h.Ledger.BalanceAsync("telegram", user));
        Assert.Equal(0, await h.Ledger.HeldAsync("telegram", user));
        foreach (var reserve in entries.Where(e => e.Kind == LedgerKind.Reserve))
        {
            var job = (await h.Queue.GetAsync(reserve.JobId!.Value))!;
            var charges = entries.Count(e => e.Kind == LedgerKind.Charge && e.JobId == job.Id);
            Assert.Equal(1, entries.Count(e => e.Kind == LedgerKind.Release && e.JobId == job.Id));
            if (job.DeliveredAt == null) Assert.Equal(0, charges);
            else if (job.State == JobState.Done) Assert.Equal(1, charges);
            else Assert.Equal(job.ProgressStep > 0 ? 1 : 0, charges);
        }
    }

    [Fact]
    public async Task Cancel_racing_a_claim_never_gives_a_free_picture_or_charges_twice()
    {
        await Grant(1, 10_000);
        for (var round = 0; round < 12; round++)
        {
            await h.Say(new PhotoMessage(Harness.User(), [Harness.Photo("dog.jpg")], "dream"));
            await h.Press("Premium");
            h.Messenger.Clear();
            // Both orders, and the moments between: the cancel races the claim, lands once the job runs, or after it ended.
            var booked = (await h.Ledger.EntriesAsync("telegram", 1)).Last(e => e.Kind == LedgerKind.Reserve).JobId!.Value;
            var worker = Task.Run(() => h.Worker.RunNextAsync(CancellationToken.None));
            if (round % 3 == 1)
                while (!worker.IsCompleted && (await h.Queue.GetAsync(booked))!.State == JobState.Queued) await Task.WhenAny(worker, Task.Delay(5));
            if (round % 3 == 2) await worker;
            var cancel = Task.Run(() => h.Say(new CommandMessage(Harness.User(), "cancel")));
            await Task.WhenAll(worker, cancel);
            while (await h.Worker.RunNextAsync(CancellationToken.None)) { }

            var job = (await h.Queue.GetAsync((await h.Ledger.EntriesAsync("telegram", 1)).Last(e => e.Kind == LedgerKind.Reserve).JobId!.Value))!;
            // Results only: a job that ran long enough also showed a live preview.
            var pictures = h.Messenger.All<SentImage>().Count(i => !i.Caption.StartsWith("As it forms", StringComparison.Ordinal));
            var charged = (await h.Ledger.EntriesAsync("telegram", 1)).Where(e => e.Kind == LedgerKind.Charge && e.JobId == job.Id).Sum(e => -e.Amount);
            Assert.True(job.IsFinished, $"round {round}: job {job.State}");
            if (pictures > 0) Assert.True(charged > 0, $"round {round}: a picture was delivered for free");
            else Assert.Equal(0, charged);
            Assert.True(pictures <= 1, $"round {round}: {pictures} pictures: {string.Join(" | ", h.Messenger.All<SentImage>().Select(i => i.Caption))}");
        }
        await AssertLedgerInvariantsAsync(1);
    }

    [Fact]
    public async Task A_stopped_paid_dream_delivers_its_best_image_and_charges_the_work_done_without_the_hd_file()
    {
        await Grant(1, 100);
        await h.Say(new PhotoMessage(Harness.User(), [Harness.Photo("dog.jpg")], "dream"));
        await h.Press("HD");
        var run = h.Worker.RunNextAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (h.Messenger.All<EditedText>().Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline && !run.IsCompleted, "no progress before the end");
            await Task.WhenAny(run, Task.Delay(20));
        }
        await h.Say(new CommandMessage(Harness.User(), "cancel"));
        Assert.True(await run);

        var job = (await h.Queue.GetAsync(1))!;
        Assert.Equal(JobState.Cancelled, job.State);
        var picture = Assert.Single(h.Messenger.All<SentImage>());
        Assert.False(picture.AsFile);                       // no full-quality file for stopped work
        var charge = -(await h.Ledger.EntriesAsync("telegram", 1)).Single(e => e.Kind == LedgerKind.Charge).Amount;
        // Charged by the share of the work (pixels × steps over the octaves), not of the steps: a fine octave's step costs more.
        Assert.Equal((long)Math.Ceiling(job.Price * job.ProgressWork - 1e-9), charge);
        Assert.True(job.ProgressWork < (double)job.ProgressStep / job.ProgressTotal, $"work {job.ProgressWork:0.000} after {job.ProgressStep} of {job.ProgressTotal} steps");
        Assert.InRange(charge, 1, job.Price - 1);
        Assert.Contains(h.Messenger.All<SentText>(), t => t.Text == $"You stopped the picture: charged for the work done: {charge} {(charge == 1 ? "credit" : "credits")}, returned: {job.Price - charge}.");
        await AssertLedgerInvariantsAsync(1);
    }

    [Fact]
    public async Task A_user_banned_while_queued_gets_nothing_rendered_and_the_credits_back()
    {
        await Grant(1, 100);
        await h.Say(new PhotoMessage(Harness.User(), [Harness.Photo("dog.jpg")], "dream"));
        await h.Press("Premium");
        Assert.Equal(90, await h.Ledger.BalanceAsync("telegram", 1));
        await h.Say(new CommandMessage(Harness.User(99), "admin", "ban telegram:1"));
        h.Messenger.Clear();
        Assert.True(await h.Worker.RunNextAsync(CancellationToken.None));
        Assert.Empty(h.Messenger.All<SentImage>());
        Assert.Equal(JobState.Cancelled, (await h.Queue.GetAsync(1))!.State);
        Assert.Equal(100, await h.Ledger.BalanceAsync("telegram", 1));
        await AssertLedgerInvariantsAsync(1);
    }

    [Fact]
    public async Task A_message_in_flight_cannot_overwrite_a_ban()
    {
        await h.Say(new CommandMessage(Harness.User(), "start"));
        var inFlight = (await h.Users.FindAsync("telegram", 1))!;   // loaded by a handler before the ban…
        await h.Users.SetBannedAsync("telegram", 1, true);
        inFlight.Mode = ConversationMode.HasContent;
        await h.Users.SaveAsync(inFlight);                          // …and saved after it
        Assert.True(await h.Users.IsBannedAsync("telegram", 1));
        await h.Say(new CommandMessage(Harness.User(), "help"));
        Assert.Equal("You can no longer use this bot.", h.Messenger.All<SentText>()[^1].Text);
    }

    [Fact]
    public async Task Limits_hold_per_user_and_for_everyone()
    {
        using var limited = new Harness(new BotOptions { Limits = new RequestLimits { MaxActiveJobsPerUser = 2, UploadsPerMinute = 3, MaxQueueDepth = 4 } });
        for (var i = 0; i < 4; i++) await limited.Say(new PhotoMessage(Harness.User(1), [Harness.TinyPhoto], "dream"));
        Assert.Equal("That's a lot of photos at once: wait a minute, please.", limited.Messenger.All<SentText>()[^1].Text);
        Assert.Equal(2, (await limited.Queue.ActiveJobsAsync("telegram", 1)).Count);
        Assert.Contains(limited.Messenger.All<SentText>(), t => t.Text == "You already have 2 pictures in the queue. Wait for one to finish, or /cancel.");
        limited.Clock.Now += TimeSpan.FromMinutes(1);
        await limited.Say(new PhotoMessage(Harness.User(2), [Harness.TinyPhoto], "dream"));
        await limited.Say(new PhotoMessage(Harness.User(3), [Harness.TinyPhoto], "dream"));
        await limited.Say(new PhotoMessage(Harness.User(4), [Harness.TinyPhoto], "dream"));
        Assert.Equal("The bot is very busy right now. Please try again in a few minutes.", limited.Messenger.All<SentText>()[^1].Text);
        Assert.Equal(4, await limited.Queue.QueuedCountAsync());
    }
}
