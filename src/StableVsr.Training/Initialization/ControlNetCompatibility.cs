using StableVsr.Weights.Configs;

namespace StableVsr.Training.Initialization;

/// <summary>
/// Checks that a ControlNet checkpoint was made for the UNet it is to train with: the same encoder (input channels,
/// block types and widths, layers, cross-attention width, class embedding), so its residuals fit the UNet's skip
/// connections, and a conditioning embedding that brings the 4x HR warped frame down to the latent size.
/// </summary>
internal static class ControlNetCompatibility
{
    /// <summary>The ratio of the conditioning image to the latents in StableVSR (the HR frame against LR-sized latents).</summary>
    public const int ConditioningScale = 4;

    /// <exception cref="ModelLoadException">The ControlNet is of another architecture; the message names the first difference.</exception>
    public static void Check(ControlNetConfig controlNet, UNet2DConditionConfig unet, string origin)
    {
        ArgumentNullException.ThrowIfNull(controlNet);
        ArgumentNullException.ThrowIfNull(unet);
        Same("in_channels", controlNet.InChannels, unet.InChannels, origin);
        Same("down_block_types", string.Join(", ", controlNet.DownBlockTypes), string.Join(", ", unet.DownBlockTypes), origin);
        Same("block_out_channels", string.Join(", ", controlNet.BlockOutChannels), string.Join(", ", unet.BlockOutChannels), origin);
        Same("layers_per_block", controlNet.LayersPerBlock.ToString(System.Globalization.CultureInfo.InvariantCulture),
            string.Join(", ", unet.LayersPerBlock.Distinct()), origin);
        Same("cross_attention_dim", controlNet.CrossAttentionDim.ToString(System.Globalization.CultureInfo.InvariantCulture),
            string.Join(", ", unet.CrossAttentionDim.Distinct()), origin);
        Same("num_class_embeds", controlNet.NumClassEmbeds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null",
            unet.NumClassEmbeds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null", origin);
        var scale = 1 << (controlNet.ConditioningEmbeddingOutChannels.Count - 1);
        if (scale != ConditioningScale)
        {
            throw new ModelLoadException(
                $"ControlNet '{origin}' downsamples its conditioning image {scale}x (conditioning_embedding_out_channels has {controlNet.ConditioningEmbeddingOutChannels.Count} entries); " +
                $"StableVSR conditions on the {ConditioningScale}x HR frame, which needs 3 entries (train.py uses [64, 128, 256]).",
                origin);
        }
    }

    private static void Same<T>(string key, T controlNet, T unet, string origin)
    {
        if (!EqualityComparer<T>.Default.Equals(controlNet, unet))
        {
            throw new ModelLoadException(
                $"ControlNet '{origin}' was made for another UNet: its {key} is [{controlNet}] but the UNet's is [{unet}]. " +
                "Give a ControlNet trained for this model (such as StableVSR's controlnet/), or leave it out to make one from the UNet.",
                origin);
        }
    }
}
