using ArtBot.Domain.Art;
using ArtBot.Domain.Billing;
using ArtBot.Domain.Queue;
using Microsoft.Extensions.Logging;

namespace ArtBot.Domain.Bot;

/// <summary>The stores the domain works on.</summary>
public sealed record BotPorts(IJobQueue Queue, IImageStore Images, IUserStore Users, ILedger Ledger, IOfferStore Offers, IClusterLock? Locks = null);

/// <summary>
/// The domain's objects wired together over its ports, in one place: the host's container, the
/// tests and the benchmarks all get the same conversation, worker and money rules.
/// </summary>
public sealed class BotDomain
{
    public BotDomain(BotPorts ports, BotOptions options, BillingOptions billing, QueuePolicy policy, PresetCatalog presets,
        IArtEngine engine, IMessengers messengers, IJobSignal signal, TimeProvider time, ILoggerFactory logs,
        IEnumerable<IJobObserver>? observers = null, TimeSpan? offerLifetime = null)
    {
        var watchers = observers?.ToArray() ?? [];
        Offers = new OfferBook(ports.Offers, time) { Lifetime = offerLifetime ?? TimeSpan.FromDays(7) };
        Menus = new Menus(Offers, presets, options, billing);
        Gate = new RequestGate(ports.Queue, policy, options, time);
        Booking = new Booking(ports.Queue, ports.Ledger, policy, options, billing, Gate, Menus, Offers, signal, watchers, time, logs.CreateLogger<Booking>());
        Runner = new JobRunner(ports.Queue, ports.Images, ports.Users, engine, messengers, Menus, presets, policy, options, watchers, time, logs.CreateLogger<JobRunner>())
        {
            Locks = ports.Locks,
        };
        Jobs = new JobControl(ports.Queue, Runner, policy, presets, time);
        Payments = new Payments(ports.Ledger, billing, Menus, time, logs.CreateLogger<Payments>());
        Admin = new AdminService(ports.Queue, ports.Users, ports.Ledger, messengers, time, logs.CreateLogger<AdminService>());
        Bot = new BotService(ports.Images, ports.Users, Offers, Menus, Booking, Jobs, Gate, ports.Queue, options, Payments, Admin, time, logs.CreateLogger<BotService>());
    }

    public OfferBook Offers { get; }
    public Menus Menus { get; }
    public RequestGate Gate { get; }
    public Booking Booking { get; }
    public JobRunner Runner { get; }
    public JobControl Jobs { get; }
    public Payments Payments { get; }
    public AdminService Admin { get; }
    public BotService Bot { get; }
}
