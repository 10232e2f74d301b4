using System.Globalization;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>
/// torchvision's VGG16 <c>features</c> up to relu5_3 (layers 0 to 29) with DISTS' L2 pooling in place of the max-pools
/// 4, 9, 16 and 23; parameter names equal the keys of torchvision's <c>vgg16-397923af.pth</c> (<c>features.0.weight</c>,
/// ...). Returns relu1_2, relu2_2, relu3_3, relu4_3 and relu5_3 (after layers 3, 8, 15, 22 and 29).
/// </summary>
internal sealed class Vgg16Features : TappedFeatures
{
    // Output channels of each 3x3 convolution, with 0 where an L2 pooling stands.
    private static readonly int[] Layout = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512];

    public Vgg16Features()
        : base(nameof(Vgg16Features), Layers(), [3, 8, 15, 22, 29])
    {
    }

    /// <summary>The channels of the five outputs.</summary>
    public static IReadOnlyList<int> Channels { get; } = [64, 128, 256, 512, 512];

    private static List<(string, nn.Module<Tensor, Tensor>)> Layers()
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        var channels = 3;
        foreach (var width in Layout)
        {
            if (width == 0)
            {
                layers.Add((layers.Count.ToString(CultureInfo.InvariantCulture), new L2Pooling(channels)));
                continue;
            }

            layers.Add((layers.Count.ToString(CultureInfo.InvariantCulture), nn.Conv2d(channels, width, 3, padding: 1)));
            layers.Add((layers.Count.ToString(CultureInfo.InvariantCulture), nn.ReLU()));
            channels = width;
        }

        return layers;
    }
}
