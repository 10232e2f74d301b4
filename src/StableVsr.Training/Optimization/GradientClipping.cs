using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Training.Optimization;

/// <summary>
/// <c>torch.nn.utils.clip_grad_norm_</c> (L2) as torch 1.13 computes it: the total norm is the L2 norm of the per-tensor
/// L2 norms; every gradient is multiplied by <c>min(1, max_norm / (total + 1e-6))</c>, a float32 tensor computed as
/// PyTorch's <c>float / tensor</c> does (the reciprocal, then the product).
/// </summary>
internal static class GradientClipping
{
    private const double NormEpsilon = 1e-6;

    /// <summary>Clips the gradients of <paramref name="parameters"/> in place and returns the total norm before clipping.</summary>
    /// <param name="parameters">The parameters; those without a gradient are skipped, as PyTorch does.</param>
    /// <param name="maxNorm">The largest total norm left after clipping.</param>
    public static double ClipByTotalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0)
        {
            return 0.0;
        }

        var norms = stack(grads.Select(g => g.detach().norm()).ToArray());
        var total = norms.norm();
        var coefficient = total.Plus(NormEpsilon).reciprocal().mul(ScalarCache.Of(maxNorm)).clamp_max(ScalarCache.Of(1.0));
        foreach (var grad in grads)
        {
            grad.mul_(coefficient);
        }

        return total.item<float>();
    }
}
