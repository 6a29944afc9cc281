using System.Security.Cryptography;

namespace ArtBot.Storage;

/// <summary>Server keys (the web chat's cookie key), made once and kept in the database so they survive restarts.</summary>
public sealed class LiteSecretStore(ArtBotDatabase database) : ArtBot.Domain.Bot.ISecretStore
{
    public byte[] GetOrCreate(string name, int bytes = 32)
    {
        lock (database.Gate)
        {
            if (database.Secrets.FindById(name) is { } known) return known.Value;
            var secret = new Secret { Id = name, Value = RandomNumberGenerator.GetBytes(bytes) };
            database.Secrets.Insert(secret);
            return secret.Value;
        }
    }
}
