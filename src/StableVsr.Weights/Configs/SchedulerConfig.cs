using Microsoft.Extensions.Logging;

namespace StableVsr.Weights.Configs;

/// <summary>
/// A diffusers noise-scheduler config (<c>scheduler/scheduler_config.json</c>) holding every key of
/// <c>DDPMScheduler</c> and <c>DDIMScheduler</c> (diffusers 0.21.1), each defaulting to diffusers' own default.
/// One record serves both schedulers because diffusers builds either from the other's config, ignoring the
/// keys it does not know (<c>variance_type</c> for DDIM; <c>set_alpha_to_one</c> for DDPM).
/// </summary>
internal sealed record SchedulerConfig
{
    private static readonly Dictionary<string, BetaSchedule> BetaSchedules = new(StringComparer.Ordinal)
    {
        ["linear"] = BetaSchedule.Linear,
        ["scaled_linear"] = BetaSchedule.ScaledLinear,
        ["squaredcos_cap_v2"] = BetaSchedule.SquaredCosCapV2,
        ["sigmoid"] = BetaSchedule.Sigmoid,
    };

    private static readonly Dictionary<string, PredictionType> PredictionTypes = new(StringComparer.Ordinal)
    {
        ["epsilon"] = PredictionType.Epsilon,
        ["sample"] = PredictionType.Sample,
        ["v_prediction"] = PredictionType.VPrediction,
    };

    private static readonly Dictionary<string, VarianceType> VarianceTypes = new(StringComparer.Ordinal)
    {
        ["fixed_small"] = VarianceType.FixedSmall,
        ["fixed_small_log"] = VarianceType.FixedSmallLog,
        ["fixed_large"] = VarianceType.FixedLarge,
        ["fixed_large_log"] = VarianceType.FixedLargeLog,
        ["learned"] = VarianceType.Learned,
        ["learned_range"] = VarianceType.LearnedRange,
    };

    private static readonly Dictionary<string, TimestepSpacing> TimestepSpacings = new(StringComparer.Ordinal)
    {
        ["leading"] = TimestepSpacing.Leading,
        ["trailing"] = TimestepSpacing.Trailing,
        ["linspace"] = TimestepSpacing.Linspace,
    };

    /// <summary>The file or description the config came from, for error messages; null when built in code.</summary>
    public string? Source { get; init; }

    /// <summary><c>_class_name</c>: the scheduler class the config was saved from (<c>DDPMScheduler</c>, <c>DDIMScheduler</c>, ...), when recorded.</summary>
    public string? ClassName { get; init; }

    /// <summary><c>num_train_timesteps</c>: number of diffusion steps the model was trained with. Default 1000.</summary>
    public int NumTrainTimesteps { get; init; } = 1000;

    /// <summary><c>beta_start</c>: the first beta. Default 0.0001.</summary>
    public double BetaStart { get; init; } = 0.0001;

    /// <summary><c>beta_end</c>: the last beta. Default 0.02.</summary>
    public double BetaEnd { get; init; } = 0.02;

    /// <summary><c>beta_schedule</c>: how betas are spread from start to end. Default <see cref="BetaSchedule.Linear"/>.</summary>
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;

    /// <summary><c>trained_betas</c>: explicit betas that replace the schedule when present (one per training timestep). Default null.</summary>
    public IReadOnlyList<double>? TrainedBetas { get; init; }

    /// <summary><c>variance_type</c> (DDPM only): the variance of the noise each step adds. Default <see cref="VarianceType.FixedSmall"/>.</summary>
    public VarianceType VarianceType { get; init; } = VarianceType.FixedSmall;

    /// <summary><c>clip_sample</c>: clamp the predicted x0 to ±<see cref="ClipSampleRange"/>. Default true.</summary>
    public bool ClipSample { get; init; } = true;

    /// <summary><c>clip_sample_range</c>: the bound used when <see cref="ClipSample"/> is on. Default 1.0.</summary>
    public double ClipSampleRange { get; init; } = 1.0;

    /// <summary><c>prediction_type</c>: what the model predicts. Default <see cref="PredictionType.Epsilon"/>.</summary>
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;

    /// <summary><c>thresholding</c>: dynamic thresholding of the predicted x0 (Imagen); takes precedence over clipping. Default false.</summary>
    public bool Thresholding { get; init; }

    /// <summary><c>dynamic_thresholding_ratio</c>: the quantile of |x0| used as threshold, in [0, 1]. Default 0.995.</summary>
    public double DynamicThresholdingRatio { get; init; } = 0.995;

    /// <summary><c>sample_max_value</c>: the largest threshold dynamic thresholding may use. Default 1.0.</summary>
    public double SampleMaxValue { get; init; } = 1.0;

    /// <summary><c>timestep_spacing</c>: how inference timesteps are chosen. Default <see cref="TimestepSpacing.Leading"/>.</summary>
    public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Leading;

    /// <summary><c>steps_offset</c>: added to every <see cref="TimestepSpacing.Leading"/> timestep. Default 0.</summary>
    public int StepsOffset { get; init; }

    /// <summary><c>set_alpha_to_one</c> (DDIM only): whether the step past timestep 0 uses alpha_bar = 1 instead of alpha_bar[0]. Default true.</summary>
    public bool SetAlphaToOne { get; init; } = true;

    /// <summary><c>rescale_betas_zero_snr</c> (DDIM only in diffusers 0.21.1): rescale betas to a zero terminal SNR (arXiv 2305.08891). Default false.</summary>
    public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>Reads a <c>scheduler_config.json</c>.</summary>
    /// <exception cref="ConfigException">The file is missing or a value has the wrong type or range.</exception>
    /// <exception cref="UnsupportedConfigException">A value names an option diffusers does not have (e.g. an unknown <c>beta_schedule</c>).</exception>
    public static SchedulerConfig Load(string path, ILogger? logger = null) => FromDocument(ConfigDocument.Load(path), logger);

    /// <summary>Parses scheduler config JSON text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="ConfigException">The text is not a JSON object or a value has the wrong type or range.</exception>
    /// <exception cref="UnsupportedConfigException">A value names an option diffusers does not have.</exception>
    public static SchedulerConfig Parse(string json, string source, ILogger? logger = null) => FromDocument(ConfigDocument.Parse(json, source), logger);

    /// <summary>Builds the record from a parsed config document, then logs the keys it did not use.</summary>
    /// <exception cref="ConfigException">A value has the wrong type or range.</exception>
    /// <exception cref="UnsupportedConfigException">A value names an option diffusers does not have.</exception>
    public static SchedulerConfig FromDocument(ConfigDocument document, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        var config = new SchedulerConfig
        {
            Source = document.Source,
            ClassName = document.GetNullableString("_class_name"),
            NumTrainTimesteps = document.GetInt("num_train_timesteps", 1000),
            BetaStart = document.GetDouble("beta_start", 0.0001),
            BetaEnd = document.GetDouble("beta_end", 0.02),
            BetaSchedule = Lookup(document, "beta_schedule", "linear", BetaSchedules),
            TrainedBetas = document.GetDoubleList("trained_betas", null),
            VarianceType = Lookup(document, "variance_type", "fixed_small", VarianceTypes),
            ClipSample = document.GetBool("clip_sample", true),
            ClipSampleRange = document.GetDouble("clip_sample_range", 1.0),
            PredictionType = Lookup(document, "prediction_type", "epsilon", PredictionTypes),
            Thresholding = document.GetBool("thresholding", false),
            DynamicThresholdingRatio = document.GetDouble("dynamic_thresholding_ratio", 0.995),
            SampleMaxValue = document.GetDouble("sample_max_value", 1.0),
            TimestepSpacing = Lookup(document, "timestep_spacing", "leading", TimestepSpacings),
            StepsOffset = document.GetInt("steps_offset", 0),
            SetAlphaToOne = document.GetBool("set_alpha_to_one", true),
            RescaleBetasZeroSnr = document.GetBool("rescale_betas_zero_snr", false),
        };

        if (config.NumTrainTimesteps < 1)
        {
            throw document.Invalid("num_train_timesteps", config.NumTrainTimesteps, "a positive number of training timesteps");
        }

        if (config.TrainedBetas is { } betas && betas.Count != config.NumTrainTimesteps)
        {
            throw document.Invalid("trained_betas", $"a list of {betas.Count} betas", $"one beta per training timestep ({config.NumTrainTimesteps})");
        }

        if (config.StepsOffset < 0)
        {
            throw document.Invalid("steps_offset", config.StepsOffset, "an offset of 0 or more");
        }

        if (config.Thresholding && config.DynamicThresholdingRatio is not (>= 0 and <= 1))
        {
            throw document.Invalid("dynamic_thresholding_ratio", config.DynamicThresholdingRatio, "a quantile between 0 and 1");
        }

        document.LogUnknownKeys(logger);
        return config;
    }

    private static T Lookup<T>(ConfigDocument document, string key, string defaultValue, Dictionary<string, T> names)
    {
        var name = document.GetString(key, defaultValue);
        return names.TryGetValue(name, out var value)
            ? value
            : throw new UnsupportedConfigException(key, name, document.Source, $"Supported values: {string.Join(", ", names.Keys)}.");
    }
}
