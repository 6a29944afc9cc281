using System.Diagnostics;
using ArtBot.Engine.Networks;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ArtBot.Engine.Algorithms;

/// <summary>The layers a transfer uses, and a sentence saying so for the user and the log.</summary>
public sealed record GatysLayers(IReadOnlyList<string> Style, IReadOnlyList<string> Content, string Description)
{
    private static readonly string[] GatysStyle = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"];
    private const string GatysContent = "relu4_2";

    /// <summary>
    /// The Gatys set (style relu1_1…relu5_1, content relu4_2) where the network has it;
    /// otherwise the first layer of each available block for style and the second layer of the
    /// deepest block for content (relu3_2 with VGG-19 through block 3).
    /// </summary>
    public static GatysLayers Choose(IReadOnlyList<string> available, IReadOnlyList<string>? style = null, IReadOnlyList<string>? content = null)
    {
        foreach (var layer in (style ?? []).Concat(content ?? []))
            if (!available.Contains(layer))
                throw new ArgumentException($"layer '{layer}' is not in this VGG (it has {string.Join(", ", available)})");

        var chosenStyle = style ?? GatysStyle.Where(available.Contains).ToList();
        if (chosenStyle.Count == 0) chosenStyle = [available[^1]];
        IReadOnlyList<string> chosenContent;
        if (content != null) chosenContent = content;
        else if (available.Contains(GatysContent)) chosenContent = [GatysContent];
        else
        {
            var deepestBlock = available[^1].Split('_')[0];
            var inBlock = available.Where(l => l.StartsWith(deepestBlock + "_", StringComparison.Ordinal)).ToList();
            chosenContent = [inBlock.Count > 1 ? inBlock[1] : inBlock[0]];
        }

        var complete = style == null && content == null && chosenStyle.Count == GatysStyle.Length && chosenContent[0] == GatysContent;
        var description = $"VGG-19 through {available[^1]}: style {string.Join(", ", chosenStyle)}; content {string.Join(", ", chosenContent)}"
            + (complete || style != null || content != null ? "" : " (the full Gatys set needs VGG-19 to relu5_1)");
        return new GatysLayers(chosenStyle, chosenContent, description);
    }
}

/// <summary>A picture's distance from its content photo and from its painting, unweighted means over the layers.</summary>
public sealed record GatysDistances(double Content, double Style);

/// <param name="Image">[1,3,H,W] RGB 0..1 at the requested size.</param>
/// <param name="Cancelled">True when stopped early: <see cref="Image"/> is then the best found so far.</param>
public sealed record GatysResult(Tensor Image, GatysLayers Layers, int Iterations, bool Cancelled);

/// <summary>
/// Gatys, Ecker &amp; Bethge, "Image Style Transfer Using Convolutional Neural Networks" (2016):
/// optimise an image so its VGG features match the content photo and its Gram matrices match
/// the style painting; coarse-to-fine over several scales; optional luminance-only transfer
/// ("Preserving color in neural artistic style transfer", Gatys et al. 2016).
/// Runs on the calling thread; call it from the engine's tensor thread.
/// </summary>
public static class GatysTransfer
{
    /// <summary>Progress carries the loss terms read at most this often (every step would make the host wait for the GPU each time).</summary>
    public const int ProgressLossInterval = 10;

    /// <param name="vgg">Computes at least <paramref name="layers"/>.</param>
    /// <param name="content">[1,3,H,W] RGB 0..1, already at the output size.</param>
    /// <param name="style">[1,3,h,w] RGB 0..1, any size.</param>
    public static GatysResult Run(
        Vgg19Features vgg,
        GatysLayers layers,
        Tensor content,
        Tensor style,
        GatysOptions options,
        IProgress<GatysProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Run(vgg, layers, content, [(style, 1.0)], options, progress, cancellationToken);

    /// <summary>
    /// Several paintings at once, as neural-style's <c>-style_blend_weights</c>: each painting has
    /// its own Gram targets, and the style term is the weighted sum of their losses (weights
    /// normalised to sum to 1, so the style weight means the same as with one painting).
    /// </summary>
    /// <param name="styles">Each [1,3,h,w] RGB 0..1, any size, with its share of the style.</param>
    public static GatysResult Run(
        Vgg19Features vgg,
        GatysLayers layers,
        Tensor content,
        IReadOnlyList<(Tensor Image, double Weight)> styles,
        GatysOptions options,
        IProgress<GatysProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (styles.Count == 0 || styles.Any(s => !(s.Weight >= 0)) || styles.Sum(s => s.Weight) <= 0)
            throw new ArgumentException("at least one painting, with non-negative weights that do not all vanish", nameof(styles));
        var total = styles.Sum(s => s.Weight);
        using var outer = torch.NewDisposeScope();
        // Read once: it walks the network's parameters, a new handle each, and every iteration needs it.
        var precision = vgg.Precision;
        var clock = Stopwatch.StartNew();
        var (height, width) = (content.shape[2], content.shape[3]);

        Tensor? contentChroma = null;
        // A painting with no share adds nothing but its Gram matrices' cost: it is left out.
        var paintings = styles.Where(s => s.Weight > 0).Select(s => (Image: s.Image, Weight: s.Weight / total)).ToList();
        if (options.PreserveColors)
        {
            // Luminance only: grey content and paintings, each painting's brightness matched to the
            // content's mean and spread (so it does not leak in); the content's chroma is put back after.
            var contentYiq = ToYiq(content);
            var contentY = contentYiq.narrow(1, 0, 1);
            contentChroma = contentYiq.narrow(1, 1, 2);
            content = Grey(contentY);
            paintings = paintings.Select(p => (Grey(MatchedLuminance(p.Image, contentY)), p.Weight)).ToList();
        }

        var sizes = ScaleSizes(height, width, options);
        var perScale = SplitIterations(options.Iterations, sizes.Count);
        var work = sizes.Select((s, i) => (double)s.Height * s.Width * perScale[i]).ToArray();
        double doneWork = 0;

        Tensor image = options.Init == GatysInit.Noise
            ? torch.rand([1, 3, sizes[0].Height, sizes[0].Width], generator: torch.manual_seed(options.Seed)) * 0.5f + 0.25f
            : Resize(content, sizes[0].Height, sizes[0].Width);
        Tensor best = image.clone();
        // The best image so far and its loss stay on the device: choosing it costs no host synchronisation.
        Tensor bestLoss = torch.tensor(double.PositiveInfinity, dtype: ScalarType.Float32, device: image.device);
        var iteration = 0;
        var cancelled = false;
        double c = double.NaN, s = double.NaN, t = double.NaN;

        for (var scale = 0; scale < sizes.Count && !cancelled; scale++)
        {
            var (h, w) = sizes[scale];
            if (scale > 0)
            {
                image = Resize(image, h, w);
                best = Resize(best, h, w);
                bestLoss.fill_(double.PositiveInfinity);
            }

            using var scaleScope = torch.NewDisposeScope();
            using var x = new TorchSharp.Modules.Parameter(image.detach().clone(), requires_grad: true);
            // Kept through the scale, written in place: a new image a step would be a block outliving
            // the activations freed around it, which the allocator could not reuse for them.
            var before = x.detach().clone();
            // A scale of n steps stores at most n − 1 pairs: a short render reserves no more than it fills.
            using var lbfgs = options.Optimizer == GatysOptimizer.Lbfgs
                ? new Lbfgs(x, Math.Max(1, Math.Min(options.LbfgsHistory, perScale[scale] - 1)))
                : null;
            using var adam = options.Optimizer == GatysOptimizer.Adam ? torch.optim.Adam([x], options.AdamLearningRate) : null;
            var (contentLosses, styleLosses) = BuildLosses(vgg, layers, Resize(content, h, w),
                paintings.Select(p => (ResizeStyle(p.Image, h, w, options.StyleScale), p.Weight)).ToList());
            using var tv = new TotalVariationLoss();

            for (var i = 0; i < perScale[scale]; i++)
            {
                if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
                using var step = torch.NewDisposeScope();
                Tensor? terms = null;
                Tensor Evaluate()
                {
                    // Each layer's terms are built as the network reaches it, not after it has run: the
                    // autograd engine runs later-built nodes first, so a shallow layer's Gram gradient (the
                    // size of that layer's features) is then made after the deeper layers' backward, when
                    // their activations are freed, instead of waiting through it.
                    var contentTerms = new Dictionary<string, Tensor>(contentLosses.Count);
                    var styleTerms = new Tensor[styleLosses.Count];
                    foreach (var (layer, features) in vgg.Stream(Vgg19Features.Preprocess(x).to_type(precision)))
                    {
                        for (var k = 0; k < styleLosses.Count; k++)
                            if (styleLosses[k].Layer == layer) styleTerms[k] = styleLosses[k].Loss.forward(features) * styleLosses[k].Weight;
                        if (contentLosses.TryGetValue(layer, out var contentTerm)) contentTerms[layer] = contentTerm.forward(features);
                    }
                    var contentLoss = contentLosses.Keys.Select(l => contentTerms[l]).Aggregate((a, b) => a + b) * (options.ContentWeight / contentLosses.Count);
                    var styleLoss = styleTerms.Aggregate((a, b) => a + b) * (options.StyleWeight / layers.Style.Count);
                    var tvLoss = tv.forward(x) * options.TvWeight;
                    var total = contentLoss + styleLoss + tvLoss;
                    total.backward();
                    terms = torch.stack([contentLoss.detach(), styleLoss.detach(), tvLoss.detach()]);
                    return total;
                }

                // The loss is measured at x before the update, so that is the image it describes.
                using (torch.no_grad()) before.copy_(x);
                Tensor loss;
                if (lbfgs != null)
                {
                    loss = lbfgs.Step(Evaluate);
                }
                else
                {
                    adam!.zero_grad();
                    loss = Evaluate().detach();
                    adam.step();
                    using (torch.no_grad()) x.clamp_(0f, 1f);
                }

                using (torch.no_grad())
                {
                    var better = loss.lt(bestLoss);   // false for NaN: a diverged step never becomes the best
                    best.copy_(torch.where(better, before, best));
                    bestLoss.copy_(torch.where(better, loss, bestLoss));
                }

                // Reading the losses waits for the device: done for progress only, and only every
                // few steps (and at each scale's first and last), not on every step.
                if (progress != null && (i % ProgressLossInterval == 0 || i == perScale[scale] - 1))
                {
                    var values = terms!.cpu().data<float>().ToArray();
                    (c, s, t) = (values[0], values[1], values[2]);
                }

                iteration++;
                doneWork += (double)h * w;
                var elapsed = clock.Elapsed;
                var remaining = work.Sum() - doneWork;
                TimeSpan? eta = doneWork > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds / doneWork * remaining) : null;
                progress?.Report(new GatysProgress(iteration, options.Iterations, scale + 1, sizes.Count, (int)w, (int)h, c, s, t, elapsed, eta,
                    () => contentChroma is null ? x.detach()
                        : WithChroma(x.detach(), F.interpolate(contentChroma, [h, w], mode: InterpolationMode.Bilinear, align_corners: false)),
                    doneWork / work.Sum()));
            }

            foreach (var loss in contentLosses.Values.Cast<nn.Module>().Concat(styleLosses.Select(s => s.Loss))) loss.Dispose();
            // L-BFGS may end on a worse step than the best seen; the best is what carries on.
            image = (double.IsFinite(bestLoss.item<float>()) ? best.clone() : x.detach().clone()).DetachFromDisposeScope();
            outer.Attach(image);
        }

        var result = best.shape[2] == height && best.shape[3] == width ? best : Resize(best, height, width);
        result = result.clamp(0f, 1f);
        if (contentChroma is not null) result = WithChroma(result, contentChroma);
        return new GatysResult(result.MoveToOuterDisposeScope(), layers, iteration, cancelled);
    }

    /// <summary>The content and style losses of <paramref name="image"/> as the last scale of <see cref="Run"/> measures them, without weights.</summary>
    /// <param name="content">[1,3,H,W] at the image's size.</param>
    public static GatysDistances Distances(Vgg19Features vgg, GatysLayers layers, Tensor content, Tensor style, Tensor image, GatysOptions options)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (h, w) = (image.shape[2], image.shape[3]);
        var (contentLosses, styleLosses) = BuildLosses(vgg, layers, content, [(ResizeStyle(style, h, w, options.StyleScale), 1.0)]);
        try
        {
            var features = vgg.forward(Vgg19Features.Preprocess(image).to_type(vgg.Precision));
            var c = contentLosses.Average(kv => kv.Value.forward(features[kv.Key]).item<float>());
            var s = styleLosses.Average(l => l.Loss.forward(features[l.Layer]).item<float>());
            return new GatysDistances(c, s);
        }
        finally
        {
            foreach (var loss in contentLosses.Values.Cast<nn.Module>().Concat(styleLosses.Select(s => s.Loss))) loss.Dispose();
        }
    }

    internal static IReadOnlyList<(long Height, long Width)> ScaleSizes(long height, long width, GatysOptions options)
    {
        var longSide = Math.Max(height, width);
        var sizes = new List<(long, long)>();
        for (var k = Math.Max(1, options.Scales) - 1; k >= 0; k--)
        {
            var side = longSide / Math.Pow(2, k);
            if (side < options.MinScaleSide && k > 0) continue;
            var factor = side / longSide;
            var size = (Math.Max(1, (long)Math.Round(height * factor)), Math.Max(1, (long)Math.Round(width * factor)));
            if (!sizes.Contains(size)) sizes.Add(size);
        }
        return sizes;
    }

    /// <summary>
    /// Each scale gets twice the iterations of the next finer one: coarse iterations are cheap
    /// and settle the composition, the fine scale starts close and only adds detail.
    /// </summary>
    internal static int[] SplitIterations(int total, int scales)
    {
        var weights = Enumerable.Range(0, scales).Select(k => Math.Pow(2, scales - 1 - k)).ToArray();
        var split = weights.Select(w => (int)Math.Floor(total * w / weights.Sum())).ToArray();
        split[^1] += total - split.Sum();
        return split;
    }

    /// <summary>A content loss per content layer; a style loss per style layer and painting, with the painting's share.</summary>
    private static (Dictionary<string, ContentLoss>, List<(string Layer, StyleLoss Loss, double Weight)>) BuildLosses(
        Vgg19Features vgg, GatysLayers layers, Tensor content, IReadOnlyList<(Tensor Image, double Weight)> styles)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // Each layer's target is taken as the network reaches it and its features freed at once, so
        // at most two feature maps (a layer's input and output) are alive, not every captured layer.
        var contentLosses = new Dictionary<string, ContentLoss>(layers.Content.Count);
        foreach (var (layer, features) in vgg.Stream(Vgg19Features.Preprocess(content).to_type(vgg.Precision), keepOutputs: false))
            if (layers.Content.Contains(layer)) contentLosses[layer] = new ContentLoss(features);
        var styleLosses = new List<(string, StyleLoss, double)>();
        foreach (var (image, weight) in styles)
        {
            var grams = new Dictionary<string, StyleLoss>(layers.Style.Count);
            foreach (var (layer, features) in vgg.Stream(Vgg19Features.Preprocess(image).to_type(vgg.Precision), keepOutputs: false))
                if (layers.Style.Contains(layer)) grams[layer] = new StyleLoss(features);
            styleLosses.AddRange(layers.Style.Select(l => (l, grams[l], weight)));
        }
        foreach (var m in contentLosses.Values.Cast<nn.Module>().Concat(styleLosses.Select(s => s.Item2)))
            foreach (var b in m.buffers()) b.MoveToOuterDisposeScope();
        return (layers.Content.ToDictionary(l => l, l => contentLosses[l]), styleLosses);
    }

    private static Tensor ResizeStyle(Tensor style, long height, long width, double styleScale)
    {
        var target = Math.Max(height, width) * styleScale;
        var factor = target / Math.Max(style.shape[2], style.shape[3]);
        return Resize(style, Math.Max(1, (long)Math.Round(style.shape[2] * factor)), Math.Max(1, (long)Math.Round(style.shape[3] * factor)));
    }

    internal static Tensor Resize(Tensor image, long height, long width)
    {
        if (image.shape[2] == height && image.shape[3] == width) return image.alias();
        var shrinking = height < image.shape[2];
        return F.interpolate(image.detach(), [height, width], mode: InterpolationMode.Bicubic, align_corners: false, antialias: shrinking).clamp(0f, 1f);
    }

    // YIQ: luminance Y, chroma I and Q.
    private static readonly float[,] RgbToYiq = { { 0.299f, 0.587f, 0.114f }, { 0.596f, -0.274f, -0.322f }, { 0.211f, -0.523f, 0.312f } };

    private static Tensor ToYiq(Tensor rgb) => torch.einsum("ij,bjhw->bihw", torch.tensor(RgbToYiq, device: rgb.device), rgb);

    private static Tensor FromYiq(Tensor yiq) => torch.einsum("ij,bjhw->bihw", torch.linalg.inv(torch.tensor(RgbToYiq, device: yiq.device)), yiq);

    private static Tensor Grey(Tensor luminance) => luminance.expand(-1, 3, -1, -1).clamp(0f, 1f);

    /// <summary>The painting's luminance with the content luminance's mean and standard deviation.</summary>
    private static Tensor MatchedLuminance(Tensor style, Tensor contentY)
    {
        var styleY = ToYiq(style).narrow(1, 0, 1);
        return (styleY - styleY.mean()) / styleY.std().clamp_min(1e-5) * contentY.std() + contentY.mean();
    }

    private static Tensor WithChroma(Tensor greyResult, Tensor contentChroma)
    {
        var y = ToYiq(greyResult).narrow(1, 0, 1);
        return FromYiq(torch.cat([y, contentChroma], 1)).clamp(0f, 1f);
    }
}
