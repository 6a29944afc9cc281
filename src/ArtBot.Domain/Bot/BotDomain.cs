using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Bot.Worker;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot;

/// <summary>The stores the domain works on.</summary>
public sealed record BotPorts(IJobQueue Queue, IImageStore Images, IUserStore Users, ILedger Ledger, IOfferStore Offers, ICursorStore Marks, IClusterLock? Locks = null);

/// <summary>
/// The domain's objects wired together over its ports, in one place: the host's container, the
/// tests and the benchmarks all get the same conversation, worker and money rules.
/// </summary>
public sealed class BotDomain
{
    public BotDomain(BotPorts ports, BotOptions options, BillingOptions billing, QueuePolicy policy, PresetCatalog presets,
        IArtEngine engine, IUploadIntake intake, IMessengers messengers, IJobSignal signal, TimeProvider time, ILoggerFactory logs,
        IEnumerable<IJobObserver>? observers = null, TimeSpan? offerLifetime = null, ArtCapabilities? capabilities = null)
    {
        var watchers = new JobObservers(observers ?? []);
        Capabilities = capabilities ?? ArtCapabilities.Everything(presets);
        Offers = new OfferBook(ports.Offers, time) { Lifetime = offerLifetime ?? TimeSpan.FromDays(7) };
        Menus = new Menus(Offers, presets, Capabilities, options, billing);
        Gate = new RequestGate(ports.Queue, policy, options, time);
        Booking = new Booking(ports.Queue, ports.Ledger, policy, options, billing, Gate, Menus, Offers, signal, Capabilities, watchers, time, logs.CreateLogger<Booking>());
        Notices = new JobNotices(messengers, presets, logs.CreateLogger<JobNotices>());
        Delivery = new ResultDelivery(ports.Queue, messengers, Menus, Notices, options, watchers, time, logs.CreateLogger<ResultDelivery>());
        Sweeper = new QueueSweeper(ports.Queue, ports.Images, Delivery, Notices, options, time, logs.CreateLogger<QueueSweeper>()) { Locks = ports.Locks };
        Worker = new JobWorker(ports.Queue, ports.Users, new JobRenderer(ports.Images, engine, options),
            new ProgressMessages(ports.Queue, messengers, Menus, options, time, logs.CreateLogger<ProgressMessages>()),
            Delivery, Notices, Running, policy, options, watchers, time, logs.CreateLogger<JobWorker>());
        Jobs = new JobControl(ports.Queue, Running, signal, policy, presets, time);
        Payments = new Payments(ports.Ledger, ports.Marks, billing, Menus, Gate, time, logs.CreateLogger<Payments>());
        Admin = new AdminService(ports.Queue, ports.Users, ports.Ledger, messengers, time, logs.CreateLogger<AdminService>());
        Bot = new BotService(ports.Images, ports.Users, Offers, Menus, Booking, Jobs, Gate, ports.Queue, options, Payments, Admin, Capabilities, intake, time, logs.CreateLogger<BotService>());
    }

    public ArtCapabilities Capabilities { get; }
    public OfferBook Offers { get; }
    public Menus Menus { get; }
    public RequestGate Gate { get; }
    public Booking Booking { get; }
    public JobNotices Notices { get; }
    public ResultDelivery Delivery { get; }
    public QueueSweeper Sweeper { get; }
    public JobWorker Worker { get; }

    /// <summary>The user's stop of each job this process renders.</summary>
    public RunningJobs Running { get; } = new();
    public JobControl Jobs { get; }
    public Payments Payments { get; }
    public AdminService Admin { get; }
    public BotService Bot { get; }
}
