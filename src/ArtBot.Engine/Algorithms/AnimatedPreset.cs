using ArtBot.Engine.Networks;
using ArtBot.Engine.Video;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ArtBot.Engine.Algorithms;

/// <param name="Smoothing">How much of the last painted frame a still pixel keeps (0: every frame painted afresh).</param>
/// <param name="MotionScale">A pixel that changed this much (0..1, mean over RGB) since the last frame keeps e⁻¹ as much.</param>
public sealed record AnimationOptions(double Smoothing = 0.6, double MotionScale = 0.04);

/// <summary>
/// A preset over every frame of an animation. A feed-forward style network invents its brush
/// strokes afresh for each frame, so a still background shimmers from frame to frame. Here a
/// pixel that barely moved since the last frame keeps part of its last painted colour: an
/// exponential moving average gated by motion, in the spirit of the temporal losses of Ruder et
/// al. (2016) without their optical flow. Where something moves the new frame shows through.
/// Runs on the calling thread; call it from the engine's tensor thread.
/// </summary>
public static class AnimatedPreset
{
    /// <param name="framePainted">Called after each frame with how many are painted and how many there are.</param>
    public static IReadOnlyList<byte[]> Paint(FastStyleNet net, VideoFrames video, Device device, AnimationOptions? options = null, CancellationToken cancellationToken = default,
        Action<int, int>? framePainted = null)
    {
        options ??= new AnimationOptions();
        using var inference = torch.inference_mode();
        var painted = new List<byte[]>(video.Frames.Count);
        Tensor? lastInput = null, lastOutput = null;
        try
        {
            foreach (var frame in video.Frames)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var input = FromRgb(frame, video.Width, video.Height, device);
                var output = FastStyle.Apply(net, input);
                if (lastInput is not null && lastOutput is not null && options.Smoothing > 0)
                {
                    // Motion per pixel, a little blurred so a moving edge does not leave a one-pixel trail.
                    var motion = F.avg_pool2d((input - lastInput).abs().mean([1], keepdim: true), 5, 1, 2);
                    var keep = (motion / -options.MotionScale).exp() * options.Smoothing;
                    output = keep * lastOutput + (1 - keep) * output;
                }
                painted.Add(ToRgb(output));
                framePainted?.Invoke(painted.Count, video.Frames.Count);
                lastInput?.Dispose();
                lastOutput?.Dispose();
                lastInput = input.DetachFromDisposeScope();
                lastOutput = output.DetachFromDisposeScope();
            }
            return painted;
        }
        finally
        {
            lastInput?.Dispose();
            lastOutput?.Dispose();
        }
    }

    /// <summary>Packed RGB24 → [1,3,H,W] in 0..1 on <paramref name="device"/>.</summary>
    public static Tensor FromRgb(byte[] rgb, int width, int height, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var packed = torch.tensor(rgb, new long[] { height, width, 3 }).to(device);
        return (packed.permute(2, 0, 1).unsqueeze(0).to_type(ScalarType.Float32) / 255f).MoveToOuterDisposeScope();
    }

    /// <summary>[1,3,H,W] in 0..1 → packed RGB24, rounded.</summary>
    public static byte[] ToRgb(Tensor image)
    {
        using var scope = torch.NewDisposeScope();
        var bytes = (image[0].clamp(0f, 1f) * 255f + 0.5f).to_type(ScalarType.Byte).permute(1, 2, 0).contiguous().cpu();
        return bytes.bytes.ToArray();
    }
}
