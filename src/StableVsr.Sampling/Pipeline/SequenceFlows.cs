using StableVsr.Models.Raft;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// The optical flows of a sequence, computed once before sampling as StableVSR does: each LR frame is upscaled 4x with
/// bicubic interpolation (align_corners false) and RAFT runs between neighbours at that resolution.
/// <see cref="Forward"/>(k) maps frame k onto frame k-1 and <see cref="Backward"/>(k) maps frame k onto frame k+1, both
/// [1, H, W, 2] in pixels, ready for <c>FlowWarp</c>. Flows are kept on the state device (see
/// <see cref="UpscaleOptions.StateDevice"/>) in float32 or float16 and handed out on the compute device in float32.
/// </summary>
internal sealed class SequenceFlows : IDisposable
{
    private readonly Tensor[] forward;
    private readonly Tensor[] backward;
    private readonly Tensor? boundary;
    private readonly Device computeDevice;

    private SequenceFlows(Tensor[] forward, Tensor[] backward, Tensor? boundary, Device computeDevice)
    {
        this.forward = forward;
        this.backward = backward;
        this.boundary = boundary;
        this.computeDevice = computeDevice;
    }

    /// <summary>Frames in the sequence.</summary>
    public int FrameCount => forward.Length + 1;

    /// <summary>
    /// Computes the flows of a sequence of LR frames [N, 3, h, w] in [-1, 1] on RAFT's device (the compute device), moving
    /// the frames there one at a time.
    /// </summary>
    /// <param name="raft">RAFT-large in eval mode, on the compute device.</param>
    /// <param name="lowResolution">The LR frames, on any device.</param>
    /// <param name="previous">
    /// For a window after the first: the LR frame [1, 3, h, w] just before the window, so that the flow across the
    /// window boundary (<see cref="Forward"/>(0), frame 0 onto that frame) is computed too; null for none.
    /// </param>
    /// <param name="iterations">RAFT's flow updates (12 in StableVSR).</param>
    /// <param name="statistics">
    /// What RAFT's BatchNorm layers normalise with: per sample (StableVSR's test.py) or running statistics; not
    /// <see cref="RaftNormStatistics.Batch"/>, which would mix the two directions of a pair.
    /// </param>
    /// <param name="stateDevice">Where to keep the flows; null keeps them on the compute device.</param>
    /// <param name="flowType">The type to keep them in: float32, or float16 to halve their memory.</param>
    /// <param name="cancellationToken">Checked between frame pairs.</param>
    /// <param name="onPair">Called after each neighbour pair, with the pair's index (1-based) for progress.</param>
    public static SequenceFlows Compute(
        Raft raft,
        Tensor lowResolution,
        Tensor? previous,
        int iterations,
        RaftNormStatistics statistics,
        Device? stateDevice,
        ScalarType flowType,
        CancellationToken cancellationToken,
        Action<int>? onPair = null)
    {
        ArgumentNullException.ThrowIfNull(raft);
        ArgumentNullException.ThrowIfNull(lowResolution);
        var raftWeight = raft.parameters().First();
        var (computeDevice, raftType) = (raftWeight.device, raftWeight.dtype);
        var state = stateDevice ?? computeDevice;
        if (statistics == RaftNormStatistics.Batch)
        {
            throw new InvalidInputException("The pipeline's flows are computed per frame pair: use PerSample (StableVSR's test.py) or Running statistics; Batch is train.py's mode.");
        }

        raft.NormStatistics = statistics;
        var count = (int)lowResolution.shape[0];
        var forward = new Tensor[Math.Max(count - 1, 0)];
        var backward = new Tensor[Math.Max(count - 1, 0)];
        Tensor? boundary = null;
        // Each frame is upscaled and encoded once (RAFT's two encoders, most of a flow's cost at few updates) and its
        // encoding serves both pairs it belongs to: the flows are those of a RAFT call per pair, since with per-sample or
        // running statistics a frame's encoding does not depend on the frame it is paired with.
        RaftFrameEncoding? encodedPrevious = null;
        try
        {
            for (var k = 0; k < count; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var encoded = Encode(raft, lowResolution[k..(k + 1)], computeDevice, raftType);
                if (k == 0 && previous is not null)
                {
                    // Across the boundary only the forward flow is used: backward passes end at the window's first frame.
                    using var encodedBefore = Encode(raft, previous, computeDevice, raftType);
                    boundary = Store(raft.EstimateFlow(encoded, encodedBefore, iterations), state, flowType).MoveToOuterDisposeScope();
                }

                if (encodedPrevious is not null)
                {
                    // fwd[k-1] = RAFT(up_k, up_{k-1}), bwd[k-1] = RAFT(up_{k-1}, up_k): RAFT(a, b) maps each pixel of a onto b.
                    // Both directions go through one batched refinement: two pairs' worth of work in one call.
                    using var firsts = RaftFrameEncoding.Concat(encoded, encodedPrevious);
                    using var seconds = RaftFrameEncoding.Concat(encodedPrevious, encoded);
                    var flows = raft.EstimateFlow(firsts, seconds, iterations);
                    forward[k - 1] = Store(flows[..1], state, flowType).MoveToOuterDisposeScope();
                    backward[k - 1] = Store(flows[1..], state, flowType).MoveToOuterDisposeScope();
                    encodedPrevious.Dispose();
                    onPair?.Invoke(k);
                }

                encodedPrevious = encoded.MoveToOuterDisposeScope();
            }

            encodedPrevious?.Dispose();
            return new SequenceFlows(forward, backward, boundary, computeDevice);
        }
        catch
        {
            encodedPrevious?.Dispose();
            foreach (var flow in forward.Concat(backward).Append(boundary))
            {
                flow?.Dispose();
            }

            throw;
        }
    }

    // One LR frame [1, 3, h, w], on any device, upscaled as StableVSR does and encoded by RAFT on its device and dtype.
    private static RaftFrameEncoding Encode(Raft raft, Tensor lowResolution, Device computeDevice, ScalarType raftType)
    {
        using var scope = NewDisposeScope();
        var upscaled = UpscaleBicubic(lowResolution.to(ScalarType.Float32, computeDevice)).to(raftType);
        return raft.Encode(upscaled).MoveToOuterDisposeScope();
    }

    /// <summary>StableVSR's 4x bicubic upscaling of LR frames (align_corners false), the input RAFT sees.</summary>
    public static Tensor UpscaleBicubic(Tensor lowResolution) =>
        nn.functional.interpolate(lowResolution, scale_factor: [4.0, 4.0], mode: InterpolationMode.Bicubic, align_corners: false);

    /// <summary>Whether the flow across the window boundary (<see cref="Forward"/>(0)) was computed.</summary>
    public bool HasBoundary => boundary is not null;

    /// <summary>
    /// The flow [1, H, W, 2] from frame <paramref name="frame"/> to frame <paramref name="frame"/> - 1, on the compute
    /// device in float32; frame 0 maps onto the frame before the window (when <see cref="HasBoundary"/>).
    /// </summary>
    public Tensor Forward(int frame)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frame, boundary is null ? 1 : 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frame, FrameCount);
        return (frame == 0 ? boundary! : forward[frame - 1]).to(ScalarType.Float32, computeDevice);
    }

    /// <summary>The flow [1, H, W, 2] from frame <paramref name="frame"/> to frame <paramref name="frame"/> + 1, on the compute device in float32.</summary>
    public Tensor Backward(int frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frame, FrameCount - 1);
        return backward[frame].to(ScalarType.Float32, computeDevice);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var flow in forward.Concat(backward))
        {
            flow.Dispose();
        }

        boundary?.Dispose();
    }

    private static Tensor Store(Tensor flow, Device device, ScalarType type) =>
        flow.permute(0, 2, 3, 1).to(type, device).contiguous();
}
