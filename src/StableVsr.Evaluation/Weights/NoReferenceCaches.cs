namespace StableVsr.Evaluation.Weights;

/// <summary>
/// Where the no-reference metrics' weights are looked for and fetched from: pyiqa's cache (the torch hub's
/// <c>checkpoints</c> folder) for MUSIQ, OpenAI's (<c>~/.cache/clip</c>) for CLIP, and the two public addresses.
/// </summary>
/// <param name="TorchCheckpoints"><c>$TORCH_HOME/hub/checkpoints</c>.</param>
/// <param name="ClipFolder"><c>~/.cache/clip</c>.</param>
/// <param name="Offline">Never download (the cached files are used as they are).</param>
internal sealed record NoReferenceCaches(string TorchCheckpoints, string ClipFolder, bool Offline)
{
    /// <summary>MUSIQ's address.</summary>
    public Uri MusiqUrl { get; init; } = new(NoReferenceWeights.MusiqKoniqUrl);

    /// <summary>CLIP RN50's address.</summary>
    public Uri ClipUrl { get; init; } = new(NoReferenceWeights.ClipRn50Url);

    /// <summary>The sha256 CLIP RN50 must have.</summary>
    public string ClipSha256 { get; init; } = NoReferenceWeights.ClipRn50Sha256;

    /// <summary>The caches of this user: <paramref name="torchHome"/>'s checkpoints and <c>$HOME/.cache/clip</c>.</summary>
    public static NoReferenceCaches For(string torchHome, bool offline, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new NoReferenceCaches(Path.Combine(torchHome, "hub", "checkpoints"), Path.Combine(home, ".cache", "clip"), offline);
    }
}
