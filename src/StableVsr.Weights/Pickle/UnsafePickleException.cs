namespace StableVsr.Weights.Pickle;

/// <summary>
/// A PyTorch checkpoint's pickle asks for something a state dict never needs: a Python global outside the
/// allowed set (which under Python could run arbitrary code, e.g. <c>os.system</c>) or an object-building opcode.
/// Nothing from the file was executed.
/// </summary>
public class UnsafePickleException : CheckpointFormatException
{
    /// <summary>Creates the exception for <paramref name="path"/>; <paramref name="forbidden"/> names the global or opcode.</summary>
    public UnsafePickleException(string path, string forbidden, string problem)
        : base(path, problem, "StableVsr reads only plain state dicts (tensors by name); do not use this file unless you trust its origin, and re-save it as safetensors from Python.", null)
    {
        Forbidden = forbidden;
    }

    /// <summary>The refused global (<c>posix.system</c>) or opcode.</summary>
    public string Forbidden { get; }
}
