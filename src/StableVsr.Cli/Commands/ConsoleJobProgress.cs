using System.Globalization;
using StableVsr.Orleans;

namespace StableVsr.Cli.Commands;

/// <summary>Draws a cluster job's progress on standard error: frames committed over all segments, segments done, retries.</summary>
internal sealed class ConsoleJobProgress(TextWriter writer, bool interactive) : IProgress<UpscaleJobStatus>
{
    private const int Width = 30;
    private readonly DateTime start = DateTime.UtcNow;

    /// <inheritdoc />
    public void Report(UpscaleJobStatus value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var total = value.FrameCount;
        var fraction = value.IsFinished && value.State == UpscaleJobState.Succeeded ? 1 : total is > 0 ? (double)value.FramesDone / total.Value : 0;
        var filled = (int)Math.Round(fraction * Width);
        var running = value.Segments.Count(s => s.State is SegmentState.Running or SegmentState.Committing);
        var retries = value.Segments.Sum(s => Math.Max(0, s.Attempts - 1));
        var elapsed = DateTime.UtcNow - start;
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"{value.JobId} [{new string('#', filled)}{new string('.', Width - filled)}] {fraction * 100,5:0.0}% {value.State.ToString().ToLowerInvariant()} " +
            $"segments {value.SegmentsDone}/{value.Segments.Count} ({running} running{(retries > 0 ? $", {retries} retried" : string.Empty)}) elapsed {elapsed:hh\\:mm\\:ss}");
        ConsoleStatusLine.Write(writer, interactive, line, value.IsFinished);
    }
}
