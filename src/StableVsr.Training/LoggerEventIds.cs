namespace StableVsr.Training;

/// <summary>The event ids of this library's log messages, in one place (StableVsr.Training: 6000-6999).</summary>
internal static class LoggerEventIds
{
    /// <summary>A validation run scored its frames against the ground truth.</summary>
    public const int ValidationScored = 6000;

    /// <summary>A validation run wrote its frames.</summary>
    public const int ValidationWritten = 6001;

    /// <summary>A run starts: data, batches, steps, learning rate.</summary>
    public const int Starting = 6100;

    /// <summary>A resume was asked for but the output holds no checkpoint.</summary>
    public const int NothingToResume = 6101;

    /// <summary>A new run starts in an output that holds checkpoints.</summary>
    public const int StartingOverCheckpoints = 6102;

    /// <summary>A run finished.</summary>
    public const int Finished = 6103;

    /// <summary>The data holds fewer windows than a batch.</summary>
    public const int FewWindows = 6104;

    /// <summary>The ControlNet is made from the UNet.</summary>
    public const int ControlNetFromUnet = 6105;

    /// <summary>The ControlNet is read from a folder or checkpoint.</summary>
    public const int LoadingControlNet = 6106;

    /// <summary>A resumed run's data differs from the checkpoint's.</summary>
    public const int DataChanged = 6107;

    /// <summary>A run resumes from a checkpoint.</summary>
    public const int Resuming = 6108;

    /// <summary>A checkpoint was saved.</summary>
    public const int CheckpointSaved = 6200;

    /// <summary>An old checkpoint is removed (total limit).</summary>
    public const int CheckpointRemoved = 6201;

    /// <summary>A folder could not be removed.</summary>
    public const int RemoveFailed = 6202;

    /// <summary>Sequences are held out for validation.</summary>
    public const int HoldingOut = 6203;

    /// <summary>The loss curve could not be drawn.</summary>
    public const int CurveFailed = 6204;
}
