using StableVsr.Weights.Configs;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// The inference timesteps of diffusers' <c>set_timesteps</c>. diffusers computes them with NumPy in float64;
/// the same arithmetic is reproduced here (including <c>np.arange</c>'s way of deriving its step and
/// <c>np.round</c>'s ties-to-even) so every list equals diffusers' exactly.
/// </summary>
internal static class TimestepSchedule
{
    /// <summary>diffusers' default before <c>set_timesteps</c>: every training timestep, descending.</summary>
    public static long[] All(int numTrainTimesteps)
    {
        var timesteps = new long[numTrainTimesteps];
        for (var i = 0; i < numTrainTimesteps; i++)
        {
            timesteps[i] = numTrainTimesteps - 1 - i;
        }

        return timesteps;
    }

    /// <summary>Validates the step count, then spreads it over the training timesteps as <paramref name="config"/> asks.</summary>
    /// <exception cref="InvalidInputException">The count is below 1 or above <c>num_train_timesteps</c>.</exception>
    public static long[] Spaced(SchedulerConfig config, int numInferenceSteps)
    {
        var numTrain = config.NumTrainTimesteps;
        if (numInferenceSteps < 1 || numInferenceSteps > numTrain)
        {
            throw new InvalidInputException(
                $"The number of inference steps must be between 1 and num_train_timesteps ({numTrain}) of the scheduler config; got {numInferenceSteps}.");
        }

        return config.TimestepSpacing switch
        {
            TimestepSpacing.Leading => Leading(numTrain, numInferenceSteps, config.StepsOffset),
            TimestepSpacing.Trailing => Trailing(numTrain, numInferenceSteps),
            TimestepSpacing.Linspace => Linspace(numTrain, numInferenceSteps),
            _ => throw new UnsupportedConfigException("timestep_spacing", config.TimestepSpacing.ToString(), config.Source),
        };
    }

    private static long[] Leading(int numTrain, int steps, int offset)
    {
        var ratio = numTrain / steps;
        var timesteps = new long[steps];
        for (var i = 0; i < steps; i++)
        {
            timesteps[i] = ((long)(steps - 1 - i) * ratio) + offset;
        }

        return timesteps;
    }

    // np.round(np.arange(numTrain, 0, -numTrain / steps)) - 1.
    private static long[] Trailing(int numTrain, int steps)
    {
        double start = numTrain;
        var step = -((double)numTrain / steps);
        var length = Math.Max(0, (long)Math.Ceiling((0 - start) / step));
        var timesteps = new long[length];
        if (length == 0)
        {
            return timesteps;
        }

        timesteps[0] = RoundToEven(start) - 1;

        // np.arange fills element i as start + i * ((start + step) - start), not start + i * step.
        var delta = (start + step) - start;
        for (var i = 1; i < length; i++)
        {
            timesteps[i] = RoundToEven(start + (i * delta)) - 1;
        }

        return timesteps;
    }

    // np.linspace(0, numTrain - 1, steps).round()[::-1].
    private static long[] Linspace(int numTrain, int steps)
    {
        double stop = numTrain - 1;
        var timesteps = new long[steps];
        var spacing = steps > 1 ? stop / (steps - 1) : 0;
        for (var i = 0; i < steps; i++)
        {
            var value = i == steps - 1 && steps > 1 ? stop : i * spacing;
            timesteps[steps - 1 - i] = RoundToEven(value);
        }

        return timesteps;
    }

    private static long RoundToEven(double value) => (long)Math.Round(value, MidpointRounding.ToEven);
}
