using Microsoft.Extensions.DependencyInjection;
using ArtBot.Domain;
using System.Collections.Concurrent;
using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Bot.Worker;
using ArtBot.Domain.Queue;
using ArtBot.Engine;
using ArtBot.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArtBot.Bot.Tests;

/// <summary>A clock the test moves.</summary>
public sealed class FakeClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

public abstract record Sent(long ChatId);
public sealed record SentText(long ChatId, long MessageId, string Text, Keyboard? Keyboard) : Sent(ChatId);
public sealed record SentImage(long ChatId, long MessageId, byte[] Image, string Caption, Keyboard? Keyboard, bool AsFile) : Sent(ChatId);
public sealed record EditedText(long ChatId, long MessageId, string Text, Keyboard? Keyboard = null) : Sent(ChatId);
public sealed record EditedImage(long ChatId, long MessageId, byte[]? Image, string Caption, Keyboard? Keyboard) : Sent(ChatId);
public sealed record AnsweredButton(string CallbackId, string? Text) : Sent(0);
public sealed record SentInvoice(long ChatId, string Payload, int Stars) : Sent(ChatId);
public sealed record AnsweredPreCheckout(string QueryId, string? Error) : Sent(0);
public sealed record Refunded(long UserId, string ChargeId) : Sent(0);

/// <summary>Records what the bot said, in order.</summary>
public sealed class RecordingMessenger(string platform = "telegram") : IPaymentMessenger, IMessengers
{
    private long nextId = 100;

    /// <summary>When set, sending an image fails like a chat that blocked the bot.</summary>
    public bool RefuseImages { get; set; }

    public ConcurrentQueue<Sent> Log { get; } = new();

    public string Platform { get; } = platform;

    public IMessenger For(string platform) => this;

    /// <summary>Runs before a text is sent (and may hold it back): a slow platform, for tests of what comes first.</summary>
    public Func<string, Task>? BeforeText { get; set; }

    public async Task<long> SendTextAsync(long chatId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        if (BeforeText is { } before) await before(text);
        var id = Interlocked.Increment(ref nextId);
        Log.Enqueue(new SentText(chatId, id, text, keyboard));
        return id;
    }

    public Task<SentMessage> SendImageAsync(long chatId, byte[] image, string caption, Keyboard? keyboard = null, bool asFile = false, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        if (RefuseImages) throw new InvalidOperationException("Forbidden: bot was blocked by the user");
        var id = Interlocked.Increment(ref nextId);
        Log.Enqueue(new SentImage(chatId, id, image, caption, keyboard, asFile));
        return Task.FromResult(new SentMessage(id));
    }

    public Task<SentMessage> SendAnimationAsync(long chatId, byte[] video, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default, string? dedupeKey = null)
    {
        var id = Interlocked.Increment(ref nextId);
        Log.Enqueue(new SentImage(chatId, id, video, caption, keyboard, false));
        return Task.FromResult(new SentMessage(id));
    }

    public Task<long> SendFileAsync(long chatId, byte[] file, string fileName, string caption, CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref nextId);
        Log.Enqueue(new SentImage(chatId, id, file, caption, null, true));
        return Task.FromResult(id);
    }

    public Task EditImageAsync(long chatId, long messageId, byte[]? image, string caption, Keyboard? keyboard = null, CancellationToken cancellationToken = default)
    {
        Log.Enqueue(new EditedImage(chatId, messageId, image, caption, keyboard));
        return Task.CompletedTask;
    }

    public Task EditTextAsync(long chatId, long messageId, string text, Keyboard? keyboard = null, CancellationToken cancellationToken = default)
    {
        Log.Enqueue(new EditedText(chatId, messageId, text, keyboard));
        return Task.CompletedTask;
    }

    public Task AnswerButtonAsync(string callbackId, string? text = null, CancellationToken cancellationToken = default)
    {
        Log.Enqueue(new AnsweredButton(callbackId, text));
        return Task.CompletedTask;
    }

    public Task SendInvoiceAsync(long chatId, string title, string description, string payload, int stars, CancellationToken cancellationToken = default)
    {
        Log.Enqueue(new SentInvoice(chatId, payload, stars));
        return Task.CompletedTask;
    }

    public Task AnswerPreCheckoutAsync(string queryId, string? error, CancellationToken cancellationToken = default)
    {
        Log.Enqueue(new AnsweredPreCheckout(queryId, error));
        return Task.CompletedTask;
    }

    public Task RefundAsync(long userId, string chargeId, CancellationToken cancellationToken = default)
    {
        Log.Enqueue(new Refunded(userId, chargeId));
        return Task.CompletedTask;
    }

    public IReadOnlyList<T> All<T>() where T : Sent => Log.OfType<T>().ToList();

    /// <summary>Pictures sent as results (and preview sheets), not live previews of a picture forming.</summary>
    public IReadOnlyList<SentImage> Pictures() => All<SentImage>().Where(i => !i.Caption.StartsWith("As it form", StringComparison.Ordinal)).ToList();

    public void Clear() => Log.Clear();
}

/// <summary>The bot wired to a real LiteDB file and, when asked, the real engine on the real weights.</summary>
public sealed class Harness : IDisposable, IJobSignal
{
    public static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
    public static readonly DateTimeOffset Day = new(2026, 11, 22, 11, 0, 0, TimeSpan.Zero);        // 14:00 Moscow
    public static readonly DateTimeOffset InTheNight = new(2026, 11, 22, 23, 30, 0, TimeSpan.Zero); // 02:30 Moscow

    private readonly string folder = Directory.CreateTempSubdirectory("artbot-bot-").FullName;
    private ArtEngine? engine;

    /// <param name="models">The models folder the engine reads (and the capabilities are probed in); the shared one when null.</param>
    /// <param name="capabilities">What the host can render; probed in <paramref name="models"/> when null.</param>
    public Harness(BotOptions? options = null, QueuePolicyOptions? queue = null, BillingOptions? billing = null, string? models = null, ArtCapabilities? capabilities = null)
    {
        Models = models ?? Path.Combine(Shared, "models");
        Options = options ?? new BotOptions { ProgressInterval = TimeSpan.Zero, Admins = ["telegram:99"] };
        Billing = billing ?? new BillingOptions();
        Database = new ArtBotDatabase(Path.Combine(folder, "artbot.db"));
        Queue = new LiteJobQueue(Database);
        Images = new LiteImageStore(Database);
        Users = new LiteUserStore(Database);
        Ledger = new LiteLedger(Database);
        Policy = new QueuePolicy(queue ?? new QueuePolicyOptions { IdleCapacityServesHeavyByDay = false },
            new NightWindow(new TimeOnly(1, 0), new TimeOnly(7, 0), Moscow));
        Presets = ArtBot.Engine.StyleFolder.Load(Path.Combine(RepoRoot, "styles"));
        Offers = new LiteOfferStore(Database);
        Capabilities = capabilities ?? CapabilityProbe.Probe(EngineOptions(), Presets, checkModels: true, NullLogger.Instance);
        Cursors = new LiteCursorStore(Database);
        Intake = new UploadIntake(Microsoft.Extensions.Options.Options.Create(EngineOptions()));
        Domain = Compose(new BotPorts(Queue, Images, Users, Ledger, Offers, Cursors), new LazyEngine(() => Engine));
        Worker = Domain.Worker;
        Sweeper = Domain.Sweeper;
        Bot = Domain.Bot;
    }

    public LiteOfferStore Offers { get; }

    /// <summary>The gallery as configured: no address, so no sharing, unless a test sets one before the domain is composed.</summary>
    public ArtBot.Domain.Gallery.GalleryOptions Gallery { get; } = new();

    /// <summary>The domain over this harness's stores, composed as the host composes it.</summary>
    public TestDomain Domain { get; }

    /// <summary>Another domain (another worker, another provider's stores) with this harness's options, clock, messenger and signal.</summary>
    public TestDomain Compose(BotPorts ports, IArtEngine engine)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IJobQueue>(ports.Queue).AddSingleton(ports.Images).AddSingleton(ports.Users).AddSingleton(ports.Ledger)
            .AddSingleton(ports.Offers).AddSingleton(ports.Marks).AddSingleton(ports.Locks ?? new SingleProcessLock())
            .AddSingleton(Options).AddSingleton(Billing).AddSingleton(Policy).AddSingleton(Presets).AddSingleton(Capabilities)
            .AddSingleton(engine).AddSingleton<IUploadIntake>(Intake).AddSingleton<IMessengers>(Messenger).AddSingleton<IJobSignal>(this)
            .AddSingleton<TimeProvider>(Clock)
            .AddSingleton(ports.Gallery ?? new LiteGalleryStore(Database)).AddSingleton(Gallery)
            .AddBotDomain(_ => TimeSpan.FromDays(7))
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var domain = new TestDomain(services);
        composed.Add(domain);
        return domain;
    }

    private readonly List<TestDomain> composed = [];

    /// <summary>Presses the button labelled (in part) <paramref name="label"/> on the newest message to this user that has one, as the user would.</summary>
    public Task Press(string label, ChatUser? user = null, string callbackId = "cb")
    {
        user ??= User();
        var button = ButtonOn(label, user.ChatId) ?? throw new InvalidOperationException($"no button '{label}' was sent to chat {user.ChatId}");
        return Say(new ButtonPressed(user, callbackId, button.Data));
    }

    public Button? ButtonOn(string label, long chatId) =>
        Messenger.Log.Reverse().Select(s => s switch
            {
                SentText t when t.ChatId == chatId => t.Keyboard,
                SentImage i when i.ChatId == chatId => i.Keyboard,
                _ => null,
            })
            .Where(k => k != null)
            .SelectMany(k => k!.Rows.SelectMany(r => r))
            .FirstOrDefault(b => b.Text.Contains(label, StringComparison.Ordinal));

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared => Environment.GetEnvironmentVariable("ARTBOT_SHARED") is { Length: > 0 } s ? s : Path.Combine(RepoRoot, "..", "shared");

    public static byte[] Photo(string name) => File.ReadAllBytes(Path.Combine(Shared, "images", "content", name));

    public static byte[] Painting(string name) => File.ReadAllBytes(Path.Combine(Shared, "images", "style", name));

    public FakeClock Clock { get; } = new(Day);
    public BotOptions Options { get; }
    public ArtBotDatabase Database { get; }
    public LiteJobQueue Queue { get; }
    public LiteImageStore Images { get; }
    public LiteUserStore Users { get; }
    public LiteLedger Ledger { get; }
    public BillingOptions Billing { get; }
    public QueuePolicy Policy { get; }
    public PresetCatalog Presets { get; }
    public RecordingMessenger Messenger { get; } = new();
    public JobWorker Worker { get; }
    public QueueSweeper Sweeper { get; }
    public BotService Bot { get; }
    public int Signals { get; private set; }

    public string Models { get; }

    public LiteCursorStore Cursors { get; }

    public UploadIntake Intake { get; }

    /// <summary>A real photo, small: what the conversation tests send where any picture will do.</summary>
    public static byte[] TinyPhoto { get; } = MakePhoto(24, 16, 0x3366CC);

    /// <summary>The colour of a stored picture's middle (a photo of <see cref="MakePhoto"/> keeps its colour through the intake's re-encoding).</summary>
    public static int ColourOf(byte[] picture)
    {
        using var bitmap = ArtBot.Engine.Imaging.ImageCodec.Decode(picture, long.MaxValue);
        var c = bitmap.GetPixel(bitmap.Width / 2, bitmap.Height / 2);
        // JPEG moves a flat colour by a step or two: rounded to the 16 levels tests use.
        static int Level(byte v) => (int)Math.Round(v / 17.0) * 17;
        return (Level(c.Red) << 16) | (Level(c.Green) << 8) | Level(c.Blue);
    }

    /// <summary>A small JPEG of one colour (tests that tell two uploads apart give them different colours).</summary>
    public static byte[] MakePhoto(int width, int height, int rgb)
    {
        using var bitmap = new SkiaSharp.SKBitmap(width, height);
        bitmap.Erase(new SkiaSharp.SKColor((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb));
        return ArtBot.Engine.Imaging.ImageCodec.Encode(bitmap, ImageFormat.Jpeg);
    }

    public ArtCapabilities Capabilities { get; }

    public ArtEngine Engine => engine ??= new ArtEngine(Microsoft.Extensions.Options.Options.Create(EngineOptions()), NullLogger<ArtEngine>.Instance);

    private EngineOptions EngineOptions() => new()
    {
        ModelPaths = [Models],
        VggModels = ArtBot.Engine.EngineOptions.DefaultVggModels,
        BasePath = RepoRoot,
        Device = "cpu",
    };

    public void JobQueued() => Signals++;

    /// <summary>Stops asked for: the domain stops a job of this process itself, a store shared with other processes carries it to them.</summary>
    public List<long> CancelSignals { get; } = [];

    public void CancelRequested(long jobId) => CancelSignals.Add(jobId);

    public static ChatUser User(long id = 1, string? language = "en") => new("telegram", id, id * 10, language);

    public Task Say(Incoming incoming) => Bot.HandleAsync(incoming, Messenger);

    public async Task<int> RunAllAsync()
    {
        var count = 0;
        while (await Worker.RunNextAsync(CancellationToken.None)) count++;
        return count;
    }

    public void Dispose()
    {
        foreach (var domain in composed) domain.Dispose();
        engine?.Dispose();
        Database.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ArtBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("ArtBot.sln not found");
    }

    /// <summary>Loads the engine only for the tests that render.</summary>
    private sealed class LazyEngine(Func<IArtEngine> create) : IArtEngine
    {
        private IArtEngine E => create();
        public PresetCatalog Presets => E.Presets;
        public Task<ArtResult> PresetAsync(PresetRequest r, CancellationToken c = default) => E.PresetAsync(r, c);
        public Task<ArtResult> StylizeAsync(StylizeRequest r, IProgress<RenderProgress>? p = null, CancellationToken c = default) => E.StylizeAsync(r, p, c);
        public Task<ArtResult> DreamAsync(DreamRequest r, IProgress<RenderProgress>? p = null, CancellationToken c = default) => E.DreamAsync(r, p, c);
        public Task<ArtResult> GalleryAsync(GalleryRequest r, CancellationToken c = default) => E.GalleryAsync(r, c);
        public Task<AnimationResult> AnimateAsync(AnimationRequest r, CancellationToken c = default) => E.AnimateAsync(r, c);
        public Task<IReadOnlyList<Prediction>> ClassifyAsync(byte[] i, int t = 5, CancellationToken c = default) => E.ClassifyAsync(i, t, c);
    }
}

/// <summary>The stores a domain works on.</summary>
public sealed record BotPorts(IJobQueue Queue, IImageStore Images, IUserStore Users, ILedger Ledger, IOfferStore Offers, ICursorStore Marks, IClusterLock? Locks = null,
    ArtBot.Domain.Gallery.IGalleryStore? Gallery = null);

/// <summary>The domain's services out of one container.</summary>
public sealed class TestDomain(ServiceProvider services) : IDisposable
{
    public IServiceProvider Services => services;
    public BotService Bot => services.GetRequiredService<BotService>();
    public JobWorker Worker => services.GetRequiredService<JobWorker>();
    public QueueSweeper Sweeper => services.GetRequiredService<QueueSweeper>();
    public JobControl Jobs => services.GetRequiredService<JobControl>();
    public AdminService Admin => services.GetRequiredService<AdminService>();
    public Payments Payments => services.GetRequiredService<Payments>();
    public RunningJobs Running => services.GetRequiredService<RunningJobs>();

    public void Dispose() => services.Dispose();
}
