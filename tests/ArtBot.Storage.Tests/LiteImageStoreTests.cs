namespace ArtBot.Storage.Tests;

public sealed class LiteImageStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly string folder = Directory.CreateTempSubdirectory("artbot-img-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Images_survive_a_restart_and_expire_after_retention()
    {
        var path = Path.Combine(folder, "artbot.db");
        var photo = new byte[300_000];
        new Random(1).NextBytes(photo);
        string oldId, newId;
        using (var database = new ArtBotDatabase(path))
        {
            var store = new LiteImageStore(database);
            oldId = await store.PutAsync(photo, Now.AddDays(-8), "telegram:1");
            newId = await store.PutAsync([1, 2, 3], Now, "telegram:1");
        }
        using (var database = new ArtBotDatabase(path))
        {
            var store = new LiteImageStore(database);
            Assert.Equal(photo, await store.GetAsync(oldId));
            Assert.Equal(1, await store.DeleteOlderThanAsync(Now.AddDays(-7)));
            await Assert.ThrowsAsync<KeyNotFoundException>(() => store.GetAsync(oldId));
            Assert.Equal([1, 2, 3], await store.GetAsync(newId));
        }
    }
}
