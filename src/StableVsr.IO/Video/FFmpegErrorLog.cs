namespace StableVsr.IO;

/// <summary>
/// The last lines an ffmpeg process wrote to its standard error (run with <c>-v error</c>, so they are its reasons for
/// failing), collected from another thread, for the messages of the errors raised when it fails.
/// </summary>
internal sealed class FFmpegErrorLog
{
    private const int MaxLines = 12;
    private readonly Queue<string> lines = new();
    private readonly object gate = new();

    /// <summary>Keeps <paramref name="line"/> (null and blank lines are ignored), dropping the oldest beyond 12.</summary>
    public void Add(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (gate)
        {
            lines.Enqueue(line.Trim());
            if (lines.Count > MaxLines)
            {
                lines.Dequeue();
            }
        }
    }

    /// <summary>Whether a line says the disk (or a quota) is full.</summary>
    public bool SaysDiskFull
    {
        get
        {
            lock (gate)
            {
                return lines.Any(DiskSpace.IsDiskFullMessage);
            }
        }
    }

    /// <summary>
    /// Whether a line reports a failed write. FFmpeg 5.1 can exit with code 0 after "Error writing trailer of ...: No space
    /// left on device" (Matroska buffers clusters until the trailer), so the exit code alone does not prove a whole file.
    /// </summary>
    public bool SaysWriteFailed
    {
        get
        {
            lock (gate)
            {
                return lines.Any(line =>
                    DiskSpace.IsDiskFullMessage(line)
                    || line.Contains("Error writing trailer", StringComparison.OrdinalIgnoreCase)
                    || line.Contains("Error closing file", StringComparison.OrdinalIgnoreCase)
                    || line.Contains("av_interleaved_write_frame", StringComparison.OrdinalIgnoreCase)
                    || line.Contains("Input/output error", StringComparison.OrdinalIgnoreCase));
            }
        }
    }

    /// <summary>The lines joined for a message, or a placeholder when ffmpeg said nothing.</summary>
    public override string ToString()
    {
        lock (gate)
        {
            return lines.Count == 0 ? "(ffmpeg printed no reason)" : string.Join(" | ", lines);
        }
    }
}
