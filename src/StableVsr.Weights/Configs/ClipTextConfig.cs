using Microsoft.Extensions.Logging;

namespace StableVsr.Weights.Configs;

/// <summary>
/// The <c>config.json</c> of a transformers <c>CLIPTextModel</c> (the <c>text_encoder/</c> folder of a Stable
/// Diffusion checkpoint). Absent keys take transformers' <c>CLIPTextConfig</c> defaults.
/// </summary>
/// <param name="VocabSize">Rows of the token embedding.</param>
/// <param name="HiddenSize">Width of the transformer.</param>
/// <param name="IntermediateSize">Width of the MLP's hidden layer.</param>
/// <param name="ProjectionDim">Width of the text projection of a full CLIP model (not used by the text model itself).</param>
/// <param name="NumHiddenLayers">Number of encoder layers.</param>
/// <param name="NumAttentionHeads">Number of attention heads; must divide <paramref name="HiddenSize"/>.</param>
/// <param name="MaxPositionEmbeddings">Longest token sequence (rows of the position embedding).</param>
/// <param name="HiddenAct">MLP activation: <c>gelu</c> (exact, erf-based) or <c>quick_gelu</c>.</param>
/// <param name="LayerNormEps">Epsilon of every layer norm.</param>
/// <param name="BosTokenId">Id of the begin-of-text token as written in the config.</param>
/// <param name="EosTokenId">
/// Id of the end-of-text token as written in the config. The value 2 marks configs written before transformers
/// corrected it (PR #24773); such models pool at the largest input id instead, as transformers still does.
/// </param>
/// <param name="PadTokenId">Id of the padding token as written in the config.</param>
internal sealed record ClipTextConfig(
    int VocabSize = 49408,
    int HiddenSize = 512,
    int IntermediateSize = 2048,
    int ProjectionDim = 512,
    int NumHiddenLayers = 12,
    int NumAttentionHeads = 8,
    int MaxPositionEmbeddings = 77,
    string HiddenAct = "quick_gelu",
    double LayerNormEps = 1e-5,
    int BosTokenId = 49406,
    int EosTokenId = 49407,
    int PadTokenId = 1)
{
    /// <summary>The activations the text model implements.</summary>
    public static IReadOnlyList<string> SupportedActivations { get; } = ["gelu", "quick_gelu"];

    /// <summary>Width of one attention head.</summary>
    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>
    /// Whether pooling takes the position of the largest input id (configs with the legacy <c>eos_token_id</c> 2)
    /// rather than the first occurrence of <see cref="EosTokenId"/>.
    /// </summary>
    public bool PoolsAtLargestId => EosTokenId == 2;

    /// <summary>Reads a <c>config.json</c> file.</summary>
    /// <exception cref="ConfigException">The file is missing, not JSON, or a key has a wrong type or value.</exception>
    /// <exception cref="UnsupportedConfigException">The config asks for an activation that is not implemented.</exception>
    public static ClipTextConfig Load(string path, ILogger? logger = null) => FromDocument(ConfigDocument.Load(path), logger);

    /// <summary>Builds the config from a parsed document and checks that the values describe a buildable model.</summary>
    /// <exception cref="ConfigException">A key has a wrong type or an impossible value.</exception>
    /// <exception cref="UnsupportedConfigException">The config asks for an activation that is not implemented.</exception>
    public static ClipTextConfig FromDocument(ConfigDocument doc, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var defaults = new ClipTextConfig();
        var config = new ClipTextConfig(
            VocabSize: Positive(doc, "vocab_size", defaults.VocabSize),
            HiddenSize: Positive(doc, "hidden_size", defaults.HiddenSize),
            IntermediateSize: Positive(doc, "intermediate_size", defaults.IntermediateSize),
            ProjectionDim: doc.GetInt("projection_dim", defaults.ProjectionDim),
            NumHiddenLayers: Positive(doc, "num_hidden_layers", defaults.NumHiddenLayers),
            NumAttentionHeads: Positive(doc, "num_attention_heads", defaults.NumAttentionHeads),
            MaxPositionEmbeddings: Positive(doc, "max_position_embeddings", defaults.MaxPositionEmbeddings),
            HiddenAct: doc.GetString("hidden_act", defaults.HiddenAct),
            LayerNormEps: doc.GetDouble("layer_norm_eps", defaults.LayerNormEps),
            BosTokenId: doc.GetInt("bos_token_id", defaults.BosTokenId),
            EosTokenId: doc.GetInt("eos_token_id", defaults.EosTokenId),
            PadTokenId: doc.GetInt("pad_token_id", defaults.PadTokenId));

        if (config.HiddenSize % config.NumAttentionHeads != 0)
        {
            throw doc.Invalid("num_attention_heads", config.NumAttentionHeads, $"a divisor of hidden_size ({config.HiddenSize})");
        }

        if (!SupportedActivations.Contains(config.HiddenAct, StringComparer.Ordinal))
        {
            throw new UnsupportedConfigException("hidden_act", config.HiddenAct, doc.Source, "Supported: " + string.Join(", ", SupportedActivations) + ".");
        }

        if (!(config.LayerNormEps > 0))
        {
            throw doc.Invalid("layer_norm_eps", config.LayerNormEps, "a positive number");
        }

        // Dropout and initialisation keys only matter for training; they are read so they are not reported as unknown.
        doc.GetDouble("attention_dropout", 0);
        doc.GetDouble("dropout", 0);
        doc.GetDouble("initializer_range", 0.02);
        doc.GetDouble("initializer_factor", 1);
        doc.LogUnknownKeys(logger);
        return config;
    }

    private static int Positive(ConfigDocument doc, string key, int defaultValue)
    {
        var value = doc.GetInt(key, defaultValue);
        return value > 0 ? value : throw doc.Invalid(key, value, "a positive integer");
    }
}
