using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ArtBot.Engine;

namespace ArtBot.Host;

/// <summary>
/// The same shapes run in PyTorch on this machine, when python3 has torch: <c>build/gpu/torch_reference.py</c>
/// (random weights: a convolution's time does not depend on its values), so every figure of
/// <c>artbot bench</c> has its peer from the same run beside it.
/// </summary>
public static class PyTorchPeer
{
    public const string Script = "build/gpu/torch_reference.py";

    /// <summary>PyTorch's figures and ArtBot's time over PyTorch's for each shape both ran, or why there are none.</summary>
    public static async Task<JsonObject> CompareAsync(BenchReport artbot, string root, CancellationToken ct)
    {
        var script = Path.Combine(root, Script);
        if (!File.Exists(script)) return Unavailable($"{Script} is not in {root}");
        var output = Path.Combine(Path.GetTempPath(), $"artbot-torch-{Guid.NewGuid():N}.json");
        try
        {
            var (code, errors) = await RunAsync("python3", [script, output, "--preset-sides", "512,1024", "--gatys-sides", "512"], ct);
            if (code != 0 || !File.Exists(output))
            {
                var why = errors.Contains("No module named 'torch'", StringComparison.Ordinal) ? "python3 has no torch module"
                    : $"python3 {Script} exited {code}: {errors.Trim().Split('\n').LastOrDefault()}";
                return Unavailable(why);
            }
            var torch = JsonNode.Parse(await File.ReadAllTextAsync(output, ct))!.AsObject();
            double? Ms(string figure, string side, string mode) => torch[figure]?[side]?[mode]?.GetValue<double>();
            double? Ratio(double ours, double? theirs) => theirs is > 0 ? Math.Round(ours / theirs.Value, 2) : null;
            return new JsonObject
            {
                ["pytorch"] = torch,
                ["ratios"] = new JsonObject
                {
                    // ArtBot in its mode (bf16 presets where the CPU has it) over plain PyTorch (fp32), and over PyTorch's own bf16.
                    ["preset_512_vs_fp32"] = Ratio(artbot.Preset512Ms, Ms("preset_forward_ms_by_side", "512", "fp32")),
                    ["preset_1024_vs_fp32"] = Ratio(artbot.Preset1024Ms, Ms("preset_forward_ms_by_side", "1024", "fp32")),
                    ["preset_512_vs_bf16"] = Ratio(artbot.Preset512Ms, Ms("preset_forward_ms_by_side", "512", "bf16_channels_last")),
                    ["preset_1024_vs_bf16"] = Ratio(artbot.Preset1024Ms, Ms("preset_forward_ms_by_side", "1024", "bf16_channels_last")),
                    // One L-BFGS iteration (an evaluation and the update) over one evaluation, 512 px.
                    ["gatys_512_iteration_vs_evaluation_fp32"] = Ratio(artbot.Gatys512SecondsPerIteration * 1000, Ms("gatys_eval_ms", "fp32", "512")),
                },
            };
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return Unavailable("no python3 on the PATH");
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static JsonObject Unavailable(string why) => new() { ["pytorch"] = null, ["pytorch_unavailable"] = why };

    private static async Task<(int Code, string Errors)> RunAsync(string program, IEnumerable<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The same thread count as the engine's, so neither side gets more of the machine.
        psi.Environment["OMP_NUM_THREADS"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        await stdout;
        return (process.ExitCode, await stderr);
    }
}
