using ArtBot.Scenarios.Fakes;
using ArtBot.Scenarios;

namespace ArtBot.Telegram.Tests;

/// <summary>The shared conversation scenarios, on Telegram's fake Bot API.</summary>
public sealed class TelegramScenarios : ConversationScenarios<FakeTelegram>;
