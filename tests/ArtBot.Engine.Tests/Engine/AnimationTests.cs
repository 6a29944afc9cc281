using ArtBot.Domain.Art;
using ArtBot.Engine.Algorithms;
using ArtBot.Engine.Imaging;
using ArtBot.Engine.Video;

namespace ArtBot.Engine.Tests.Engine;

/// <summary>Animated presets through the system's ffmpeg (installed by .ci/run): decode, paint every frame, smooth, encode.</summary>
[Collection(EngineCollection.Name)]
public sealed class AnimationTests(EngineFixture fixture)
{
    private static readonly Ffmpeg Ffmpeg = new();

    /// <summary>
    /// A clip made here from the photo: panning <paramref name="pan"/> px a frame, with a little
    /// sensor noise (±<paramref name="noise"/> levels) on every frame, as a phone's video has.
    /// </summary>
    private static async Task<byte[]> ClipAsync(int frames, int pan = 1, int noise = 0, int side = 128, int fps = 12) =>
        await Ffmpeg.EncodeAsync(RawClip(frames, pan, noise, side, fps));

    private static VideoFrames RawClip(int frames, int pan = 1, int noise = 0, int side = 128, int fps = 12)
    {
        using var photo = ImageCodec.Decode(TestPaths.Content("tubingen.jpg"), long.MaxValue);
        using var wide = ImageCodec.Resize(photo, side + frames * pan, side * 3 / 4);
        var random = new Random(7);
        var rgb = new List<byte[]>();
        for (var f = 0; f < frames; f++)
        {
            var bytes = new byte[side * (side * 3 / 4) * 3];
            for (var y = 0; y < side * 3 / 4; y++)
                for (var x = 0; x < side; x++)
                {
                    var c = wide.GetPixel(x + f * pan, y);
                    var at = (y * side + x) * 3;
                    byte Noisy(byte v) => (byte)Math.Clamp(v + random.Next(-noise, noise + 1), 0, 255);
                    (bytes[at], bytes[at + 1], bytes[at + 2]) = (Noisy(c.Red), Noisy(c.Green), Noisy(c.Blue));
                }
            rgb.Add(bytes);
        }
        return new VideoFrames(side, side * 3 / 4, fps, rgb);
    }

    [Fact]
    public async Task Frames_survive_an_mp4_round_trip()
    {
        var clip = await ClipAsync(frames: 12);
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(clip, 4, 4));
        var back = await Ffmpeg.DecodeAsync(clip, maxSide: 128, maxSeconds: 10, fps: 12);
        Assert.Equal((128, 96, 12), (back.Width, back.Height, back.Frames.Count));
        var smaller = await Ffmpeg.DecodeAsync(clip, maxSide: 64, maxSeconds: 0.5, fps: 12);   // the tier's limits: size and length
        Assert.Equal((64, 48, 6), (smaller.Width, smaller.Height, smaller.Frames.Count));
    }

    [Fact]
    public async Task What_ffmpeg_cannot_read_is_refused_as_input()
    {
        var e = await Assert.ThrowsAsync<ArtInputException>(() => fixture.Engine.AnimateAsync(new AnimationRequest("GIF89a but not really"u8.ToArray(), "wave")));
        Assert.Equal(ArtInputError.NotAnAnimation, e.Error);
        var empty = await Assert.ThrowsAsync<ArtInputException>(() => fixture.Engine.AnimateAsync(new AnimationRequest([], "wave")));
        Assert.Equal(ArtInputError.Empty, empty.Error);
    }

    private static double Difference(byte[] a, byte[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return sum / a.Length;
    }

    [Fact]
    public async Task Every_frame_is_painted_and_comes_back_as_an_mp4_of_the_asked_size_and_length()
    {
        var clip = await ClipAsync(frames: 24, pan: 2);
        var result = await fixture.Engine.AnimateAsync(new AnimationRequest(clip, "wave", MaxSide: 96, MaxSeconds: 1.5, Fps: 12));
        Assert.Equal((96, 72, 18, 12), (result.Width, result.Height, result.Frames, result.Fps));
        var back = await Ffmpeg.DecodeAsync(result.Video, 96, 10, 12);
        Assert.Equal(18, back.Frames.Count);
        var original = await Ffmpeg.DecodeAsync(clip, 96, 10, 12);
        Assert.True(Difference(back.Frames[9], original.Frames[9]) > 20, "the frames are painted, not copied");
    }

    /// <summary>
    /// A still scene with sensor noise: the network paints the noise into new strokes each frame,
    /// so the picture shimmers; smoothing keeps still pixels' colour. A moving scene still moves.
    /// </summary>
    [Fact]
    public async Task Smoothing_calms_the_flicker_of_a_still_scene_but_not_the_motion()
    {
        var net = await fixture.Engine.OnTorchThread(() => fixture.Engine.PresetNet("wave"));
        Task<IReadOnlyList<byte[]>> Paint(VideoFrames clip, double smoothing) =>
            fixture.Engine.OnTorchThread(() => AnimatedPreset.Paint(net, clip, fixture.Engine.Device, new AnimationOptions(smoothing)));

        var still = RawClip(frames: 12, pan: 0, noise: 8);
        double Flicker(IReadOnlyList<byte[]> frames) => Enumerable.Range(1, frames.Count - 1).Average(f => Difference(frames[f], frames[f - 1]));
        var (rough, smooth) = (Flicker(await Paint(still, 0)), Flicker(await Paint(still, 0.8)));
        Assert.True(smooth < rough * 0.5, $"frame-to-frame change of a still scene: {rough:F2} without smoothing, {smooth:F2} with");

        // Panning 4 px a frame: the picture travels as far with smoothing as without (nothing is frozen).
        var moving = RawClip(frames: 12, pan: 4);
        var (roughMoving, smoothMoving) = (await Paint(moving, 0), await Paint(moving, 0.8));
        var (roughTravel, smoothTravel) = (Difference(roughMoving[^1], roughMoving[0]), Difference(smoothMoving[^1], smoothMoving[0]));
        Assert.True(smoothTravel > roughTravel * 0.8, $"first to last frame: {roughTravel:F2} without smoothing, {smoothTravel:F2} with");
    }
}
