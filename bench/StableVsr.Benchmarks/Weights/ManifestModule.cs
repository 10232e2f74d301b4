using TorchSharp;

namespace StableVsr.Benchmarks.Weights;

/// <summary>
/// A module tree holding one zero float32 parameter per manifest entry, nested along the dots of its key, so its
/// state dict has exactly the checkpoint's keys and shapes.
/// </summary>
internal sealed class ManifestModule : torch.nn.Module
{
    public ManifestModule(IEnumerable<KeyValuePair<string, long[]>> entries)
        : base(nameof(ManifestModule))
    {
        foreach (var group in entries.GroupBy(e => e.Key.Contains('.') ? e.Key[..e.Key.IndexOf('.')] : null))
        {
            if (group.Key is null)
            {
                foreach (var (name, shape) in group)
                {
                    register_parameter(name, new TorchSharp.Modules.Parameter(torch.zeros(shape), requires_grad: false));
                }
            }
            else
            {
                register_module(group.Key, new ManifestModule(group.Select(e => new KeyValuePair<string, long[]>(e.Key[(group.Key.Length + 1)..], e.Value))));
            }
        }
    }
}
