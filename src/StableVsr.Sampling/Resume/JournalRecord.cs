namespace StableVsr.Sampling.Resume;

/// <summary>The contents of <c>journal.json</c>, as serialized.</summary>
internal sealed record JournalRecord
{
    /// <summary>The journal format version (<see cref="UpscaleJournal.FormatVersion"/> when written by this version).</summary>
    public int Format { get; init; }

    /// <summary>The input, for messages.</summary>
    public string Input { get; init; } = string.Empty;

    /// <summary>The input's fingerprint.</summary>
    public string InputFingerprint { get; init; } = string.Empty;

    /// <summary>The model's fingerprint.</summary>
    public string ModelFingerprint { get; init; } = string.Empty;

    /// <summary>The options that change the output.</summary>
    public Dictionary<string, string> Options { get; init; } = [];

    /// <summary>Frames the output has committed: the run continues with this frame.</summary>
    public int CommittedFrames { get; init; }

    /// <summary>The file holding the carry of the last committed window, or null when there is none.</summary>
    public string? Carry { get; init; }

    /// <summary>When the journal was last written.</summary>
    public DateTimeOffset Updated { get; init; }
}
