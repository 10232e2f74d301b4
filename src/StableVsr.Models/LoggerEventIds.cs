namespace StableVsr.Models;

/// <summary>The event ids of this library's log messages, in one place (StableVsr.Models: 3000-3999).</summary>
internal static class LoggerEventIds
{
    /// <summary>The networks of a checkpoint are being loaded.</summary>
    public const int LoadingModels = 3000;

    /// <summary>A line libtorch printed to the native standard error while the backend initialised.</summary>
    public const int NativeBackendMessage = 3001;

    /// <summary>A CLIP tokenizer was read (vocabulary size, merges, special tokens).</summary>
    public const int TokenizerLoaded = 3002;
}
