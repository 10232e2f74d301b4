namespace StableVsr.Orleans.Grains;

/// <summary>A segment as the job grain persists it.</summary>
[GenerateSerializer, Alias("StableVsr.SegmentRecord")]
internal sealed class SegmentRecord
{
    [Id(0)]
    public int Index { get; set; }

    [Id(1)]
    public SequenceJob Sequence { get; set; } = new(string.Empty, string.Empty);

    [Id(2)]
    public SegmentState State { get; set; }

    [Id(3)]
    public int Attempts { get; set; }

    [Id(4)]
    public WorkerIdentity? Worker { get; set; }

    /// <summary>The current lease while <see cref="State"/> is Running or Committing.</summary>
    [Id(5)]
    public Guid? LeaseId { get; set; }

    [Id(6)]
    public DateTimeOffset? LeasedAt { get; set; }

    [Id(7)]
    public int FramesDone { get; set; }

    [Id(8)]
    public int? FrameCount { get; set; }

    [Id(9)]
    public string? Error { get; set; }

    [Id(10)]
    public List<string> History { get; set; } = [];

    /// <summary>The frames of the sequence, when the sequence is split; null for the whole sequence.</summary>
    [Id(11)]
    public SegmentRange? Range { get; set; }

    public SegmentStatus ToStatus() => new()
    {
        Index = Index,
        Sequence = Sequence,
        State = State,
        Attempts = Attempts,
        Worker = Worker?.Name,
        FramesDone = FramesDone,
        FrameCount = FrameCount,
        Error = Error,
        History = History.ToArray(),
        Range = Range,
    };
}
