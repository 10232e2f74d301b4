namespace StableVsr.Models.Raft;

/// <summary>The normalisation layer of a RAFT encoder, as torchvision's builders choose it.</summary>
public enum RaftNorm
{
    /// <summary>No normalisation; the convolution is followed directly by its ReLU.</summary>
    None,

    /// <summary><c>InstanceNorm2d</c> without affine parameters or running statistics (the feature encoder of raft_large).</summary>
    Instance,

    /// <summary><c>BatchNorm2d</c> (the context encoder of raft_large); <see cref="Raft.NormStatistics"/> says which statistics it uses.</summary>
    Batch,
}
