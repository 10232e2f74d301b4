using StableVsr.Models.Loading;
using StableVsr.Sampling.Noise;
using StableVsr.Sampling.Schedulers;
using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// StableVSR's frame-wise bidirectional sampling with temporal texture guidance, step for step as the reference:
/// at every timestep the frames are visited in order (even steps forwards, odd steps backwards); the first frame of a
/// pass is denoised by the UNet alone, every other frame gets the previous frame's predicted x0, decoded to RGB and
/// warped onto it with the optical flow, as the ControlNet's condition; the final latents are decoded to images.
/// A long sequence is sampled window by window: a window after the first gets the previous window's last frame
/// (<see cref="WindowCarry"/>), so in forward passes its first frame is guided by that frame's x0 of the same step,
/// warped across the boundary, as if the sequence went on; backward passes end at the window's first frame.
/// </summary>
/// <remarks>
/// Several sequences of the same frame size can be sampled together: at each timestep and position in the pass, the
/// frames of every sequence that has a frame there go through the networks as one batch. Each sequence keeps its own noise,
/// so its result equals sampling it alone up to floating-point rounding of batched kernels. Latents and output
/// images live on the state device between uses (the compute device by default, or host memory so that device memory
/// does not grow with sequence length); only the frames being processed are on the compute device.
/// </remarks>
internal sealed class BidirectionalSampler
{
    private readonly StableVsrModels models;
    private readonly int noiseLevel;
    private readonly Device? stateDevice;
    private readonly int? vaeTileSize;

    /// <summary>Creates a sampler over loaded models.</summary>
    /// <param name="models">The networks.</param>
    /// <param name="noiseLevel">Class label for a UNet or ControlNet with a noise-level embedding (see <see cref="SamplingOptions.NoiseLevel"/>).</param>
    /// <param name="stateDevice">Where latents and finished images are kept (see <see cref="UpscaleOptions.StateDevice"/>); null keeps them on the models' device.</param>
    /// <param name="vaeTileSize">Decode in tiles of this many latent pixels (see <see cref="SamplingOptions.VaeTileSize"/>); null decodes whole.</param>
    public BidirectionalSampler(StableVsrModels models, int noiseLevel, Device? stateDevice = null, int? vaeTileSize = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        this.models = models;
        this.noiseLevel = noiseLevel;
        this.stateDevice = stateDevice;
        this.vaeTileSize = vaeTileSize;
    }

    /// <summary>
    /// Samples windows of several sequences of the same frame size together, batching their frames through the
    /// networks, and returns each window's images [N, 3, 4h, 4w] in [0, 1] on the state device (and its carry when asked),
    /// in the order of <paramref name="windows"/>.
    /// </summary>
    /// <param name="windows">One window of each sequence; each may have its own number of frames.</param>
    /// <param name="promptEmbeds">Text embeddings [1, tokens, hidden] shared by every sequence, on the models' device.</param>
    /// <param name="scheduler">The scheduler, with its timesteps already set.</param>
    /// <param name="report">Called after each unit of work with (window, phase, frame in the window, step).</param>
    /// <param name="cancellationToken">Checked before every batch of frames of every step.</param>
    /// <exception cref="InvalidInputException">No window, or windows that are not [N, 3, h, w] of one size with flows for every frame.</exception>
    public IReadOnlyList<SampledWindow> Sample(
        IReadOnlyList<SamplingSequence> windows,
        Tensor promptEmbeds,
        NoiseScheduler scheduler,
        Action<int, UpscalePhase, int, int>? report,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(promptEmbeds);
        ArgumentNullException.ThrowIfNull(scheduler);
        CheckWindows(windows, scheduler.Timesteps.Count);
        var device = models.Device;
        var state = stateDevice ?? device;
        var frameCounts = windows.Select(c => (int)c.LowResolution.shape[0]).ToArray();
        var latentShape = new[] { 1, models.Vae.Config.LatentChannels, windows[0].LowResolution.shape[2], windows[0].LowResolution.shape[3] };
        var latents = frameCounts.Select(n => new Tensor[n]).ToArray();
        var carried = windows.Select(w => w.KeepCarry ? new Tensor?[scheduler.Timesteps.Count] : null).ToArray();
        try
        {
            for (var c = 0; c < windows.Count; c++)
            {
                for (var k = 0; k < frameCounts[c]; k++)
                {
                    using var initial = windows[c].Noise.InitialLatent(windows[c].FirstFrame + k, latentShape, state);
                    latents[c][k] = initial.Times(scheduler.InitNoiseSigma);
                }
            }

            using var denoiser = new GuidedDenoiser(models.Unet, models.ControlNet, models.Vae, promptEmbeds, noiseLevel, vaeTileSize);
            Denoise(windows, frameCounts, latents, carried, denoiser, scheduler, latentShape, report, cancellationToken);
            var images = DecodeAll(frameCounts, latents, denoiser, report, cancellationToken);
            // The carry outlives this call's dispose scopes: it belongs to the sequence until the next window.
            return windows.Select((w, c) => new SampledWindow(
                images[c],
                carried[c] is { } x0s ? new WindowCarry(
                    w.LowResolution[^1..].to(ScalarType.Float32, state).clone().DetachFromDisposeScope(),
                    x0s.Select(x => x?.DetachFromDisposeScope()).ToArray()) : null)).ToArray();
        }
        catch
        {
            foreach (var x0 in carried.Where(x => x is not null).SelectMany(x => x!))
            {
                x0?.Dispose();
            }

            throw;
        }
        finally
        {
            foreach (var latent in latents.SelectMany(l => l))
            {
                latent?.Dispose();
            }
        }
    }

    // One tensor for the batch; a single sequence's tensor is used as it is, so sampling one sequence does exactly what the
    // reference does.
    private static Tensor Batch(IEnumerable<Tensor> parts)
    {
        var list = parts.ToArray();
        return list.Length == 1 ? list[0] : cat(list, 0);
    }

    // Sample b of a batch of n, on `device`, owning its storage: a view would keep the whole batch alive.
    private static Tensor Part(Tensor batch, int b, int n, Device device)
    {
        if (n == 1)
        {
            return batch.to(device);
        }

        var part = batch[b..(b + 1)];
        return part.device == device ? part.clone() : part.to(device);
    }

    private static void CheckWindows(IReadOnlyList<SamplingSequence> sequences, int steps)
    {
        if (sequences.Count == 0)
        {
            throw new InvalidInputException("Give at least one sequence to sample.");
        }

        var first = sequences[0].LowResolution;
        for (var c = 0; c < sequences.Count; c++)
        {
            ArgumentNullException.ThrowIfNull(sequences[c], nameof(sequences));
            var frames = sequences[c].LowResolution;
            if (sequences[c].Carry is { } carry && (carry.StepCount != steps || !sequences[c].Flows.HasBoundary))
            {
                throw new InvalidInputException(
                    $"Sequence {c}: the carry from the previous window was made with {carry.StepCount} steps (this run has {steps}) or the flow across the boundary is missing.");
            }

            if (frames.dim() != 4 || frames.shape[1] != 3 || frames.shape[0] < 1)
            {
                throw new InvalidInputException($"Sequence {c}: expected LR frames [N, 3, h, w] with N >= 1, got [{string.Join(", ", frames.shape)}].");
            }

            if (frames.shape[2] != first.shape[2] || frames.shape[3] != first.shape[3])
            {
                throw new InvalidInputException(
                    $"Sequences sampled together must have one frame size: sequence {c} is {frames.shape[3]}x{frames.shape[2]}, sequence 0 is {first.shape[3]}x{first.shape[2]}. Sample them separately.");
            }

            if (sequences[c].Flows.FrameCount != frames.shape[0])
            {
                throw new InvalidInputException($"Sequence {c} has {frames.shape[0]} frames but flows for {sequences[c].Flows.FrameCount}.");
            }
        }
    }

    private void Denoise(
        IReadOnlyList<SamplingSequence> windows,
        int[] frameCounts,
        Tensor[][] latents,
        Tensor?[]?[] carried,
        GuidedDenoiser denoiser,
        NoiseScheduler scheduler,
        long[] latentShape,
        Action<int, UpscalePhase, int, int>? report,
        CancellationToken cancellationToken)
    {
        var device = models.Device;
        var state = stateDevice ?? device;
        var timesteps = scheduler.Timesteps;

        // Every timestep goes to the device once, not once per frame.
        using var timestepTensor = tensor(timesteps.ToArray(), ScalarType.Int64, device);
        var positions = frameCounts.Max();
        for (var i = 0; i < timesteps.Count; i++)
        {
            var t = timesteps[i];
            using var timestep = timestepTensor[i];
            var backwards = i % 2 == 1;
            var previousX0 = new Tensor?[windows.Count];
            try
            {
                for (var j = 0; j < positions; j++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var active = Enumerable.Range(0, windows.Count).Where(c => j < frameCounts[c]).ToArray();

                    // A frame is guided by the frame denoised just before it in this pass; the first frame of a forward
                    // pass of a later window, by the previous window's last frame at this step. Guided and unguided
                    // frames go through the networks separately (the ControlNet runs for the first only).
                    bool Guided(int c) => j > 0 || (!backwards && windows[c].Carry is not null);
                    foreach (var group in active.GroupBy(Guided).OrderBy(g => g.Key))
                    {
                        var members = group.ToArray();
                        var frames = members.Select(c => backwards ? frameCounts[c] - 1 - j : j).ToArray();
                        Tensor? guidance = null;
                        if (group.Key)
                        {
                            // Temporal texture guidance: the neighbour just denoised, as RGB, moved onto this frame.
                            var x0 = Batch(members.Select(c => previousX0[c] ?? windows[c].Carry!.X0(i).to(device)));
                            var flow = Batch(members.Select((c, b) => backwards ? windows[c].Flows.Backward(frames[b]) : windows[c].Flows.Forward(frames[b])));
                            guidance = denoiser.Guidance(x0, flow);
                        }

                        var latentBatch = Batch(members.Select((c, b) => latents[c][frames[b]].to(device)));
                        var lowResolution = Batch(members.Select((c, b) => windows[c].LowResolution[frames[b]..(frames[b] + 1)].to(ScalarType.Float32, device)));
                        var variance = scheduler.NeedsVarianceNoise(t)
                            ? Batch(members.Select((c, b) => windows[c].Noise.StepNoise(i, windows[c].FirstFrame + frames[b], latentShape, device)))
                            : null;
                        var step = denoiser.Step(scheduler, t, timestep, latentBatch, lowResolution, guidance, variance);
                        for (var b = 0; b < members.Length; b++)
                        {
                            var (c, k) = (members[b], frames[b]);
                            latents[c][k].Dispose();
                            latents[c][k] = Part(step.PrevSample, b, members.Length, state).MoveToOuterDisposeScope();
                            previousX0[c]?.Dispose();
                            previousX0[c] = Part(step.PredOriginalSample, b, members.Length, device).MoveToOuterDisposeScope();
                            if (carried[c] is { } carry && k == frameCounts[c] - 1 && WindowCarry.IsKeptStep(i))
                            {
                                carry[i] = Part(step.PredOriginalSample, b, members.Length, state).MoveToOuterDisposeScope();
                            }

                            report?.Invoke(c, UpscalePhase.Denoising, k, i + 1);
                        }
                    }
                }
            }
            finally
            {
                foreach (var x0 in previousX0)
                {
                    x0?.Dispose();
                }
            }
        }
    }

    // Each sequence's images go straight into one preallocated tensor on the state device, so the finished sequence exists
    // once (joining per-frame images at the end would hold it twice).
    private Tensor[] DecodeAll(int[] frameCounts, Tensor[][] latents, GuidedDenoiser denoiser, Action<int, UpscalePhase, int, int>? report, CancellationToken cancellationToken)
    {
        var device = models.Device;
        var state = stateDevice ?? device;
        var (height, width) = (latents[0][0].shape[2] * models.Vae.SpatialScaleFactor, latents[0][0].shape[3] * models.Vae.SpatialScaleFactor);
        var images = new Tensor[frameCounts.Length];
        try
        {
            for (var c = 0; c < images.Length; c++)
            {
                images[c] = empty([frameCounts[c], models.Vae.Config.OutChannels, height, width], ScalarType.Float32, state);
            }

            for (var k = 0; k < frameCounts.Max(); k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var active = Enumerable.Range(0, frameCounts.Length).Where(c => k < frameCounts[c]).ToArray();
                var decoded = denoiser.Decode(Batch(active.Select(c => latents[c][k].to(device))));
                var image = decoded.DividedBy(2).Plus(0.5).clamp(ScalarCache.Of(0), ScalarCache.Of(1));
                for (var b = 0; b < active.Length; b++)
                {
                    images[active[b]][k..(k + 1)].copy_(image[b..(b + 1)]);
                    report?.Invoke(active[b], UpscalePhase.Decoding, k, 0);
                }
            }

            return images;
        }
        catch
        {
            foreach (var image in images)
            {
                image?.Dispose();
            }

            throw;
        }
    }
}
