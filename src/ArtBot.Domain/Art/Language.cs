namespace ArtBot.Domain.Art;

/// <summary>The languages the bot answers in.</summary>
public enum Language { En, Ru }

/// <summary>A text in every language the bot speaks.</summary>
public sealed record LocalizedText(string En, string Ru)
{
    public string For(Language language) => language == Language.Ru ? Ru : En;
}
