using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ArtBot.Vk.Tests;

/// <summary>
/// A fake VK API on 127.0.0.1: API methods under /method/{name} (form-encoded, token checked)
/// and a Bots Long Poll endpoint the test feeds with events and scripted <c>failed</c> answers.
/// </summary>
public sealed class FakeVk : IAsyncDisposable
{
    public const string Token = "vk-test-community-token-0123456789";
    private readonly WebApplication app;
    private readonly List<(long Ts, JsonObject Event)> events = [];
    private long ts = 100;
    private int keyVersion;

    public FakeVk()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        app = builder.Build();
        app.MapPost("/method/{name}", Method);
        app.MapGet("/lp", LongPoll);
    }

    public string Url { get; private set; } = "";

    public ConcurrentQueue<string> MethodCalls { get; } = new();

    /// <summary>Error codes the next API calls answer with, in order.</summary>
    public ConcurrentQueue<int> NextErrors { get; } = new();

    /// <summary>Scripted long-poll answers (1, 2 or 3) for the next a_check requests.</summary>
    public ConcurrentQueue<int> NextFailures { get; } = new();

    public string CurrentKey => $"key{keyVersion}";

    public async Task StartAsync()
    {
        await app.StartAsync();
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    public long Push(string type, JsonObject payload)
    {
        lock (events)
        {
            var at = ts++;
            events.Add((at, new JsonObject { ["type"] = type, ["object"] = payload, ["group_id"] = 1, ["event_id"] = $"e{at}" }));
            return at;
        }
    }

    private async Task<IResult> Method(string name, HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        MethodCalls.Enqueue(name);
        if (form["access_token"] != Token) return Error(5, "User authorization failed: invalid access_token (4).");
        if (NextErrors.TryDequeue(out var code)) return Error(code, code == 6 ? "Too many requests per second" : $"error {code}");
        return name switch
        {
            "groups.getLongPollServer" => Ok(NewKey()),
            "utils.getServerTime" => Ok(JsonValue.Create(1_700_000_000)),
            _ => Error(3, "Unknown method passed"),
        };
    }

    private JsonObject NewKey()
    {
        keyVersion++;
        lock (events) return new JsonObject { ["server"] = $"{Url}/lp", ["key"] = CurrentKey, ["ts"] = ts.ToString() };
    }

    private IResult LongPoll(string act, string key, string ts, int wait)
    {
        if (NextFailures.TryDequeue(out var failed))
        {
            lock (events)
                return failed == 1
                    ? Results.Json(new JsonObject { ["failed"] = 1, ["ts"] = this.ts.ToString() })
                    : Results.Json(new JsonObject { ["failed"] = failed });
        }
        if (key != CurrentKey) return Results.Json(new JsonObject { ["failed"] = 2 });
        var from = long.Parse(ts);
        lock (events)
        {
            var pending = events.Where(e => e.Ts >= from).Select(e => (JsonNode)e.Event.DeepClone()).ToArray();
            return Results.Json(new JsonObject { ["ts"] = this.ts.ToString(), ["updates"] = new JsonArray(pending) });
        }
    }

    private static IResult Ok(JsonNode response) => Results.Json(new JsonObject { ["response"] = response });

    private static IResult Error(int code, string message) =>
        Results.Json(new JsonObject { ["error"] = new JsonObject { ["error_code"] = code, ["error_msg"] = message } });
}
