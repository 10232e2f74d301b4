namespace StableVsr.Orleans;

/// <summary>Names the StableVsr grains use in a cluster.</summary>
internal static class StableVsrClusterDefaults
{
    /// <summary>The grain storage provider that holds jobs and the registry.</summary>
    public const string StorageName = "stablevsr";

    /// <summary>The key of the one job registry grain.</summary>
    public const string RegistryKey = "registry";
}
