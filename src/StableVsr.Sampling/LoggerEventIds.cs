namespace StableVsr.Sampling;

/// <summary>The event ids of this library's log messages, in one place (StableVsr.Sampling: 4000-4999).</summary>
internal static class LoggerEventIds
{
    /// <summary>A batch of sequences starts sampling.</summary>
    public const int SamplingStarted = 4000;

    /// <summary>A run finished: frames and seconds.</summary>
    public const int SamplingFinished = 4001;

    /// <summary>A run was cancelled.</summary>
    public const int SamplingCancelled = 4002;

    /// <summary>A job continues after the frames its journal says are committed.</summary>
    public const int JobResuming = 4100;

    /// <summary>A job's output is already complete and the job is skipped.</summary>
    public const int JobSkipped = 4101;

    /// <summary>A job discards an interrupted run's journal and starts over.</summary>
    public const int JobRestarting = 4102;

    /// <summary>A job is split into segments, run one after the other.</summary>
    public const int JobSegmented = 4103;

    /// <summary>A job finished: its output holds all its frames.</summary>
    public const int JobFinished = 4104;

    /// <summary>A resume samples again from a damaged committed segment.</summary>
    public const int JobRemaking = 4105;
}
