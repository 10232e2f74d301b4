using Microsoft.Extensions.Logging;
using StableVsr.Weights;
using StableVsr.Weights.Pickle;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Weights;

/// <summary>
/// The learned heads shipped inside this assembly, unchanged from their projects (see <c>LICENSES.md</c>, also
/// embedded): LPIPS v0.1's AlexNet heads (BSD-2-Clause) and DISTS' alpha/beta (MIT). Both are legacy
/// <c>torch.save</c> files, read by the same restricted unpickler as any other checkpoint.
/// </summary>
internal static class EmbeddedWeights
{
    /// <summary>LPIPS v0.1 AlexNet heads: <c>lin{0..4}.model.1.weight</c>.</summary>
    public const string LpipsAlexHeads = "StableVsr.Evaluation.lpips_alex.pth";

    /// <summary>DISTS' <c>alpha</c> and <c>beta</c>.</summary>
    public const string DistsAlphaBeta = "StableVsr.Evaluation.dists_weights.pt";

    /// <summary>The licence texts of both files.</summary>
    public const string Licenses = "StableVsr.Evaluation.LICENSES.md";

    /// <summary>Loads the embedded checkpoint <paramref name="resource"/> into <paramref name="module"/>.</summary>
    public static void LoadInto(nn.Module module, string resource, ILogger? logger)
    {
        // The pickle reader works on files (storages are read in place), so the few kilobytes go to a private
        // temporary file for the duration of the load.
        var path = Path.Combine(Path.GetTempPath(), $"stablevsr-{Guid.NewGuid():N}-{resource}");
        try
        {
            using (var stream = Open(resource))
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.CopyTo(file);
            }

            using var checkpoint = PickleCheckpoint.Open(path);
            StateDictLoader.Load(module, checkpoint, logger);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Opens an embedded resource of this assembly.</summary>
    public static Stream Open(string resource) =>
        typeof(EmbeddedWeights).Assembly.GetManifestResourceStream(resource)
        ?? throw new ModelLoadException($"The resource '{resource}' is missing from {typeof(EmbeddedWeights).Assembly.GetName().Name}; the assembly is damaged. Reinstall the StableVsr.Evaluation package.", resource);
}
