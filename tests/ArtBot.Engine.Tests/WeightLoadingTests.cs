using ArtBot.Engine.Networks;
using ArtBot.Engine.Weights;

namespace ArtBot.Engine.Tests;

/// <summary>A missing or damaged weight file is a clear error naming the file.</summary>
public sealed class WeightLoadingTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("artbot-weights-").FullName;

    public WeightLoadingTests() => Native.TorchNative.EnsureLoaded();

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string CopyModel(string relative, bool withSums = false)
    {
        var source = Path.Combine(TestPaths.Models, relative);
        var target = Path.Combine(root, relative);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        if (withSums)
        {
            var prefix = "./" + relative.Replace('\\', '/') + "/";
            File.WriteAllLines(Path.Combine(root, "SHA256SUMS"),
                File.ReadLines(Path.Combine(TestPaths.Models, "SHA256SUMS")).Where(l => l.Contains(prefix)));
        }
        return target;
    }

    [Fact]
    public void Missing_preset_variable_names_the_file()
    {
        var folder = CopyModel("presets/wave");
        File.Delete(Path.Combine(folder, "Variable_12"));
        var e = Assert.Throws<ModelLoadException>(() => FastStyleNet.Load(folder));
        Assert.EndsWith("Variable_12", e.Path);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void Truncated_shard_names_the_file()
    {
        var folder = CopyModel("vgg19-block3");
        var shard = Path.Combine(folder, "group5-shard1of1");
        File.WriteAllBytes(shard, File.ReadAllBytes(shard)[..1000]);
        var e = Assert.Throws<ModelLoadException>(() => TfjsLayersModel.Load(folder));
        Assert.Contains("group5-shard1of1", e.Message);
    }

    [Fact]
    public void Damaged_file_fails_its_checksum()
    {
        var folder = CopyModel("darknet-tiny", withSums: true);
        var shard = Path.Combine(folder, "group16-shard1of1");
        var bytes = File.ReadAllBytes(shard);
        bytes[100] ^= 0xff;
        File.WriteAllBytes(shard, bytes);
        var e = Assert.Throws<ModelLoadException>(() => TfjsLayersModel.Load(folder));
        Assert.Contains("group16-shard1of1", e.Message);
        Assert.Contains("SHA-256", e.Message);
    }

    [Fact]
    public void Corrupt_model_json_is_named()
    {
        var folder = CopyModel("darknet-tiny");
        File.WriteAllText(Path.Combine(folder, "model.json"), "{ not json");
        var e = Assert.Throws<ModelLoadException>(() => TfjsLayersModel.Load(folder));
        Assert.Contains("model.json", e.Message);
    }

    [Fact]
    public void Model_not_on_the_search_path_says_where_it_looked()
    {
        var store = new ModelStore(new EngineOptions { ModelPaths = [root], BasePath = root });
        var e = Assert.Throws<ModelLoadException>(() => store.Find("vgg19", "vgg19-block3"));
        Assert.Contains(root, e.Message);
        Assert.Contains("ARTBOT_MODELS", e.Message);
    }
}
