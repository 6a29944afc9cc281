using System.Diagnostics;

namespace ArtBot.Web.Tests;

/// <summary>
/// An operator's typo in any area stops `artbot run` before it serves anything: exit 2 and one line
/// naming the key, the value written and the rule it broke, never a stack trace or a bot that runs on a zero.
/// </summary>
public sealed class BadConfigurationTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string data = Directory.CreateTempSubdirectory("artbot-config-").FullName;

    public void Dispose() => Directory.Delete(data, recursive: true);

    [Theory]
    [InlineData("Engine__Device", "tpu", "Engine:Device = tpu: ")]
    [InlineData("Queue__NightStart", "25:99", "Queue:NightStart = 25:99: must be a time of day")]
    [InlineData("Queue__LightMaxDreamSteps", "0", "Queue:LightMaxDreamSteps = 0: must be between 1 and 100000")]
    [InlineData("Storage__Provider", "mysql", "Storage:Provider = mysql: must be one of litedb, postgres")]
    [InlineData("Bot__Lease", "00:00:00", "Bot:Lease = 00:00:00: must be between 00:00:03 and 01:00:00")]
    [InlineData("Bot__AnimationFps", "0", "Bot:AnimationFps = 0: must be between 1 and 60")]
    [InlineData("Bot__Role", "boss", "Bot:Role = boss: must be one of all, receiver, worker")]
    [InlineData("Bot__Premium__MaxSide", "100", "Bot:Premium:MaxSide = 100: the tiers' long sides must grow from Free to Premium to Hd")]
    [InlineData("Billing__PremiumPrice", "0", "Billing:PremiumPrice = 0: ")]
    [InlineData("Web__MessagesPerMinute", "0", "Web:MessagesPerMinute = 0: must be between 1 and 10000")]
    [InlineData("Telegram__PollTimeoutSeconds", "99", "Telegram:PollTimeoutSeconds = 99: must be between 0 and 50")]
    [InlineData("Telegram__WebhookUrl", "http://bot.example.org/hook", "Telegram:WebhookUrl = http://bot.example.org/hook: must be an absolute https URL")]
    // The secret's rule is said, never the secret (nor the token, nor a connection string).
    [InlineData("Telegram__WebhookUrl", "https://bot.example.org/hook", "Telegram:WebhookSecret = (unset): must be 16 to 256 characters")]
    [InlineData("Vk__LongPollWaitSeconds", "0", "Vk:LongPollWaitSeconds = 0: must be between 1 and 90")]
    [InlineData("Ops__PlatformSilenceSeconds", "0", "Ops:PlatformSilenceSeconds = 0: must be between 1 and 3600")]
    public async Task A_bad_value_stops_the_run_with_exit_2_and_one_line_naming_the_key(string variable, string value, string expected)
    {
        using var run = ArtbotRun.Start(0, Path.Combine(data, "artbot.db"), new Dictionary<string, string> { ["ARTBOT_" + variable] = value });
        var errors = run.StandardError.ReadToEndAsync();
        var output = run.StandardOutput.ReadToEndAsync();
        await run.WaitForExitAsync(new CancellationTokenSource(Patience).Token);
        var lines = (await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {await errors}{await output}");
        var line = Assert.Single(lines, l => l.StartsWith("artbot run: configuration: ", StringComparison.Ordinal));
        Assert.Contains(expected, line);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(data, "artbot.db")), "nothing is opened before the configuration is checked");
    }
}
