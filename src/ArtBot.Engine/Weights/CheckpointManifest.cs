using System.Text.Json;

namespace ArtBot.Engine.Weights;

/// <summary>
/// TensorFlow checkpoint dumped for the web (ml5's style-transfer models): <c>manifest.json</c>
/// maps each variable to <c>{filename, shape}</c>, each file raw little-endian float32.
/// </summary>
public static class CheckpointManifest
{
    public const string FileName = "manifest.json";

    public static IReadOnlyDictionary<string, NamedArray> Load(string folder)
    {
        var manifestPath = Path.Combine(folder, FileName);
        if (!File.Exists(manifestPath)) throw new ModelLoadException(manifestPath, "checkpoint manifest is missing");
        WeightChecksums.VerifyFolder(folder);

        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(manifestPath)); }
        catch (JsonException e) { throw new ModelLoadException(manifestPath, $"is not valid JSON ({e.Message})"); }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException(manifestPath, "must be a JSON object of variables");
            var variables = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
            foreach (var variable in doc.RootElement.EnumerateObject())
            {
                if (!variable.Value.TryGetProperty("filename", out var fileName) || !variable.Value.TryGetProperty("shape", out var shapeJson))
                    throw new ModelLoadException(manifestPath, $"variable '{variable.Name}' lacks filename or shape");
                var shape = shapeJson.EnumerateArray().Select(d => d.GetInt64()).ToArray();
                var file = Path.Combine(folder, fileName.GetString()!);
                var bytes = RawFloats.ReadFile(file);
                var expected = shape.Aggregate(1L, (a, b) => a * b) * 4;
                if (bytes.Length != expected)
                    throw new ModelLoadException(file, $"holds {bytes.Length} bytes, but shape [{string.Join(",", shape)}] needs {expected}");
                variables[variable.Name] = new NamedArray(variable.Name, shape, RawFloats.FromLittleEndian(bytes));
            }
            return variables;
        }
    }
}
