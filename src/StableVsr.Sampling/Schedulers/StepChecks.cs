using TorchSharp;

namespace StableVsr.Sampling.Schedulers;

/// <summary>Argument checks shared by the schedulers' <c>Step</c>, each failing with a message that says what to pass instead.</summary>
internal static class StepChecks
{
    /// <summary>The position of <paramref name="timestep"/> in <paramref name="schedule"/>.</summary>
    /// <exception cref="InvalidInputException">The timestep is outside the training range or not in the schedule.</exception>
    public static int IndexInSchedule(long[] schedule, long timestep, int numTrainTimesteps, string scheduler)
    {
        if (timestep < 0 || timestep >= numTrainTimesteps)
        {
            throw new InvalidInputException(
                $"Timestep {timestep} is outside the {scheduler} scheduler's training range [0, {numTrainTimesteps}). " +
                "Step with the values of Timesteps after SetTimesteps (a leading spacing whose offset pushes the first timestep to num_train_timesteps cannot be stepped).");
        }

        var index = Array.IndexOf(schedule, timestep);
        if (index < 0)
        {
            throw new InvalidInputException(
                $"Timestep {timestep} is not in the {scheduler} scheduler's current schedule ({schedule.Length} timesteps from {schedule[0]} to {schedule[^1]}). " +
                "Step with the values of Timesteps, after calling SetTimesteps with the number of inference steps you use.");
        }

        return index;
    }

    /// <summary>Whether <paramref name="modelOutput"/> has twice the channels (dim 1) of <paramref name="sample"/> and otherwise the same shape.</summary>
    public static bool HasDoubledChannels(torch.Tensor modelOutput, torch.Tensor sample)
    {
        if (modelOutput.dim() != sample.dim() || sample.dim() < 2 || modelOutput.shape[1] != sample.shape[1] * 2)
        {
            return false;
        }

        for (var d = 0; d < sample.dim(); d++)
        {
            if (d != 1 && modelOutput.shape[d] != sample.shape[d])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Requires <paramref name="tensor"/> to be a floating-point tensor shaped like <paramref name="sample"/>.</summary>
    /// <exception cref="InvalidInputException">The shapes differ or a tensor is not floating point.</exception>
    public static void SameShape(torch.Tensor tensor, torch.Tensor sample, string what)
    {
        if (!tensor.shape.SequenceEqual(sample.shape))
        {
            throw new InvalidInputException(
                $"The {what} must have the sample's shape [{string.Join(", ", sample.shape)}]; got [{string.Join(", ", tensor.shape)}].");
        }

        if (!torch.is_floating_point(tensor) || !torch.is_floating_point(sample))
        {
            throw new InvalidInputException(
                $"The {what} and the sample must be floating-point tensors; got {tensor.dtype} and {sample.dtype}.");
        }
    }

    /// <summary>Requires the variance noise a step at <paramref name="timestep"/> adds.</summary>
    /// <exception cref="InvalidInputException">The noise is missing or shaped unlike the sample.</exception>
    public static void NoiseFor(torch.Tensor? noise, torch.Tensor sample, long timestep)
    {
        if (noise is null)
        {
            throw new InvalidInputException(
                $"The step at timestep {timestep} adds variance noise: pass standard normal noise shaped like the sample [{string.Join(", ", sample.shape)}].");
        }

        SameShape(noise, sample, "variance noise");
    }
}
