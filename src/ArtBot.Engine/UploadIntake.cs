using ArtBot.Domain.Art;
using ArtBot.Engine.Imaging;
using Microsoft.Extensions.Options;

namespace ArtBot.Engine;

/// <summary>
/// Uploads as the bot keeps them: a photo is decoded (the pixel limit checked from its header),
/// brought to the largest size any job paints (<see cref="EngineOptions.MaxOutputSide"/> on its long
/// side) and re-encoded upright, so a 19 MB upload is stored as a few hundred KB and a file that is
/// no picture is refused before anything is stored. No device, no weights: a receiver does this too.
/// </summary>
public sealed class UploadIntake(IOptions<EngineOptions> options) : IUploadIntake
{
    public Task<byte[]> PhotoAsync(byte[] upload, CancellationToken cancellationToken = default) =>
        Task.Run(() =>
        {
            var o = options.Value;
            using var photo = ImageCodec.DecodeToFit(upload, o.MaxInputPixels, o.MaxOutputSide);
            return ImageCodec.Encode(photo, ImageFormat.Jpeg);
        }, cancellationToken);

    public Task<byte[]> ThumbnailAsync(byte[] picture, int side, CancellationToken cancellationToken = default) =>
        Task.Run(() =>
        {
            using var thumbnail = ImageCodec.DecodeToFit(picture, options.Value.MaxInputPixels, side);
            return ImageCodec.Encode(thumbnail, ImageFormat.Jpeg, quality: 85);
        }, cancellationToken);
}
