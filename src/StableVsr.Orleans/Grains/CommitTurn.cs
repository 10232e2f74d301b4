namespace StableVsr.Orleans.Grains;

/// <summary>The job grain's answer to a worker that finished a segment and asks to commit it.</summary>
internal enum CommitTurn
{
    /// <summary>The lease is no longer the worker's: commit nothing.</summary>
    Lost,

    /// <summary>Another segment of the same sequence is committing: ask again shortly (commits of a sequence are one at a time).</summary>
    Wait,

    /// <summary>Commit the segment's frames into the sequence's hidden parts; other segments of the sequence are not done yet.</summary>
    Part,

    /// <summary>Commit the segment and then the whole sequence: every other segment of it is done.</summary>
    Last,
}
