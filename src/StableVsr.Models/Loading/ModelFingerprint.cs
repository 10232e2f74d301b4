using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StableVsr.Weights;

namespace StableVsr.Models.Loading;

/// <summary>
/// A cheap identity of a loaded checkpoint: the name, length and a hash of the first MiB (configs whole; for weight
/// files the header, which lists every tensor's name, dtype, shape and offset) of every file a load reads, plus the
/// precision. Two workers, or a run and its resume, compare fingerprints to be sure they use the same model without
/// hashing gigabytes of weights.
/// </summary>
internal static class ModelFingerprint
{
    private const int HashedPrefix = 1 << 20;

    /// <summary>
    /// The fingerprint of the StableVSR folder <paramref name="folder"/>, the RAFT weights and the precision;
    /// <paramref name="controlNetFolder"/>, when given, stands for the folder's <c>controlnet/</c> (a trained ControlNet
    /// then changes the fingerprint, the folder's own gives the same one).
    /// </summary>
    public static string Of(string folder, string raftWeights, PrecisionPolicy precision, string? controlNetFolder = null)
    {
        var files = new List<(string Name, string Path)>();
        foreach (var (subfolder, _) in CheckpointLayout.ModelFolders)
        {
            var model = subfolder == CheckpointLayout.ControlNetFolder && controlNetFolder is not null ? controlNetFolder : Path.Combine(folder, subfolder);
            files.Add(($"{subfolder}/{CheckpointLayout.ConfigFileName}", Path.Combine(model, CheckpointLayout.ConfigFileName)));
            if (CheckpointLayout.FindWeights(model) is { } weights)
            {
                files.Add(($"{subfolder}/{Path.GetFileName(weights)}", weights));
            }
        }

        files.Add((CheckpointLayout.SchedulerConfigPath, Path.Combine(folder, CheckpointLayout.SchedulerConfigPath)));
        files.AddRange(CheckpointLayout.TokenizerFiles.Select(f => ($"{CheckpointLayout.TokenizerFolder}/{f}", Path.Combine(folder, CheckpointLayout.TokenizerFolder, f))));
        files.Add(("raft/" + Path.GetFileName(raftWeights), raftWeights));

        var text = new StringBuilder(precision.ToString()).Append('\n');
        foreach (var (name, path) in files.Where(f => File.Exists(f.Path)))
        {
            using var stream = File.OpenRead(path);
            var prefix = new byte[(int)Math.Min(stream.Length, HashedPrefix)];
            stream.ReadExactly(prefix);
            text.Append(CultureInfo.InvariantCulture, $"{name}\t{stream.Length}\t{Convert.ToHexString(SHA256.HashData(prefix))}\n");
        }

        return "model:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
