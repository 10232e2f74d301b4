using StableVsr.Weights;
using TorchSharp;

namespace StableVsr.Tests.Weights;

/// <summary>
/// A module tree with one zero parameter per tensor info, nested along the dots of its key
/// (<c>a.b.weight</c> is parameter <c>weight</c> of child <c>b</c> of child <c>a</c>): a stand-in of any checkpoint's shape.
/// </summary>
internal sealed class ShapeOnlyModule : torch.nn.Module
{
    public ShapeOnlyModule(IEnumerable<TensorInfo> tensors)
        : this(tensors.Select(t => (t.Name, t)))
    {
    }

    private ShapeOnlyModule(IEnumerable<(string Path, TensorInfo Info)> tensors)
        : base(nameof(ShapeOnlyModule))
    {
        foreach (var group in tensors.GroupBy(t => t.Path.Contains('.') ? t.Path[..t.Path.IndexOf('.')] : null))
        {
            if (group.Key is null)
            {
                foreach (var (path, info) in group)
                {
                    register_parameter(path, new TorchSharp.Modules.Parameter(torch.zeros(info.Shape, info.ScalarType), requires_grad: false));
                }
            }
            else
            {
                register_module(group.Key, new ShapeOnlyModule(group.Select(t => (t.Path[(group.Key.Length + 1)..], t.Info))));
            }
        }
    }
}
