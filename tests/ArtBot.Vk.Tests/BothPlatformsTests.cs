using ArtBot.Host;
using ArtBot.Scenarios;
using ArtBot.Scenarios.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArtBot.Vk.Tests;

/// <summary>One process, one queue, two platforms: each user is answered on their own platform.</summary>
public sealed class BothPlatformsTests : IAsyncLifetime
{
    private readonly FakeTelegram telegram = new();
    private readonly FakeVk vk = new();
    private readonly string folder = Directory.CreateTempSubdirectory("artbot-both-").FullName;

    public async Task InitializeAsync()
    {
        await telegram.StartAsync();
        await vk.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await telegram.DisposeAsync();
        await vk.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Telegram_and_vk_are_served_at_once()
    {
        var settings = new Dictionary<string, string?>(telegram.Settings) { ["Queue:DatabasePath"] = Path.Combine(folder, "artbot.db"), ["Bot:GalleryTile"] = "48" };
        foreach (var (key, value) in vk.Settings) settings[key] = value;
        var builder = BotHost.CreateBuilder(settings, LogLevel.Warning);
        Assert.Equal(["telegram", "vk"], BotHost.ConfiguredPlatforms(builder.Configuration));
        builder.Services.AddSingleton<TimeProvider>(DaytimeClock.Instance);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((telegram.Polls == 0 || vk.Polls == 0) && DateTime.UtcNow < deadline) await Task.Delay(20);
            telegram.PushPhoto(41, TestPaths.Photo("dog.jpg"));
            vk.PushPhoto(42, TestPaths.Photo("person.jpg"));
            await telegram.WaitForAsync(s => s.Any(x => x is { ChatId: 41, Kind: SentKind.Photo }), TimeSpan.FromSeconds(90), "the Telegram preview");
            await vk.WaitForAsync(s => s.Any(x => x is { ChatId: 42, Kind: SentKind.Photo }), TimeSpan.FromSeconds(90), "the VK preview");
            Assert.DoesNotContain(telegram.Sent, x => x.ChatId == 42);
            Assert.DoesNotContain(vk.Sent, x => x.ChatId == 41);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
