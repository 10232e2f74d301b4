namespace StableVsr.Sampling.Pipeline;

/// <summary>One window of a streamed sequence, as <see cref="WindowReader"/> cuts it.</summary>
/// <param name="Frames">The window's LR frames, in order.</param>
/// <param name="MoreFollow">Whether the sequence goes on after the window (only then is its carry kept).</param>
/// <param name="Read">Frames read from the input so far (this window's last frame included), for progress.</param>
internal sealed record FrameWindow(IReadOnlyList<VideoFrame> Frames, bool MoreFollow, int Read);
