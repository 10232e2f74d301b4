using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>
/// A torchvision <c>features</c> stack (registered as <c>features</c>, so the keys are <c>features.{i}.weight</c>)
/// run layer by layer, returning the outputs of the tapped layers: what LPIPS' AlexNet and DISTS' VGG16 share.
/// </summary>
internal abstract class TappedFeatures : nn.Module<Tensor, Tensor[]>
{
    private readonly Sequential features;
    private readonly HashSet<int> taps;

    protected TappedFeatures(string name, IEnumerable<(string, nn.Module<Tensor, Tensor>)> layers, IEnumerable<int> taps)
        : base(name)
    {
        features = nn.Sequential(layers);
        this.taps = taps.ToHashSet();
        register_module(nameof(features), features);
    }

    /// <summary>The outputs of the tapped layers, in order.</summary>
    public override Tensor[] forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>(taps.Count);
        var x = input;
        var index = 0;
        foreach (var layer in features.children())
        {
            x = ((nn.Module<Tensor, Tensor>)layer).call(x);
            if (taps.Contains(index++))
            {
                outputs.Add(x);
            }
        }

        return outputs.Select(o => o.MoveToOuterDisposeScope()).ToArray();
    }
}
