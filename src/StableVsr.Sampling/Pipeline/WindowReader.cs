using System.Runtime.CompilerServices;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// Cuts a lazily read sequence into windows: at most one window of frames is held beyond the one being sampled (the
/// input is read one frame past a window, to know whether the sequence goes on), every frame must have the first
/// frame's size, and the frames a resumed run already committed are skipped (a resume reads its input from the start).
/// </summary>
internal static class WindowReader
{
    /// <summary>The windows of <paramref name="frames"/> after its first <paramref name="skip"/> frames.</summary>
    /// <exception cref="InvalidInputException">No frames, frames of mixed sizes, or fewer frames than <paramref name="skip"/>.</exception>
    public static async IAsyncEnumerable<FrameWindow> ReadAsync(
        IAsyncEnumerable<VideoFrame> frames,
        int windowSize,
        int skip,
        Action<VideoFrame, int>? reading,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var window = new List<VideoFrame>(windowSize);
        VideoFrame? first = null;
        var read = 0;
        await using var input = frames.GetAsyncEnumerator(cancellationToken);
        var more = await input.MoveNextAsync().ConfigureAwait(false);
        while (more)
        {
            var frame = input.Current ?? throw new ArgumentException("The frames include null.", nameof(frames));
            first ??= frame;
            PipelineChecks.CheckSameSize(first, frame, "the sequence");
            read++;
            more = await input.MoveNextAsync().ConfigureAwait(false);
            if (read <= skip)
            {
                continue;
            }

            window.Add(frame);
            reading?.Invoke(frame, read);
            if (window.Count == windowSize || !more)
            {
                yield return new FrameWindow(window.ToArray(), more, read);
                window.Clear();
            }
        }

        if (read == 0)
        {
            throw new InvalidInputException("The sequence has no frames: give at least one frame.");
        }

        if (read < skip)
        {
            throw new InvalidInputException(
                $"The input has {read} frame(s), fewer than the {skip} the journal says were already upscaled: it is not the input of the interrupted run.");
        }
    }
}
