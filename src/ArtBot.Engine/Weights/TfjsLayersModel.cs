using System.Text.Json;

namespace ArtBot.Engine.Weights;

/// <summary>One Keras layer of a TensorFlow.js layers model, with its config as written.</summary>
public sealed record TfjsLayer(string ClassName, string Name, JsonElement Config)
{
    public int Int(string key, int index = 0) =>
        Config.GetProperty(key) is { ValueKind: JsonValueKind.Array } a ? a[index].GetInt32() : Config.GetProperty(key).GetInt32();

    public string? String(string key) => Config.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public double Double(string key, double fallback) => Config.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : fallback;

    public bool Bool(string key, bool fallback) => Config.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : fallback;
}

/// <summary>
/// A TensorFlow.js layers model (<c>model.json</c>: Keras topology plus a weights manifest whose
/// groups are binary shards of float32, concatenated in manifest order).
/// </summary>
public sealed class TfjsLayersModel
{
    public const string FileName = "model.json";

    private TfjsLayersModel(string folder, IReadOnlyList<TfjsLayer> layers, IReadOnlyDictionary<string, NamedArray> weights)
    {
        Folder = folder;
        Layers = layers;
        Weights = weights;
    }

    public string Folder { get; }

    /// <summary>Layers in topological order (the models here are chains).</summary>
    public IReadOnlyList<TfjsLayer> Layers { get; }

    /// <summary>Weights by Keras name, e.g. <c>block1_conv1/kernel</c>.</summary>
    public IReadOnlyDictionary<string, NamedArray> Weights { get; }

    public NamedArray Weight(string name) =>
        Weights.TryGetValue(name, out var w) ? w : throw new ModelLoadException(Path.Combine(Folder, FileName), $"weight '{name}' is not in the manifest");

    public NamedArray? OptionalWeight(string name) => Weights.GetValueOrDefault(name);

    public static TfjsLayersModel Load(string folder)
    {
        var modelPath = Path.Combine(folder, FileName);
        if (!File.Exists(modelPath)) throw new ModelLoadException(modelPath, "TensorFlow.js model file is missing");
        WeightChecksums.VerifyFolder(folder);

        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(modelPath)); }
        catch (JsonException e) { throw new ModelLoadException(modelPath, $"is not valid JSON ({e.Message})"); }

        using (doc)
        {
            var root = doc.RootElement;
            try
            {
                var topology = root.GetProperty("modelTopology");
                var modelConfig = topology.TryGetProperty("model_config", out var mc) ? mc : topology;
                var config = modelConfig.GetProperty("config");
                var layerArray = config.ValueKind == JsonValueKind.Array ? config : config.GetProperty("layers");
                var layers = layerArray.EnumerateArray()
                    .Select(l => new TfjsLayer(l.GetProperty("class_name").GetString()!, l.GetProperty("config").GetProperty("name").GetString()!, l.GetProperty("config").Clone()))
                    .ToList();

                var weights = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
                foreach (var group in root.GetProperty("weightsManifest").EnumerateArray())
                {
                    var bytes = group.GetProperty("paths").EnumerateArray()
                        .SelectMany(p => RawFloats.ReadFile(Path.Combine(folder, p.GetString()!)))
                        .ToArray();
                    var groupName = string.Join("+", group.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
                    long offset = 0;
                    foreach (var w in group.GetProperty("weights").EnumerateArray())
                    {
                        var name = w.GetProperty("name").GetString()!;
                        var dtype = w.TryGetProperty("dtype", out var dt) ? dt.GetString() : "float32";
                        if (dtype != "float32" || w.TryGetProperty("quantization", out _))
                            throw new ModelLoadException(modelPath, $"weight '{name}' is {dtype}{(w.TryGetProperty("quantization", out _) ? " quantized" : "")}; only float32 is supported");
                        var shape = w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                        var count = shape.Aggregate(1L, (a, b) => a * b);
                        if (offset + count * 4 > bytes.Length)
                            throw new ModelLoadException(Path.Combine(folder, groupName), $"is too short: weight '{name}' needs bytes {offset}..{offset + count * 4}, the shard has {bytes.Length}");
                        weights[name] = new NamedArray(name, shape, RawFloats.FromLittleEndian(bytes.AsSpan((int)offset, (int)(count * 4))));
                        offset += count * 4;
                    }
                    if (offset != bytes.Length)
                        throw new ModelLoadException(Path.Combine(folder, groupName), $"holds {bytes.Length} bytes, the manifest describes {offset}");
                }
                return new TfjsLayersModel(folder, layers, weights);
            }
            catch (KeyNotFoundException e) { throw new ModelLoadException(modelPath, $"is not a TensorFlow.js layers model ({e.Message})"); }
            catch (InvalidOperationException e) { throw new ModelLoadException(modelPath, $"is not a TensorFlow.js layers model ({e.Message})"); }
        }
    }
}
