namespace StableVsr.Sampling.Resume;

/// <summary>What a run does with the journal an earlier, interrupted run of the same output left behind.</summary>
public enum ResumeMode
{
    /// <summary>Start a new run; refuse to if a journal is there (the user decides between resuming and restarting).</summary>
    New,

    /// <summary>Continue after the last finished window of the journal's run (or start a new run when there is none).</summary>
    Resume,

    /// <summary>Discard the journal and whatever its run wrote, and start over.</summary>
    Restart,
}
