namespace ArtBot.Domain.Art;

/// <summary>
/// The engine of a process that never renders (<c>Bot:Role=receiver</c>, the queue benchmark): the
/// presets for the menus, and no device, no tensor thread, no weights. A receiver started from the GPU
/// image on a host without a GPU must still take photos and book jobs. Being asked to render is a
/// wiring bug, said as such.
/// </summary>
public sealed class PresetsOnlyEngine(PresetCatalog presets) : IArtEngine
{
    public PresetCatalog Presets { get; } = presets;

    public Task<AnimationResult> AnimateAsync(AnimationRequest request, CancellationToken cancellationToken = default) => throw NoRenderer();

    public Task<ArtResult> PresetAsync(PresetRequest request, CancellationToken cancellationToken = default) => throw NoRenderer();

    public Task<ArtResult> StylizeAsync(StylizeRequest request, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default) => throw NoRenderer();

    public Task<ArtResult> DreamAsync(DreamRequest request, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default) => throw NoRenderer();

    public Task<ArtResult> GalleryAsync(GalleryRequest request, CancellationToken cancellationToken = default) => throw NoRenderer();

    public Task<IReadOnlyList<Prediction>> ClassifyAsync(byte[] image, int top = 5, CancellationToken cancellationToken = default) => throw NoRenderer();

    private static InvalidOperationException NoRenderer() => new("this process renders nothing (a receiver): jobs are for the workers");
}
