namespace StableVsr.Cli.Commands;

/// <summary>Process exit codes of the <c>stablevsr</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Bad input: arguments, frames or options.</summary>
    public const int InvalidInput = 2;

    /// <summary>A model or checkpoint could not be loaded or failed its checks.</summary>
    public const int ModelError = 3;

    /// <summary>The native backend or device is not usable.</summary>
    public const int BackendError = 4;

    /// <summary>Training stopped: the loss diverged, or a checkpoint could not be written (the previous one is intact).</summary>
    public const int TrainingFailed = 5;

    /// <summary>A cluster job finished with failed segments (<c>stablevsr submit</c>, <c>stablevsr status --follow</c>).</summary>
    public const int JobFailed = 6;

    /// <summary>The cluster cannot be reached (no worker runs, or the Redis address is wrong).</summary>
    public const int ClusterUnavailable = 7;

    /// <summary>
    /// <c>stablevsr eval</c> computed its results but could not write some of its files (<c>--csv</c>, <c>--json</c>,
    /// <c>--report</c>); the summary line was printed and each unwritten file was saved in the temporary folder instead.
    /// </summary>
    public const int OutputNotWritten = 8;

    /// <summary>Cancelled (Ctrl+C).</summary>
    public const int Canceled = 130;
}
