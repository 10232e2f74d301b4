namespace StableVsr.Models.Runtime;

/// <summary>The value range of a float image tensor.</summary>
internal enum PixelRange
{
    /// <summary>[-1, 1]: what the diffusion models take and give (0 maps to -1, 255 to 1).</summary>
    MinusOneToOne,

    /// <summary>[0, 1]: what image libraries and RAFT-style code use (0 maps to 0, 255 to 1).</summary>
    ZeroToOne,
}
