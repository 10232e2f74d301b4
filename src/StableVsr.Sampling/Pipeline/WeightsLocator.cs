using Microsoft.Extensions.Logging;

namespace StableVsr.Sampling.Pipeline;

/// <summary>Turns the model and RAFT references of a <see cref="PipelineSource"/> into local files.</summary>
internal static class WeightsLocator
{
    public static Task<string> ResolveModelAsync(string model, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(model))
        {
            return Task.FromResult(Path.GetFullPath(model));
        }

        throw new ModelLoadException($"Model '{model}' is not a local folder.", model);
    }

    public static Task<string> ResolveRaftAsync(string? raft, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (raft is not null && File.Exists(raft))
        {
            return Task.FromResult(Path.GetFullPath(raft));
        }

        throw new ModelLoadException($"RAFT weights '{raft}' not found.", raft);
    }
}
