using Microsoft.Extensions.Logging;
using StableVsr.Evaluation.Weights;
using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>
/// DISTS (Ding et al., 2020) as DISTS_pytorch 0.1 computes it: six feature sets per image (the [0, 1] image itself and
/// VGG16's relu1_2 to relu5_3 on the ImageNet-normalised image, with L2 pooling), and per set and channel a structure
/// term from the means and a texture term from the variances and covariance, weighted by the learned alpha and beta.
/// <c>1 - Σ(α·S1 + β·S2)</c>: lower is more similar; identical images give 0 up to float32 rounding of Σα + Σβ.
/// Images are taken as they are (no resizing, no range check), as eval.py calls it.
/// </summary>
public sealed class Dists : nn.Module<Tensor, Tensor, Tensor>
{
    private const double C1 = 1e-6;
    private const double C2 = 1e-6;
    private static readonly long[] StageChannels = [3, 64, 128, 256, 512, 512];

    private readonly Vgg16Features net;
    private readonly DistsHeads heads;
    private readonly Tensor mean;
    private readonly Tensor std;

    internal Dists()
        : base(nameof(Dists))
    {
        net = new Vgg16Features();
        heads = new DistsHeads((int)StageChannels.Sum());
        mean = ChannelConstant.Of([0.485f, 0.456f, 0.406f]);
        std = ChannelConstant.Of([0.229f, 0.224f, 0.225f]);
        // Constants, not checkpoint entries: registered as non-persistent buffers (so they move with the module)
        // before RegisterComponents would make them persistent ones.
        register_buffer(nameof(mean), mean, persistent: false);
        register_buffer(nameof(std), std, persistent: false);
        RegisterComponents();
        eval();
    }

    /// <summary>
    /// Loads DISTS on <paramref name="device"/> (CPU by default): the VGG16 backbone from torchvision's ImageNet
    /// weights (<c>vgg16-397923af.pth</c>, or any file with its <c>features.*</c> keys; <c>classifier.*</c> is ignored)
    /// and alpha/beta shipped inside this assembly.
    /// </summary>
    /// <exception cref="ModelLoadException">The file is missing, unreadable, or lacks VGG16's feature weights.</exception>
    public static Dists Load(string vgg16Weights, Device? device = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(vgg16Weights);
        return ModuleLoading.Load(new Dists(), device, model =>
        {
            ModuleLoading.LoadFile(model.net, vgg16Weights, "VGG16", logger);
            EmbeddedWeights.LoadInto(model.heads, EmbeddedWeights.DistsAlphaBeta, logger);
        });
    }

    /// <summary>The DISTS distance of each pair: ground truth and output [B, 3, H, W] in [0, 1]; returns [B].</summary>
    /// <exception cref="InvalidInputException">The images are not [B, 3, H, W] floating-point tensors of one shape.</exception>
    public override Tensor forward(Tensor groundTruth, Tensor output)
    {
        ImageChecks.SamePair(groundTruth, output, "DISTS");
        using var scope = NewDisposeScope();
        var batch = groundTruth.shape[0];
        var features = Features(cat([groundTruth, output.to(groundTruth.dtype, groundTruth.device)]));
        var (alpha, beta) = heads.Normalised(StageChannels);
        Tensor? structure = null;
        Tensor? texture = null;
        for (var k = 0; k < features.Length; k++)
        {
            var x = features[k].narrow(0, 0, batch);
            var y = features[k].narrow(0, batch, batch);
            var xMean = x.mean([2, 3], keepdim: true);
            var yMean = y.mean([2, 3], keepdim: true);
            var s1 = (xMean.Times(2) * yMean).Plus(C1) / xMean.Power(2).Plus(yMean.Power(2)).Plus(C1);
            var termS1 = (alpha[k] * s1).sum(1, keepdim: true);
            structure = structure is null ? termS1 : structure.Plus(termS1);

            var xVariance = (x - xMean).Power(2).mean([2, 3], keepdim: true);
            var yVariance = (y - yMean).Power(2).mean([2, 3], keepdim: true);
            var covariance = (x * y).mean([2, 3], keepdim: true) - xMean * yMean;
            var s2 = covariance.Times(2).Plus(C2) / xVariance.Plus(yVariance).Plus(C2);
            var termS2 = (beta[k] * s2).sum(1, keepdim: true);
            texture = texture is null ? termS2 : texture.Plus(termS2);
        }

        return structure!.Plus(texture!).SubtractedFrom(1).flatten().MoveToOuterDisposeScope();
    }

    /// <summary>The six feature sets of a batch: the image itself, then relu1_2 ... relu5_3.</summary>
    internal Tensor[] Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = images.to(float32, mean.device);
        if (ReferenceEquals(x, images))
        {
            // The image is itself the first feature set; hand out a view, never the caller's tensor.
            x = x.view(x.shape);
        }

        var stages = net.call((x - mean) / std);
        return new[] { x }.Concat(stages).Select(t => t.MoveToOuterDisposeScope()).ToArray();
    }
}
