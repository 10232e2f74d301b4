using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StableVsr.Models.ControlNet;
using StableVsr.Training.Logging;
using StableVsr.Training.Optimization;
using StableVsr.Weights.Safetensors;
using static TorchSharp.torch;

namespace StableVsr.Training.Checkpoints;

/// <summary>
/// The checkpoints of a training run, <c>OUTPUT/checkpoint-N/</c> as train.py names them: <c>controlnet/</c> in diffusers
/// layout (<c>config.json</c> + <c>diffusion_pytorch_model.safetensors</c>, what train.py's save hook writes and what
/// <c>ControlNetModel.from_pretrained</c> and our pipeline load), <c>optimizer.safetensors</c> (AdamW's moments by
/// parameter name) and <c>training_state.json</c> (counters, data position, schedule; the randomness is keyed by the
/// seed and the batch count, so that is its whole state). A checkpoint is written into a hidden folder and renamed into
/// place only when complete, so a failed write (disk full) leaves nothing behind and the previous checkpoint intact.
/// </summary>
internal sealed class CheckpointStore
{
    /// <summary>The ControlNet subfolder of a checkpoint.</summary>
    public const string ControlNetFolder = "controlnet";

    /// <summary>The optimizer state file of a checkpoint.</summary>
    public const string OptimizerFile = "optimizer.safetensors";

    /// <summary>The state file of a checkpoint.</summary>
    public const string StateFile = "training_state.json";

    /// <summary>diffusers' weights file name.</summary>
    public const string WeightsFile = "diffusion_pytorch_model.safetensors";

    /// <summary>diffusers' config file name.</summary>
    public const string ConfigFile = "config.json";

    private const string Prefix = "checkpoint-";
    private const string StepCountKey = "step_count";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly ILogger logger;

    public CheckpointStore(string output, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(logger);
        Output = Path.GetFullPath(output);
        this.logger = logger;
    }

    /// <summary>The output folder.</summary>
    public string Output { get; }

    /// <summary>Writes a safetensors file; replaced in tests to simulate a full disk.</summary>
    internal Action<string, IEnumerable<KeyValuePair<string, Tensor>>, IReadOnlyDictionary<string, string>?> WriteTensors { get; init; } = SafetensorsWriter.Write;

    /// <summary>The complete checkpoints, oldest first.</summary>
    public IReadOnlyList<(long Step, string Path)> List()
    {
        if (!Directory.Exists(Output))
        {
            return [];
        }

        return Directory.GetDirectories(Output, Prefix + "*")
            .Select(d => (Step: long.TryParse(Path.GetFileName(d)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : -1, Path: d))
            .Where(c => c.Step >= 0)
            .OrderBy(c => c.Step)
            .ToList();
    }

    /// <summary>The newest checkpoint, or null.</summary>
    public string? Latest => List() is { Count: > 0 } all ? all[^1].Path : null;

    /// <summary>
    /// Resolves train.py's <c>--resume_from_checkpoint</c>: <c>latest</c> gives the newest checkpoint or null when there is
    /// none (a fresh start, as train.py does); a path must be a checkpoint folder (or the name of one in the output folder).
    /// </summary>
    /// <exception cref="InvalidInputException">The named checkpoint does not exist or is incomplete.</exception>
    public string? Resolve(string resumeFrom)
    {
        ArgumentNullException.ThrowIfNull(resumeFrom);
        if (string.Equals(resumeFrom, "latest", StringComparison.OrdinalIgnoreCase))
        {
            return Latest;
        }

        var folder = Directory.Exists(resumeFrom) ? resumeFrom : Path.Combine(Output, resumeFrom);
        if (!Directory.Exists(folder))
        {
            throw new InvalidInputException($"Checkpoint '{resumeFrom}' does not exist. Give 'latest' or a checkpoint-N folder written by a previous run.");
        }

        foreach (var required in new[] { StateFile, OptimizerFile, Path.Combine(ControlNetFolder, ConfigFile), Path.Combine(ControlNetFolder, WeightsFile) })
        {
            if (!File.Exists(Path.Combine(folder, required)))
            {
                throw new InvalidInputException($"Checkpoint '{folder}' is incomplete: it has no {required}. Resume from another checkpoint.");
            }
        }

        return Path.GetFullPath(folder);
    }

    /// <summary>Writes <c>checkpoint-{state.GlobalStep}</c> atomically, then removes the oldest beyond <paramref name="totalLimit"/>.</summary>
    /// <returns>The checkpoint folder.</returns>
    /// <exception cref="CheckpointWriteException">The checkpoint could not be written; nothing of it is left and older checkpoints are intact.</exception>
    public string Save(TrainingState state, string controlNetConfig, ControlNetModel controlNet, AdamW optimizer, int? totalLimit)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(controlNet);
        ArgumentNullException.ThrowIfNull(optimizer);
        var final = Path.Combine(Output, Prefix + state.GlobalStep.ToString(CultureInfo.InvariantCulture));
        var partial = Path.Combine(Output, $".{Prefix}{state.GlobalStep}.partial-{Guid.NewGuid():N}");
        var previous = Latest;
        try
        {
            Directory.CreateDirectory(partial);
            WriteControlNet(Path.Combine(partial, ControlNetFolder), controlNetConfig, controlNet);
            WriteTensors(
                Path.Combine(partial, OptimizerFile),
                optimizer.StateTensors(),
                new Dictionary<string, string> { ["format"] = "pt", [StepCountKey] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture) });
            WriteText(Path.Combine(partial, StateFile), JsonSerializer.Serialize(state, JsonOptions));
            Replace(partial, final);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ModelLoadException)
        {
            TryDelete(partial);
            throw new CheckpointWriteException(
                $"Checkpoint {state.GlobalStep} could not be written to '{Output}': {e.Message} " +
                (previous is null ? "No earlier checkpoint exists." : $"The previous checkpoint '{previous}' is intact; free space and resume from it with --resume latest."),
                previous,
                e);
        }

        TrainingLog.CheckpointSaved(logger, final);
        if (totalLimit is int limit)
        {
            foreach (var (_, old) in List().SkipLast(limit))
            {
                TrainingLog.CheckpointRemoved(logger, old, limit);
                TryDelete(old);
            }
        }

        return final;
    }

    /// <summary>
    /// Writes a ControlNet in diffusers layout into <paramref name="folder"/> (created if needed): <c>config.json</c> and
    /// <c>diffusion_pytorch_model.safetensors</c>, each written to a temporary file and renamed.
    /// </summary>
    /// <exception cref="ModelLoadException">A file cannot be written.</exception>
    public void WriteControlNet(string folder, string configJson, ControlNetModel controlNet)
    {
        Directory.CreateDirectory(folder);
        using var scope = NewDisposeScope();
        var tensors = controlNet.state_dict().Select(p => KeyValuePair.Create(p.Key, p.Value.detach().to(ScalarType.Float32))).ToList();
        WriteTensors(Path.Combine(folder, WeightsFile), tensors, null);
        WriteText(Path.Combine(folder, ConfigFile), configJson);
    }

    /// <summary>Reads a checkpoint's state.</summary>
    /// <exception cref="ModelLoadException">The state file is missing or malformed.</exception>
    public static TrainingState ReadState(string checkpoint)
    {
        var path = Path.Combine(checkpoint, StateFile);
        try
        {
            return JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(path))
                ?? throw new ModelLoadException($"Training state '{path}' is empty.", path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ModelLoadException($"Training state '{path}' cannot be read: {e.Message}", path, e);
        }
    }

    /// <summary>Restores the optimizer state of a checkpoint.</summary>
    /// <exception cref="ModelLoadException">The file is missing, corrupt, or saved for another ControlNet.</exception>
    public static void RestoreOptimizer(string checkpoint, AdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var path = Path.Combine(checkpoint, OptimizerFile);
        using var file = SafetensorsFile.Open(path);
        if (!file.Metadata.TryGetValue(StepCountKey, out var text) || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var steps))
        {
            throw new ModelLoadException($"Optimizer state '{path}' has no '{StepCountKey}' metadata: it was not written by StableVsr's trainer.", path);
        }

        var keys = file.Keys.ToHashSet(StringComparer.Ordinal);
        optimizer.Restore(steps, key => keys.Contains(key) ? file.Load(key) : null, path);
    }

    /// <summary>Writes text to <paramref name="path"/> through a temporary file, flushed to disk before the rename.</summary>
    public static void WriteText(string path, string text)
    {
        var temporary = path + $".{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private void Replace(string partial, string final)
    {
        if (!Directory.Exists(final))
        {
            Directory.Move(partial, final);
            return;
        }

        // A checkpoint of the same step from an earlier run: swap it out, then delete it.
        var stale = Path.Combine(Path.GetDirectoryName(final)!, $".{Path.GetFileName(final)}.stale-{Guid.NewGuid():N}");
        Directory.Move(final, stale);
        Directory.Move(partial, final);
        TryDelete(stale);
    }

    private void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TrainingLog.RemoveFailed(logger, folder, e.Message);
        }
    }
}
