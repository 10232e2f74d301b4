namespace StableVsr.IO;

/// <summary>The event ids of this library's log messages, in one place (StableVsr.IO: 1000-1999).</summary>
internal static class LoggerEventIds
{
    /// <summary>A video sink continues after the segments an earlier run committed.</summary>
    public const int VideoResuming = 1000;

    /// <summary>A frame size with an odd side is encoded 4:4:4.</summary>
    public const int VideoOddSize = 1001;

    /// <summary>A video output is complete.</summary>
    public const int VideoWritten = 1002;

    /// <summary>The source's display rotation cannot be stored in the output's container.</summary>
    public const int VideoRotationLost = 1003;

    /// <summary>A video decoded to fewer frames than its container lists.</summary>
    public const int VideoFewerFrames = 1004;

    /// <summary>ffprobe reported problems in a file it could still read.</summary>
    public const int ProbeProblems = 1005;
}
