using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// Builds torchvision's <c>Conv2dNormActivation</c>: a <see cref="Sequential"/> of a biased convolution with
/// "same" padding, an optional norm and an optional ReLU, numbered 0, 1, 2 as its state-dict keys are.
/// </summary>
internal static class ConvNormActivation
{
    /// <summary>Creates the block; the norm (when any) is child 1 and the ReLU follows it.</summary>
    public static Sequential Create(long inChannels, long outChannels, long kernelSize, long stride = 1, RaftNorm norm = RaftNorm.None, bool activation = true)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: (kernelSize - 1) / 2, bias: true),
        };

        switch (norm)
        {
            case RaftNorm.Instance:
                layers.Add(nn.InstanceNorm2d(outChannels));
                break;
            case RaftNorm.Batch:
                layers.Add(new RaftBatchNorm(outChannels));
                break;
            case RaftNorm.None:
                break;
            default:
                throw new UnsupportedConfigException("norm", norm.ToString(), detail: "Expected None, Instance or Batch.");
        }

        if (activation)
        {
            layers.Add(nn.ReLU());
        }

        return nn.Sequential(layers.ToArray());
    }
}
