using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Weights.Configs;
using StableVsr.Weights.Hub;
using StableVsr.Weights.Pickle;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Weights.Inspection;

/// <summary>
/// Examines a checkpoint without building any model: a diffusers pipeline folder (<c>model_index.json</c> and one
/// folder per component), a single component folder, a single weight file (<c>.safetensors</c>, <c>.pth</c>,
/// <c>.bin</c>, <c>*.index.json</c>), or a Hub id already in the Hugging Face cache. It lists files, configs and
/// tensors, validates every header and config, and gathers every problem in the report instead of stopping at the first.
/// </summary>
internal sealed partial class CheckpointInspector
{
    private readonly HubOptions options;
    private readonly ILogger logger;

    /// <summary>Creates an inspector; <paramref name="options"/> locate the Hugging Face cache for Hub ids (the process environment by default).</summary>
    public CheckpointInspector(HubOptions? options = null, ILogger<CheckpointInspector>? logger = null)
    {
        this.options = options ?? HubOptions.FromEnvironment();
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Inspects a path or a cached Hub id.</summary>
    /// <param name="pathOrId">A file, a folder, or <c>owner/name[@revision]</c> present in the Hugging Face cache.</param>
    /// <param name="readData">Also read every tensor and report non-finite values (slow for large models).</param>
    /// <exception cref="ModelLoadException">Nothing exists at the path and the Hub id is not in the cache.</exception>
    public CheckpointReport Inspect(string pathOrId, bool readData = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathOrId);
        var path = Locate(pathOrId);
        if (File.Exists(path))
        {
            var folder = System.IO.Path.GetDirectoryName(path)!;
            var problems = new List<string>();
            var weights = ReadWeights(path, readData, problems);
            var component = new ComponentReport(System.IO.Path.GetFileName(path), null, null, [Entry(folder, path)], null, weights, problems);
            return new CheckpointReport(path, null, [component], []);
        }

        var index = System.IO.Path.Combine(path, "model_index.json");
        return File.Exists(index)
            ? InspectPipeline(path, index, readData)
            : new CheckpointReport(path, null, [InspectComponent(path, System.IO.Path.GetFileName(path), null, path, readData)], []);
    }

    private string Locate(string pathOrId)
    {
        if (File.Exists(pathOrId) || Directory.Exists(pathOrId))
        {
            return System.IO.Path.GetFullPath(pathOrId);
        }

        ModelReference reference;
        try
        {
            reference = ModelReference.Parse(pathOrId);
        }
        catch (InvalidInputException e)
        {
            throw new ModelLoadException($"'{pathOrId}' is neither an existing file or folder nor a Hub id (owner/name[@revision]).", pathOrId, e);
        }

        if (reference.IsLocal)
        {
            throw new ModelLoadException($"'{reference.LocalPath}' does not exist.", reference.LocalPath);
        }

        var cache = new HuggingFaceCache(options.HubCache);
        var commit = cache.ResolveCommit(reference.RepoId!, reference.Revision);
        var snapshot = commit is null ? null : cache.SnapshotFolder(reference.RepoId!, commit);
        if (snapshot is null || !Directory.Exists(snapshot))
        {
            throw new ModelLoadException(
                $"Hub model {reference} is not in the Hugging Face cache at '{cache.RepoFolder(reference.RepoId!)}'. Download it first (StableVsr downloads on first use), or pass a local folder.",
                cache.RepoFolder(reference.RepoId!));
        }

        LogSnapshot(logger, reference.ToString(), snapshot);
        return snapshot;
    }

    private CheckpointReport InspectPipeline(string root, string index, bool readData)
    {
        var problems = new List<string>();
        var components = new List<ComponentReport>();
        string? pipelineClass = null;
        try
        {
            var document = ConfigDocument.Load(index);
            pipelineClass = document.GetNullableString("_class_name");
            foreach (var key in document.Keys.Where(k => !k.StartsWith('_')))
            {
                if (document.GetRaw(key) is not JsonArray { Count: 2 } entry)
                {
                    continue;
                }

                if (entry[1] is not JsonValue className || !className.TryGetValue(out string? name))
                {
                    continue;
                }

                var folder = System.IO.Path.Combine(root, key);
                if (!Directory.Exists(folder))
                {
                    problems.Add($"model_index.json lists component '{key}' ({name}), but the folder '{folder}' is missing.");
                    continue;
                }

                components.Add(InspectComponent(folder, key, name, root, readData));
            }
        }
        catch (ConfigException e)
        {
            problems.Add(e.Message);
        }

        return new CheckpointReport(root, pipelineClass, components, problems);
    }

    private ComponentReport InspectComponent(string folder, string name, string? className, string root, bool readData)
    {
        var problems = new List<string>();
        var files = Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Select(f => Entry(root, f)).ToArray();
        var weightPath = CheckpointLayout.FindWeights(folder);
        var isScheduler = className?.EndsWith("Scheduler", StringComparison.Ordinal) == true || File.Exists(System.IO.Path.Combine(folder, CheckpointLayout.SchedulerConfigFileName));
        var isTokenizer = className?.EndsWith("Tokenizer", StringComparison.Ordinal) == true || className?.EndsWith("TokenizerFast", StringComparison.Ordinal) == true ||
            (weightPath is null && File.Exists(System.IO.Path.Combine(folder, CheckpointLayout.TokenizerConfigFileName)));

        ConfigSummary? config = null;
        var configName = isScheduler ? CheckpointLayout.SchedulerConfigFileName : isTokenizer ? CheckpointLayout.TokenizerConfigFileName : CheckpointLayout.ConfigFileName;
        var configPath = System.IO.Path.Combine(folder, configName);
        if (File.Exists(configPath))
        {
            config = ReadConfig(configPath, configName, problems);
        }
        else if (!isTokenizer)
        {
            problems.Add($"'{configPath}' is missing: a {(isScheduler ? "scheduler" : "model")} folder needs its {configName}.");
        }

        WeightFileReport? weights = null;
        if (weightPath is not null)
        {
            weights = ReadWeights(weightPath, readData, problems);
        }
        else if (!isScheduler && !isTokenizer)
        {
            problems.Add($"no weights in '{folder}' (expected one of {string.Join(", ", CheckpointLayout.FolderWeightNames)}).");
        }

        return new ComponentReport(name, folder, className, files, config, weights, problems);
    }

    private static ConfigSummary? ReadConfig(string path, string fileName, List<string> problems)
    {
        try
        {
            var document = ConfigDocument.Load(path);
            var className = document.GetNullableString("_class_name")
                ?? document.GetNullableString("tokenizer_class")
                ?? (document.GetRaw("architectures") is JsonArray { Count: > 0 } architectures && architectures[0] is JsonValue v && v.TryGetValue(out string? a) ? a : null);
            var version = document.GetNullableString("_diffusers_version") ?? document.GetNullableString("transformers_version");
            return new ConfigSummary(fileName, className, version, document.Keys.Count());
        }
        catch (ConfigException e)
        {
            problems.Add(e.Message);
            return null;
        }
    }

    private static WeightFileReport? ReadWeights(string path, bool readData, List<string> problems)
    {
        try
        {
            using var source = TensorSources.Open(path);
            var format = source switch
            {
                SafetensorsFile => "safetensors",
                ShardedTensorSource => "sharded",
                PickleCheckpoint => "PyTorch pickle",
                _ => source.GetType().Name,
            };
            var tensors = source.Keys.Select(source.GetInfo).ToArray();
            if (readData)
            {
                CheckValues(source, tensors, problems);
            }

            return new WeightFileReport(System.IO.Path.GetFileName(path), format, tensors);
        }
        catch (ModelLoadException e)
        {
            problems.Add(e.Message);
            return null;
        }
    }

    private static void CheckValues(ITensorSource source, IEnumerable<TensorInfo> tensors, List<string> problems)
    {
        foreach (var info in tensors.Where(t => t.DType is TensorDType.F64 or TensorDType.F32 or TensorDType.F16 or TensorDType.BF16))
        {
            using var scope = torch.NewDisposeScope();
            var tensor = source.Load(info.Name);
            var bad = (~tensor.isfinite()).sum().item<long>();
            if (bad > 0)
            {
                problems.Add($"tensor '{info.Name}' holds {bad} NaN or infinite values.");
            }
        }
    }

    private static FileEntry Entry(string root, string file) =>
        new(System.IO.Path.GetRelativePath(root, file).Replace('\\', '/'), new FileInfo(file) is { LinkTarget: not null } link ? (link.ResolveLinkTarget(true) as FileInfo)?.Length ?? 0 : new FileInfo(file).Length);

    [LoggerMessage(EventId = LoggerEventIds.InspectingSnapshot, Level = LogLevel.Debug, Message = "Inspecting {Reference} from the cache snapshot {Snapshot}.")]
    private static partial void LogSnapshot(ILogger logger, string reference, string snapshot);
}
