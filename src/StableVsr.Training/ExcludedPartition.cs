namespace StableVsr.Training;

/// <summary>
/// Which REDS sequences are held out of training for validation (the dataset config's <c>val_partition</c> with
/// <c>remove_partition: True</c>). Sequences are matched by folder name.
/// </summary>
public enum ExcludedPartition
{
    /// <summary>Nothing is held out (<c>remove_partition: False</c>).</summary>
    None,

    /// <summary>REDS4: sequences 000, 011, 015 and 020 (StableVSR's <c>config_reds.yaml</c>).</summary>
    Reds4,

    /// <summary>REDS's official validation split: sequences 240 to 269.</summary>
    RedsOfficial,
}
