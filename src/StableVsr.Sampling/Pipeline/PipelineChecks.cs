using StableVsr.Models.Loading;
using StableVsr.Models.Runtime;
using StableVsr.Sampling.Noise;
using StableVsr.Sampling.Schedulers;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>What a pipeline checks before it samples: its options against the loaded models, and its inputs' shapes.</summary>
internal static class PipelineChecks
{
    /// <summary>
    /// Checks <paramref name="options"/> and that they name the device and precision the models were loaded with, and
    /// resolves the state device.
    /// </summary>
    /// <returns>The device per-frame state lives on; null for the compute device.</returns>
    /// <exception cref="InvalidInputException">The options are invalid, or name another device or precision than the models were loaded with.</exception>
    /// <exception cref="NativeBackendException"><see cref="UpscaleOptions.StateDevice"/> names a device that is not available.</exception>
    public static Device? CheckOptions(UpscaleOptions options, StableVsrModels models)
    {
        options.Validate();
        if (options.Precision != models.Precision)
        {
            throw new InvalidInputException(
                $"UpscaleOptions.Precision ({options.Precision}) differs from the precision the models were loaded in ({models.Precision}): load them with the options' precision.");
        }

        if (options.Device.Kind != ComputeDeviceKind.Auto && !SameDevice(TorchBackend.ResolveDevice(options.Device), models.Device))
        {
            throw new InvalidInputException(
                $"UpscaleOptions.Device ({options.Device}) is not the device the models were loaded on ({models.Device}): load them on that device.");
        }

        // The step count against the model's scheduler (at most num_train_timesteps): refused here, before a job writes
        // its journal, not when the first window starts.
        SchedulerFactory.FromConfig(models.SchedulerConfig, options.Sampling.Scheduler).SetTimesteps(options.Sampling.Steps);
        return options.StateDevice is { } state ? TorchBackend.ResolveDevice(state) : null;
    }

    /// <summary>Refuses a frame whose size differs from the sequence's first frame.</summary>
    /// <exception cref="InvalidInputException">The sizes differ; the message names both frames.</exception>
    public static void CheckSameSize(VideoFrame first, VideoFrame frame, string where)
    {
        if (frame.Width != first.Width || frame.Height != first.Height)
        {
            throw new InvalidInputException(
                $"Frames of a sequence must all have the same size: in {where}, frame {frame.Index}{Named(frame)} is {frame.Width}x{frame.Height}, " +
                $"frame {first.Index}{Named(first)} is {first.Width}x{first.Height}. Resize them first or upscale them as separate sequences.");
        }
    }

    /// <summary>Checks in-memory sequences: at least one, none empty, none with frames of mixed sizes.</summary>
    /// <exception cref="InvalidInputException">No sequences, an empty sequence, or a sequence with frames of mixed sizes.</exception>
    public static void CheckSequences(IReadOnlyList<IReadOnlyList<VideoFrame>> sequences)
    {
        if (sequences.Count == 0)
        {
            throw new InvalidInputException("No sequences were given: give at least one sequence.");
        }

        for (var c = 0; c < sequences.Count; c++)
        {
            ArgumentNullException.ThrowIfNull(sequences[c], nameof(sequences));
            if (sequences[c].Count == 0)
            {
                throw new InvalidInputException($"Sequence {c} has no frames: give at least one frame per sequence.");
            }

            foreach (var frame in sequences[c])
            {
                ArgumentNullException.ThrowIfNull(frame, nameof(sequences));
                CheckSameSize(sequences[c][0], frame, $"sequence {c}");
            }
        }
    }

    /// <summary>Checks sequences of LR frame tensors [N, 3, h, w] and their noise sources.</summary>
    /// <exception cref="InvalidInputException">No sequences, a tensor that is not [N, 3, h, w] with N at least 1, or a noise list of another length.</exception>
    public static void CheckSequenceTensors(IReadOnlyList<Tensor> sequences, IReadOnlyList<INoiseSource>? noises)
    {
        if (sequences.Count == 0)
        {
            throw new InvalidInputException("No sequences were given: give at least one tensor of LR frames.");
        }

        for (var c = 0; c < sequences.Count; c++)
        {
            var sequence = sequences[c];
            ArgumentNullException.ThrowIfNull(sequence, nameof(sequences));
            if (sequence.dim() != 4 || sequence.shape[1] != 3 || sequence.shape[0] < 1)
            {
                var which = sequences.Count == 1 ? string.Empty : $"Sequence {c}: ";
                throw new InvalidInputException($"{which}Expected LR frames [N, 3, h, w] with N >= 1, got [{string.Join(", ", sequence.shape)}].");
            }
        }

        if (noises is not null && noises.Count != sequences.Count)
        {
            throw new InvalidInputException($"Give one noise source per sequence: {sequences.Count} sequence(s) but {noises.Count} noise source(s).");
        }
    }

    private static bool SameDevice(Device a, Device b) => a.type == b.type && Math.Max(a.index, 0) == Math.Max(b.index, 0);

    private static string Named(VideoFrame frame) => frame.Name is null ? string.Empty : $" ('{frame.Name}')";
}
