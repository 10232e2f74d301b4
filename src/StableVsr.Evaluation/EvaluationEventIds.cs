namespace StableVsr.Evaluation;

/// <summary>The event ids of StableVsr.Evaluation's log messages, in one place (2000-2199).</summary>
internal static class EvaluationEventIds
{
    /// <summary>The metric networks are loaded.</summary>
    public const int Loaded = 2001;

    /// <summary>Something about the input or the run the user should know (a note of the result).</summary>
    public const int Note = 2002;

    /// <summary>A metric was left out because its weights cannot be had.</summary>
    public const int MetricLeftOut = 2003;

    /// <summary>NIQE refused a frame smaller than one block.</summary>
    public const int FrameRefused = 2004;

    /// <summary>Weights are being downloaded.</summary>
    public const int Downloading = 2101;

    /// <summary>A cached CLIP file has the wrong hash and is fetched again.</summary>
    public const int ClipHashMismatch = 2102;
}
