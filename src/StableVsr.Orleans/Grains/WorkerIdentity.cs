namespace StableVsr.Orleans.Grains;

/// <summary>One device of one silo that takes segments, one at a time.</summary>
/// <param name="Silo">The silo's address (<c>SiloAddress.ToParsableString()</c>), to learn from membership whether it died.</param>
/// <param name="Device">The device, as <see cref="ComputeDevice.ToString"/> writes it.</param>
/// <param name="ModelFingerprint">The fingerprint of the worker's model files and precision.</param>
[GenerateSerializer, Immutable, Alias("StableVsr.WorkerIdentity")]
internal sealed record WorkerIdentity([property: Id(0)] string Silo, [property: Id(1)] string Device, [property: Id(2)] string ModelFingerprint)
{
    /// <summary>A readable name: silo address and device.</summary>
    public string Name => $"{Silo} {Device}";
}
