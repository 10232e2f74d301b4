using StableVsr.IO;
using StableVsr.Sampling.Resume;

namespace StableVsr.Cli.Commands;

/// <summary>One sequence of a <c>stablevsr upscale</c> run: where its frames come from and where they go.</summary>
/// <param name="Input">A folder of frames or a video file.</param>
/// <param name="Output">A folder for PNG frames, or a video file (by its extension).</param>
internal sealed record SequencePlan(string Input, string Output)
{
    /// <summary>Video files read as input (ffmpeg reads many more; these are the ones a folder is searched for).</summary>
    public static readonly IReadOnlyList<string> VideoExtensions = [".mp4", ".mkv", ".mov", ".m4v", ".avi", ".webm", ".mpg", ".mpeg", ".ts", ".wmv", ".flv"];

    /// <summary>Video files written as output (the containers <see cref="VideoFileSink"/> writes).</summary>
    public static readonly IReadOnlyList<string> OutputVideoExtensions = [".mp4", ".m4v", ".mov", ".mkv"];

    /// <summary>Whether the input is a video file (else a folder of frames).</summary>
    public bool InputIsVideo => IsVideo(Input, VideoExtensions);

    /// <summary>Whether the output is a video file (else a folder of PNG frames).</summary>
    public bool OutputIsVideo => IsVideo(Output, OutputVideoExtensions);

    /// <summary>The journal folder beside (or inside) the output; a video sink keeps its segments there too.</summary>
    public string JournalFolder => JournalOptions.ForOutput(Output, outputIsFolder: !OutputIsVideo);

    /// <summary>Whether the output is finished: it exists (a video, or a folder holding frames) and no journal says otherwise.</summary>
    public bool IsComplete => !Directory.Exists(JournalFolder) && (OutputIsVideo ? File.Exists(Output) : ImageFolderSource.HoldsFrames(Output));

    /// <summary>Whether a path names a video by its extension.</summary>
    public static bool IsVideo(string path, IReadOnlyList<string> extensions) =>
        extensions.Contains(Path.GetExtension(path).ToLowerInvariant());
}
