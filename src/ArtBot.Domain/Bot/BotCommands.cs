using ArtBot.Domain.Art;

namespace ArtBot.Domain.Bot;

/// <summary>A command as a platform's command menu lists it.</summary>
public sealed record BotCommandInfo(string Command, string Description);

/// <summary>
/// The commands the bot offers, described in each language: what Telegram's command menu and bot
/// profile show (set at start), and the buttons under /start and /help on every platform.
/// </summary>
public static class BotCommands
{
    /// <summary>In menu order.</summary>
    public static readonly string[] Menu = ["start", "dream", "status", "cancel", "history", "settings", "balance", "buy", "promo", "top", "gallery", "export", "forget", "paysupport", "terms", "help"];

    /// <summary>The commands a button under /start and /help runs.</summary>
    public static readonly string[] Buttons = ["status", "history", "settings", "balance", "cancel", "help"];

    public static IReadOnlyList<BotCommandInfo> For(Language language) =>
        Menu.Select(c => new BotCommandInfo(c, Texts.Get(language, "Command_" + c))).ToList();

    /// <summary>The bot's profile text (what an empty chat shows), up to 512 characters.</summary>
    public static string Description(Language language) => Texts.Get(language, TextKey.BotDescription);

    /// <summary>The line under the bot's name, up to 120 characters.</summary>
    public static string ShortDescription(Language language) => Texts.Get(language, TextKey.BotShortDescription);
}
