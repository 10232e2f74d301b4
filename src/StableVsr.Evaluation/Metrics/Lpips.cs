using Microsoft.Extensions.Logging;
using StableVsr.Evaluation.Weights;
using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>
/// LPIPS v0.1 with AlexNet, as torchmetrics 1.1.1's <c>LearnedPerceptualImagePatchSimilarity(net_type='alex',
/// normalize=True)</c> computes it: [0, 1] images mapped to [-1, 1], shifted and scaled per channel, AlexNet's five
/// ReLU outputs unit-normalised over channels (1e-10 added to the norm), squared differences weighted by the learned
/// 1x1 heads, averaged over space and summed over the layers. Lower is more similar.
/// </summary>
public sealed class Lpips : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>The smallest side AlexNet's strides and pools leave at least one feature pixel for.</summary>
    public const int MinSide = 31;

    private const double NormEpsilon = 1e-10;

    private readonly AlexNetFeatures net;
    private readonly LpipsHeads heads;
    private readonly Tensor shift;
    private readonly Tensor scale;

    internal Lpips()
        : base(nameof(Lpips))
    {
        net = new AlexNetFeatures();
        heads = new LpipsHeads(AlexNetFeatures.Channels);
        shift = ChannelConstant.Of([-0.030f, -0.088f, -0.188f]);
        scale = ChannelConstant.Of([0.458f, 0.448f, 0.450f]);
        // Constants, not checkpoint entries: registered as non-persistent buffers (so they move with the module)
        // before RegisterComponents would make them persistent ones.
        register_buffer(nameof(shift), shift, persistent: false);
        register_buffer(nameof(scale), scale, persistent: false);
        RegisterComponents();
        eval();
    }

    /// <summary>
    /// Loads LPIPS on <paramref name="device"/> (CPU by default): the AlexNet backbone from torchvision's ImageNet
    /// weights (<c>alexnet-owt-7be5be79.pth</c>, or any file with its <c>features.*</c> keys; <c>classifier.*</c> is
    /// ignored) and the learned heads shipped inside this assembly.
    /// </summary>
    /// <exception cref="ModelLoadException">The file is missing, unreadable, or lacks AlexNet's feature weights.</exception>
    public static Lpips Load(string alexNetWeights, Device? device = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(alexNetWeights);
        return ModuleLoading.Load(new Lpips(), device, model =>
        {
            ModuleLoading.LoadFile(model.net, alexNetWeights, "AlexNet", logger);
            EmbeddedWeights.LoadInto(model.heads, EmbeddedWeights.LpipsAlexHeads, logger);
        });
    }

    /// <summary>The LPIPS distance of each pair: ground truth and output [B, 3, H, W] in [0, 1]; returns [B].</summary>
    /// <exception cref="InvalidInputException">The images are not [B, 3, H, W] tensors of one shape, or values lie outside [0, 1].</exception>
    public override Tensor forward(Tensor groundTruth, Tensor output)
    {
        using var scope = NewDisposeScope();
        using var features = Features(groundTruth, output);
        return Distance(features.Take(0, groundTruth.shape[0]), features.Take(groundTruth.shape[0], output.shape[0])).MoveToOuterDisposeScope();
    }

    /// <summary>The five per-layer terms (each spatially averaged, [B] each) whose sum is the distance.</summary>
    /// <exception cref="InvalidInputException">See <see cref="forward"/>.</exception>
    public Tensor[] LayerTerms(Tensor groundTruth, Tensor output)
    {
        using var scope = NewDisposeScope();
        using var features = Features(groundTruth, output);
        var a = features.Take(0, groundTruth.shape[0]);
        var b = features.Take(groundTruth.shape[0], output.shape[0]);
        return Enumerable.Range(0, a.Count).Select(k => Term(k, a[k], b[k]).MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>
    /// The unit-normalised AlexNet features of a batch, computed once and compared with several others (the temporal
    /// metric compares each frame with its predecessor as well as with its ground truth).
    /// </summary>
    /// <exception cref="InvalidInputException">The images are not [B, 3, H, W] in [0, 1].</exception>
    internal LpipsFeatures Features(Tensor images)
    {
        ImageChecks.SamePair(images, images, "LPIPS", MinSide);
        ImageChecks.InUnitRange(images, "images", "LPIPS");
        return UncheckedFeatures(images);
    }

    /// <summary>The distance [B] between two batches of features, pair by pair.</summary>
    internal Tensor Distance(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        using var scope = NewDisposeScope();
        var total = Term(0, a[0], b[0]);
        for (var k = 1; k < a.Count; k++)
        {
            total = total.Plus(Term(k, a[k], b[k]));
        }

        return total.MoveToOuterDisposeScope();
    }

    private LpipsFeatures Features(Tensor groundTruth, Tensor output)
    {
        ImageChecks.SamePair(groundTruth, output, "LPIPS", MinSide);
        ImageChecks.InUnitRange(groundTruth, "ground-truth images", "LPIPS");
        ImageChecks.InUnitRange(output, "output images", "LPIPS");
        using var both = cat([groundTruth, output.to(groundTruth.dtype, groundTruth.device)]);
        return UncheckedFeatures(both);
    }

    private LpipsFeatures UncheckedFeatures(Tensor images)
    {
        using var scope = NewDisposeScope();
        var device = shift.device;
        var x = (images.to(float32, device).Times(2).Minus(1) - shift) / scale;
        var layers = net.call(x).Select(f => (f / f.Power(2).sum(1, keepdim: true).sqrt().Plus(NormEpsilon)).MoveToOuterDisposeScope()).ToArray();
        return new LpipsFeatures(layers);
    }

    private Tensor Term(int layer, Tensor a, Tensor b) => heads.Apply(layer, (a - b).Power(2)).mean([2, 3]).flatten();
}
