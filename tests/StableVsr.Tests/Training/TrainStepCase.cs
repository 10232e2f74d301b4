using System.Text.Json;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;
using StableVsr.Weights.Safetensors;

namespace StableVsr.Tests.Training;

/// <summary>
/// The settings of one <c>cases/train_step*.safetensors</c> file, read from its metadata: batch, crop sizes, the AdamW
/// hyper-parameters, the clipping norm, the prediction type, the scheduler config, accumulation, and the names of the
/// ControlNet parameters whose gradients it recorded. Parity tests take everything from here, never from constants,
/// so that a fixture set made by the same generator with other settings passes unchanged.
/// </summary>
internal sealed record TrainStepCase(
    string File,
    int Batch,
    int Frames,
    (int Height, int Width) GtSize,
    (int Height, int Width) LqSize,
    double LearningRate,
    double Beta1,
    double Beta2,
    double WeightDecay,
    double Epsilon,
    double MaxGradNorm,
    int AccumulationSteps,
    SchedulerConfig Scheduler,
    IReadOnlyList<string> GradientNames)
{
    /// <summary>The key prefix of the recorded step-1 gradients.</summary>
    public const string GradientPrefix = "grad.";

    /// <summary>The training-step files' name pattern.</summary>
    public const string Pattern = "train_step*.safetensors";

    /// <summary>Every training-step file in the fixture set's <c>cases/</c>, by file name; fails when there is none.</summary>
    public static IEnumerable<string> Files() => Fixtures.Cases(Pattern);

    /// <summary>Reads the settings of <paramref name="fixture"/> (a file named <paramref name="file"/>).</summary>
    public static TrainStepCase Read(string file, SafetensorsFile fixture)
    {
        var metadata = fixture.Metadata;
        var betas = Json(metadata, "betas").EnumerateArray().Select(b => b.GetDouble()).ToArray();
        var schedule = Text(metadata, "lr_scheduler").Split(' ', 2)[0];
        if (schedule != "constant")
        {
            // The generator records the warm-up length only for schedules that have none.
            Assert.Fail($"{file}: lr_scheduler '{schedule}': only 'constant' is recorded with all it needs; extend {nameof(TrainStepCase)} for others.");
        }

        var predictionType = Text(metadata, "prediction_type");
        var scheduler = SchedulerConfig.Parse(metadata["scheduler_config"], file);
        scheduler = scheduler with { PredictionType = PredictionTypeOf(predictionType, file) };
        return new TrainStepCase(
            file,
            Json(metadata, "batch").GetInt32(),
            Json(metadata, "n_frames").GetInt32(),
            Size(metadata, "gt_size"),
            Size(metadata, "lq_size"),
            Number(metadata, "lr"),
            betas[0],
            betas[1],
            Number(metadata, "weight_decay"),
            Number(metadata, "eps"),
            Number(metadata, "max_grad_norm"),
            Json(metadata, "gradient_accumulation_steps").GetInt32(),
            scheduler,
            [.. fixture.Keys.Where(k => k.StartsWith(GradientPrefix, StringComparison.Ordinal)).Select(k => k[GradientPrefix.Length..])]);
    }

    // train.py's --prediction_type overrides the scheduler config's (register_to_config); parsed by the config reader.
    private static PredictionType PredictionTypeOf(string name, string file) =>
        SchedulerConfig.Parse($"{{\"prediction_type\": {JsonSerializer.Serialize(name)}}}", file).PredictionType;

    private static (int Height, int Width) Size(IReadOnlyDictionary<string, string> metadata, string key)
    {
        var size = Json(metadata, key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return (size[0], size[1]);
    }

    private static double Number(IReadOnlyDictionary<string, string> metadata, string key) => Json(metadata, key).GetDouble();

    private static string Text(IReadOnlyDictionary<string, string> metadata, string key) => Json(metadata, key).GetString()!;

    private static JsonElement Json(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value)
            ? JsonDocument.Parse(value).RootElement.Clone()
            : throw new InvalidDataException($"The training-step fixture has no metadata '{key}'.");
}
