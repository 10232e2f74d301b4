namespace StableVsr.Orleans.Grains;

/// <summary>The registry as persisted: unfinished jobs, oldest first, and the workers that registered.</summary>
[GenerateSerializer, Alias("StableVsr.RegistryState")]
internal sealed class RegistryState
{
    [Id(0)]
    public List<string> Jobs { get; set; } = [];

    [Id(1)]
    public List<WorkerIdentity> Workers { get; set; } = [];
}
