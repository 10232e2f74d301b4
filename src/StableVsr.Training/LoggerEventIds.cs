namespace StableVsr.Training;

/// <summary>The event ids of this library's log messages, in one place (StableVsr.Training: 6000-6999).</summary>
internal static class LoggerEventIds
{
    /// <summary>A validation run scored its frames against the ground truth.</summary>
    public const int ValidationScored = 6000;

    /// <summary>A validation run wrote its frames.</summary>
    public const int ValidationWritten = 6001;
}
