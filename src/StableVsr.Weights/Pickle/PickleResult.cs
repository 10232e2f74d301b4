namespace StableVsr.Weights.Pickle;

/// <summary>What one pickle of a file built.</summary>
/// <param name="Root">The object the pickle builds.</param>
/// <param name="Storages">Every storage its persistent ids name, by key.</param>
/// <param name="End">The offset of the byte after its STOP opcode.</param>
internal sealed record PickleResult(object? Root, IReadOnlyDictionary<string, StorageRef> Storages, int End);
