namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>get_down_block</c> / <c>get_up_block</c> for the block types StableVSR's checkpoints use. Any
/// other type name throws <see cref="UnsupportedConfigException"/> naming the config key and value.
/// </summary>
internal static class BlockFactory
{
    /// <summary>The <c>down_block_types</c> entries the UNet and ControlNet implement.</summary>
    public static IReadOnlyList<string> UNetDownBlockTypes { get; } = ["DownBlock2D", "CrossAttnDownBlock2D"];

    /// <summary>The <c>up_block_types</c> entries the UNet implements.</summary>
    public static IReadOnlyList<string> UNetUpBlockTypes { get; } = ["UpBlock2D", "CrossAttnUpBlock2D"];

    /// <summary>Builds a UNet / ControlNet down block.</summary>
    /// <exception cref="UnsupportedConfigException">The type is not implemented.</exception>
    public static UNetDownBlock CreateDownBlock(
        string type,
        int numLayers,
        int inChannels,
        int outChannels,
        bool addDownsample,
        int downsamplePadding,
        ResnetSettings resnet,
        CrossAttentionSettings attention,
        string? source) => Normalize(type) switch
        {
            "DownBlock2D" => new DownBlock2D(numLayers, inChannels, outChannels, addDownsample, downsamplePadding, resnet),
            "CrossAttnDownBlock2D" => new CrossAttnDownBlock2D(numLayers, inChannels, outChannels, addDownsample, downsamplePadding, resnet, attention),
            _ => throw Unsupported("down_block_types", type, source, UNetDownBlockTypes),
        };

    /// <summary>Builds a UNet up block; the channel arguments are those of <see cref="UpBlock2D"/>.</summary>
    /// <exception cref="UnsupportedConfigException">The type is not implemented.</exception>
    public static UNetUpBlock CreateUpBlock(
        string type,
        int numLayers,
        int inChannels,
        int outChannels,
        int prevOutputChannels,
        bool addUpsample,
        ResnetSettings resnet,
        CrossAttentionSettings attention,
        string? source) => Normalize(type) switch
        {
            "UpBlock2D" => new UpBlock2D(numLayers, inChannels, outChannels, prevOutputChannels, addUpsample, resnet),
            "CrossAttnUpBlock2D" => new CrossAttnUpBlock2D(numLayers, inChannels, outChannels, prevOutputChannels, addUpsample, resnet, attention),
            _ => throw Unsupported("up_block_types", type, source, UNetUpBlockTypes),
        };

    /// <summary>Builds a VAE encoder block.</summary>
    /// <exception cref="UnsupportedConfigException">The type is not implemented.</exception>
    public static DownEncoderBlock2D CreateEncoderBlock(string type, int numLayers, int inChannels, int outChannels, bool addDownsample, int downsamplePadding, ResnetSettings resnet, string? source) =>
        Normalize(type) == "DownEncoderBlock2D"
            ? new DownEncoderBlock2D(numLayers, inChannels, outChannels, addDownsample, downsamplePadding, resnet)
            : throw Unsupported("down_block_types", type, source, ["DownEncoderBlock2D"]);

    /// <summary>Builds a VAE decoder block.</summary>
    /// <exception cref="UnsupportedConfigException">The type is not implemented.</exception>
    public static UpDecoderBlock2D CreateDecoderBlock(string type, int numLayers, int inChannels, int outChannels, bool addUpsample, ResnetSettings resnet, string? source) =>
        Normalize(type) == "UpDecoderBlock2D"
            ? new UpDecoderBlock2D(numLayers, inChannels, outChannels, addUpsample, resnet)
            : throw Unsupported("up_block_types", type, source, ["UpDecoderBlock2D"]);

    // diffusers accepts the historical "UNetRes" prefix on every block name.
    private static string Normalize(string type) => type.StartsWith("UNetRes", StringComparison.Ordinal) ? type["UNetRes".Length..] : type;

    private static UnsupportedConfigException Unsupported(string key, string type, string? source, IReadOnlyList<string> implemented) =>
        new(key, type, source, $"Implemented block types: {string.Join(", ", implemented)}.");
}
