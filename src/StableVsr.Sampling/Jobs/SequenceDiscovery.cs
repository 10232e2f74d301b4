using StableVsr.IO;

namespace StableVsr.Sampling.Jobs;

/// <summary>How an input path becomes the sequences of a run (see <see cref="UpscaleJob.Discover(string, string, VideoCodec)"/>).</summary>
internal static class SequenceDiscovery
{
    /// <summary>The jobs of <paramref name="input"/> into <paramref name="output"/>, both absolute.</summary>
    /// <exception cref="InvalidInputException">The input does not exist, is a file that is not a video, or holds no sequence; or a folder of sequences is given a video output.</exception>
    public static IReadOnlyList<UpscaleJob> Find(string input, string output, VideoCodec codec)
    {
        if (File.Exists(input))
        {
            return MediaPaths.HasVideoInputExtension(input)
                ? [new UpscaleJob(input, output)]
                : throw new InvalidInputException(
                    $"Input '{input}' is a file but not a video ({string.Join(", ", MediaPaths.VideoInputExtensions)}); give a video, a folder of frames or a folder of sequences.");
        }

        if (!Directory.Exists(input))
        {
            throw new InvalidInputException($"Input '{input}' does not exist.");
        }

        if (ImageFolderSource.HoldsFrames(input))
        {
            return [new UpscaleJob(input, output)];
        }

        if (MediaPaths.IsVideoOutput(output))
        {
            throw new InvalidInputException($"The output '{output}' is a video file, but the input '{input}' holds several sequences: give an output folder.");
        }

        var folders = Directory.GetDirectories(input)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Where(ImageFolderSource.HoldsFrames)
            .Select(d => new UpscaleJob(d, Path.Combine(output, Path.GetFileName(d))));
        var videos = Directory.GetFiles(input)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && MediaPaths.HasVideoInputExtension(f))
            .Select(f => new UpscaleJob(f, Path.Combine(output, Path.GetFileNameWithoutExtension(f) + MediaPaths.VideoOutputExtensionFor(f, codec))));
        var jobs = folders.Concat(videos).OrderBy(j => Path.GetFileName(j.Input), NaturalSortComparer.Instance).ToArray();
        if (jobs.Length == 0)
        {
            throw new InvalidInputException(
                $"Input folder '{input}' holds no frames, no video and no subfolder with frames: give a video, a folder of PNG/JPEG/BMP frames, or a folder of such folders and videos.");
        }

        return jobs;
    }
}
