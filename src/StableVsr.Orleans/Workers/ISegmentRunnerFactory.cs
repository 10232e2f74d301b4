namespace StableVsr.Orleans.Workers;

/// <summary>Creates a silo's runners, one per device, when the silo starts (loading the model there).</summary>
internal interface ISegmentRunnerFactory
{
    /// <summary>The devices this silo offers.</summary>
    IReadOnlyList<ComputeDevice> Devices { get; }

    /// <summary>Creates the runner of <paramref name="device"/>.</summary>
    /// <exception cref="ModelLoadException">The model cannot be loaded.</exception>
    Task<ISegmentRunner> CreateAsync(ComputeDevice device, CancellationToken cancellationToken);
}
