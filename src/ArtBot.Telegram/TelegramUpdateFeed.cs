using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace ArtBot.Telegram;

/// <summary>Where the receiver's updates come from: getUpdates, or Telegram's posts to a webhook.</summary>
internal interface ITelegramUpdateFeed : IAsyncDisposable
{
    /// <summary>
    /// The next updates from <paramref name="offset"/> on, waiting at most <paramref name="timeoutSeconds"/>.
    /// Asking again means everything below the new offset was handled (or is gathered in an album).
    /// </summary>
    Task<IReadOnlyList<Update>> NextAsync(long? offset, int timeoutSeconds, CancellationToken cancellationToken);

    /// <summary>Whether an update answered before a restart comes again (polling from the stored offset does; a webhook never does).</summary>
    bool ResendsAfterRestart { get; }
}

internal sealed class PollingFeed(ITelegramBotClient client, UpdateType[] wanted) : ITelegramUpdateFeed
{
    public bool ResendsAfterRestart => true;

    public async Task<IReadOnlyList<Update>> NextAsync(long? offset, int timeoutSeconds, CancellationToken cancellationToken) =>
        await client.GetUpdates((int?)offset, 100, timeoutSeconds, wanted, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// Telegram's posts to <c>Telegram:WebhookUrl</c>, on a listener of its own. A post without the
/// secret token is refused (401) unread. An update is answered only once the receiver has handled
/// it and stored its offset (or taken it into an album), so a crash before that makes Telegram
/// send it again; one it could not handle (a payment to retry) gets 500, and Telegram retries it.
/// One connection at a time (<c>max_connections</c> 1): updates come in order, as from getUpdates.
/// </summary>
internal sealed class WebhookFeed : ITelegramUpdateFeed
{
    private static readonly TimeSpan AnswerPatience = TimeSpan.FromSeconds(50);   // Telegram gives up at about 60 s
    private const int MaxBody = 1024 * 1024;

    private readonly Channel<(Update Update, TaskCompletionSource<bool> Answered)> posted = Channel.CreateUnbounded<(Update, TaskCompletionSource<bool>)>();
    private readonly List<(Update Update, TaskCompletionSource<bool> Answered)> inHand = [];
    private readonly byte[] secret;
    private readonly WebApplication app;
    private readonly ILogger logger;

    private WebhookFeed(TelegramOptions options, ILogger logger)
    {
        this.logger = logger;
        secret = Encoding.UTF8.GetBytes(options.WebhookSecret!);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(options.WebhookHost.Contains(':') ? $"[{options.WebhookHost}]" : options.WebhookHost)}:{options.WebhookPort}");
        app = builder.Build();
        app.MapPost(new Uri(options.WebhookUrl!).AbsolutePath, (Delegate)PostAsync);
    }

    public bool ResendsAfterRestart => false;

    /// <summary>Where it listens (the port is the system's pick when Telegram:WebhookPort is 0).</summary>
    public string Address { get; private set; } = "";

    public static async Task<WebhookFeed> StartAsync(TelegramOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var feed = new WebhookFeed(options, logger);
        await feed.app.StartAsync(cancellationToken);
        feed.Address = feed.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return feed;
    }

    private async Task<IResult> PostAsync(HttpContext context)
    {
        var given = Encoding.UTF8.GetBytes(context.Request.Headers["X-Telegram-Bot-Api-Secret-Token"].ToString());
        if (!CryptographicOperations.FixedTimeEquals(given, secret))
        {
            logger.LogWarning("Telegram webhook: a post from {Address} without the secret token was refused", context.Connection.RemoteIpAddress);
            return Results.Unauthorized();
        }
        if (context.Request.ContentLength is > MaxBody) return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        Update? update;
        try
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            if (body.Length > MaxBody) return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            update = JsonSerializer.Deserialize<Update>(body.ToArray(), JsonBotAPI.Options);
        }
        catch (JsonException e)
        {
            logger.LogWarning("Telegram webhook: a post that is not an update was refused ({Problem})", e.Message);
            return Results.BadRequest();
        }
        if (update == null) return Results.BadRequest();
        var answered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await posted.Writer.WriteAsync((update, answered), context.RequestAborted);
        try
        {
            return await answered.Task.WaitAsync(AnswerPatience, context.RequestAborted)
                ? Results.Ok()
                : Results.StatusCode(StatusCodes.Status500InternalServerError);
        }
        catch (TimeoutException)
        {
            // Still in hand (a slow store): Telegram sends it again, and the offset makes the repeat a no-op.
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }

    public async Task<IReadOnlyList<Update>> NextAsync(long? offset, int timeoutSeconds, CancellationToken cancellationToken)
    {
        // What the receiver had: handled (the offset passed it), or to be sent again.
        foreach (var (update, answered) in inHand) answered.TrySetResult(offset is { } next && update.Id < next);
        inHand.Clear();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(Math.Max(0, timeoutSeconds)));
        try
        {
            if (timeoutSeconds > 0 && !posted.Reader.TryPeek(out _)) await posted.Reader.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return [];
        }
        while (posted.Reader.TryRead(out var item)) inHand.Add(item);
        return inHand.Select(i => i.Update).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, answered) in inHand) answered.TrySetResult(false);
        while (posted.Reader.TryRead(out var item)) item.Answered.TrySetResult(false);
        await app.DisposeAsync();
    }
}
