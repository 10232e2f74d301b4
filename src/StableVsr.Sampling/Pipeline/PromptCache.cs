using StableVsr.Models.Loading;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// A pipeline's encoded prompts: the text encoder runs once per distinct prompt for the life of the pipeline (StableVSR
/// uses one, ""), and every run gets an alias of the cached embeddings. Used on the sampling thread only.
/// </summary>
internal sealed class PromptCache(StableVsrModels models) : IDisposable
{
    private readonly Dictionary<string, Tensor> cache = new(StringComparer.Ordinal);

    /// <summary>The embeddings of <paramref name="prompt"/> [1, tokens, hidden] on the models' device, as an alias the caller's scope disposes.</summary>
    public Tensor Get(string prompt)
    {
        if (!cache.TryGetValue(prompt, out var embeds))
        {
            embeds = models.EncodePrompt(prompt);
            embeds.DetachFromDisposeScope();
            cache[prompt] = embeds;
        }

        return embeds.alias();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var embeds in cache.Values)
        {
            embeds.Dispose();
        }

        cache.Clear();
    }
}
