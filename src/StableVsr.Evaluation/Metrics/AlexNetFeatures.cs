using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>
/// torchvision's AlexNet <c>features</c> up to the last ReLU (layers 0 to 11), whose parameter names equal the keys of
/// torchvision's <c>alexnet-owt-7be5be79.pth</c> (<c>features.0.weight</c>, ...). Returns the five ReLU outputs LPIPS
/// compares (after layers 1, 4, 7, 9 and 11).
/// </summary>
internal sealed class AlexNetFeatures : TappedFeatures
{
    public AlexNetFeatures()
        : base(
            nameof(AlexNetFeatures),
            [
                ("0", nn.Conv2d(3, 64, 11, stride: 4, padding: 2)),
                ("1", nn.ReLU()),
                ("2", nn.MaxPool2d(3, 2)),
                ("3", nn.Conv2d(64, 192, 5, padding: 2)),
                ("4", nn.ReLU()),
                ("5", nn.MaxPool2d(3, 2)),
                ("6", nn.Conv2d(192, 384, 3, padding: 1)),
                ("7", nn.ReLU()),
                ("8", nn.Conv2d(384, 256, 3, padding: 1)),
                ("9", nn.ReLU()),
                ("10", nn.Conv2d(256, 256, 3, padding: 1)),
                ("11", nn.ReLU()),
            ],
            [1, 4, 7, 9, 11])
    {
    }

    /// <summary>The channels of the five outputs.</summary>
    public static IReadOnlyList<int> Channels { get; } = [64, 192, 384, 256, 256];
}
