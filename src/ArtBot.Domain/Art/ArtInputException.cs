namespace ArtBot.Domain.Art;

/// <summary>Why a user's input cannot be rendered; adapters turn each into a message in the user's language.</summary>
public enum ArtInputError
{
    Empty,
    NotAnImage,
    Corrupt,
    TooLarge,
    UnknownPreset,
    NotAnAnimation,
}

/// <summary>The user sent something the engine cannot work with. Never a crash: a message.</summary>
public sealed class ArtInputException(ArtInputError error, string message) : Exception(message)
{
    public ArtInputError Error { get; } = error;
}
