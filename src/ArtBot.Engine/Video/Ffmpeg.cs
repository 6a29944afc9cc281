using System.Diagnostics;
using System.Globalization;
using ArtBot.Domain.Art;

namespace ArtBot.Engine.Video;

/// <summary>An animation's frames as the engine handles them: packed RGB24 rows, one array a frame.</summary>
public sealed record VideoFrames(int Width, int Height, int Fps, IReadOnlyList<byte[]> Frames)
{
    public double Seconds => (double)Frames.Count / Fps;
}

/// <summary>
/// Video in and out through the system's ffmpeg and ffprobe (Debian's ffmpeg 5.1 in CI), as
/// processes: no native library to load, and a file ffmpeg cannot read is a refusal, not a crash.
/// Decoding reads any container ffmpeg knows (GIF, MP4, WebM, MOV…) into RGB frames at a fixed
/// rate; encoding writes H.264 in MP4, the animation every chat plays.
/// </summary>
public sealed class Ffmpeg(string ffmpeg = "ffmpeg", string ffprobe = "ffprobe")
{
    /// <summary>The frames of <paramref name="video"/>: at most <paramref name="maxSeconds"/> of it, at <paramref name="fps"/>, the long side at most <paramref name="maxSide"/> (even sides, as H.264 wants).</summary>
    public async Task<VideoFrames> DecodeAsync(byte[] video, int maxSide, double maxSeconds, int fps, CancellationToken ct = default)
    {
        if (video.Length == 0) throw new ArtInputException(ArtInputError.Empty, "the file is empty");
        var input = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(input, video, ct);
            var (code, probe, _) = await RunAsync(ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", input], null, ct);
            var size = probe.Trim().Split('\n')[0].Split(',');
            if (code != 0 || size.Length < 2 || !int.TryParse(size[0], out var width) || !int.TryParse(size[1], out var height) || width <= 0 || height <= 0)
                throw new ArtInputException(ArtInputError.NotAnAnimation, "no video stream could be read");
            var scale = Math.Min(1.0, (double)maxSide / Math.Max(width, height));
            var (w, h) = (Even(width * scale), Even(height * scale));
            var seconds = maxSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            // Frames are read straight off ffmpeg's output into their own arrays: no copy of the whole clip.
            var list = new List<byte[]>();
            async Task ReadFrames(Stream output)
            {
                while (true)
                {
                    var frame = new byte[w * h * 3];
                    var read = await output.ReadAtLeastAsync(frame, frame.Length, throwOnEndOfStream: false, ct);
                    if (read < frame.Length) return;
                    list.Add(frame);
                }
            }
            var (decoded, _, error) = await RunAsync(ffmpeg,
                ["-v", "error", "-nostdin", "-i", input, "-t", seconds, "-an", "-vf", $"fps={fps},scale={w}:{h}:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
                ReadFrames, ct);
            if (decoded != 0 || list.Count == 0)
                throw new ArtInputException(ArtInputError.NotAnAnimation, $"ffmpeg could not decode it ({FirstLine(error)})");
            return new VideoFrames(w, h, fps, list);
        }
        finally
        {
            File.Delete(input);
        }
    }

    /// <summary>H.264 in MP4 (yuv420p, fast start), the frames at their rate.</summary>
    public async Task<byte[]> EncodeAsync(VideoFrames video, CancellationToken ct = default)
    {
        var output = Path.Combine(Path.GetTempPath(), $"artbot-{Guid.NewGuid():N}.mp4");
        try
        {
            var (code, _, error) = await RunAsync(ffmpeg,
                ["-v", "error", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{video.Width}x{video.Height}", "-r", $"{video.Fps}", "-i", "pipe:0",
                 "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", output],
                null, ct, stdin: video.Frames);
            if (code != 0) throw new InvalidOperationException($"ffmpeg could not encode the animation: {FirstLine(error)}");
            return await File.ReadAllBytesAsync(output, ct);
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static int Even(double side) => Math.Max(2, (int)Math.Round(side / 2) * 2);

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no message";

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string program, IReadOnlyList<string> arguments, Func<Stream, Task>? stdout,
        CancellationToken ct, IReadOnlyList<byte[]>? stdin = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin != null, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            // No program, no animations on this host: permanent, so a job ends at once instead of being retried.
            throw new ArtUnavailableException(ArtCapability.Animation, $"{program} is not installed (Debian: apt-get install ffmpeg): {e.Message}", e);
        }
        using (process)
        using (ct.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
        {
            var error = process.StandardError.ReadToEndAsync(ct);
            Task<string> text;
            if (stdout != null)
            {
                await stdout(process.StandardOutput.BaseStream);
                text = Task.FromResult("");
            }
            else text = process.StandardOutput.ReadToEndAsync(ct);
            if (stdin != null)
            {
                // Frames are written while ffmpeg's output and errors are read, so neither pipe fills and blocks the other.
                foreach (var frame in stdin) await process.StandardInput.BaseStream.WriteAsync(frame, ct);
                process.StandardInput.Close();
            }
            await process.WaitForExitAsync(ct);
            return (process.ExitCode, await text, await error);
        }
    }
}
