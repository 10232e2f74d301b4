namespace StableVsr.Weights;

/// <summary>The event ids of this library's log messages, in one place (StableVsr.Weights: 2000-2999).</summary>
internal static class LoggerEventIds
{
    /// <summary>A checkpoint key matched nothing in the model and was ignored.</summary>
    public const int UnexpectedKey = 2000;

    /// <summary>A state dict was loaded: tensors, bytes, time.</summary>
    public const int StateDictLoaded = 2001;

    /// <summary>A config key StableVsr does not use was kept as it is.</summary>
    public const int UnusedConfigKey = 2002;

    /// <summary>A download attempt failed and is retried.</summary>
    public const int DownloadRetry = 2100;

    /// <summary>A download resumes where an interrupted one stopped.</summary>
    public const int DownloadResumed = 2101;

    /// <summary>The Hub could not be reached and the cached copy is used.</summary>
    public const int UsingCachedCopy = 2102;

    /// <summary>A Hub model reference resolved to a local folder.</summary>
    public const int ModelResolved = 2103;

    /// <summary>A checkpoint is inspected from the Hugging Face cache.</summary>
    public const int InspectingSnapshot = 2200;
}
