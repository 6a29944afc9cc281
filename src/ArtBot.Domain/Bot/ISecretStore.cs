namespace ArtBot.Domain.Bot;

/// <summary>Server keys made once and kept with the data (the web chat signs its cookies with one).</summary>
public interface ISecretStore
{
    /// <summary>The key called <paramref name="name"/>, made of random bytes the first time it is asked for.</summary>
    byte[] GetOrCreate(string name, int bytes = 32);
}
