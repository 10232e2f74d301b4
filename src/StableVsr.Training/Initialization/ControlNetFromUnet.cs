using System.Text.Json;
using System.Text.Json.Nodes;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Training.Randomness;
using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Training.Initialization;

/// <summary>
/// diffusers' <c>ControlNetModel.from_unet</c> (0.21): the ControlNet's config takes the UNet's encoder settings, its
/// <c>conv_in</c>, time embedding, class embedding, down blocks and mid block start as copies of the UNet's weights,
/// the zero convolutions (<c>controlnet_down_blocks</c>, <c>controlnet_mid_block</c>) and the conditioning embedding's
/// <c>conv_out</c> start at zero, and the rest of the conditioning embedding gets PyTorch's default convolution
/// initialisation (uniform in ±1/sqrt(fan_in)) from a generator keyed by the training seed.
/// </summary>
internal static class ControlNetFromUnet
{
    private const long InitializationKey = 3;

    private static readonly string[] CopiedPrefixes = ["conv_in.", "time_embedding.", "class_embedding.", "down_blocks.", "mid_block."];
    private static readonly string[] ZeroedPrefixes = ["controlnet_down_blocks.", "controlnet_mid_block.", "controlnet_cond_embedding.conv_out."];

    // The UNet2DConditionModel defaults of the keys from_unet reads, for UNet configs written without them.
    private static readonly (string Key, JsonNode? Default)[] UnetKeys =
    [
        ("transformer_layers_per_block", 1),
        ("encoder_hid_dim", null),
        ("encoder_hid_dim_type", null),
        ("addition_embed_type", null),
        ("addition_time_embed_dim", null),
        ("in_channels", 4),
        ("flip_sin_to_cos", true),
        ("freq_shift", 0),
        ("down_block_types", new JsonArray("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D")),
        ("only_cross_attention", false),
        ("block_out_channels", new JsonArray(320, 640, 1280, 1280)),
        ("layers_per_block", 2),
        ("downsample_padding", 1),
        ("mid_block_scale_factor", 1),
        ("act_fn", "silu"),
        ("norm_num_groups", 32),
        ("norm_eps", 1e-5),
        ("cross_attention_dim", 1280),
        ("attention_head_dim", 8),
        ("num_attention_heads", null),
        ("use_linear_projection", false),
        ("class_embed_type", null),
        ("num_class_embeds", null),
        ("upcast_attention", false),
        ("resnet_time_scale_shift", "default"),
        ("projection_class_embeddings_input_dim", null),
    ];

    /// <summary>
    /// The <c>config.json</c> diffusers would write for <c>ControlNetModel.from_unet(unet,
    /// conditioning_embedding_out_channels=...)</c>: the UNet's values for the keys from_unet copies, the ControlNet's
    /// defaults for the rest, keys sorted as diffusers writes them.
    /// </summary>
    /// <exception cref="ModelLoadException">The UNet config cannot be read, or it uses per-block values a ControlNet cannot hold.</exception>
    public static string ConfigJson(string unetConfigPath, IReadOnlyList<int> conditioningEmbeddingChannels)
    {
        ArgumentNullException.ThrowIfNull(conditioningEmbeddingChannels);
        var unet = ReadObject(unetConfigPath);
        var config = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["_class_name"] = ControlNetConfig.ClassName,
            ["_diffusers_version"] = "0.21.1",
            ["conditioning_channels"] = 3,
            ["controlnet_conditioning_channel_order"] = "rgb",
            ["conditioning_embedding_out_channels"] = new JsonArray(conditioningEmbeddingChannels.Select(c => (JsonNode?)c).ToArray()),
            ["global_pool_conditions"] = false,
            ["addition_embed_type_num_heads"] = 64,
        };
        foreach (var (key, fallback) in UnetKeys)
        {
            config[key] = (unet.TryGetPropertyValue(key, out var value) ? value : fallback)?.DeepClone();
        }

        // A UNet may give these per block; diffusers' ControlNet takes one value for every block.
        config["layers_per_block"] = Uniform(config["layers_per_block"], "layers_per_block", unetConfigPath);
        config["cross_attention_dim"] = Uniform(config["cross_attention_dim"], "cross_attention_dim", unetConfigPath);
        var json = new JsonObject(config.Select(p => KeyValuePair.Create(p.Key, p.Value)));
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Builds the ControlNet described by <paramref name="configJson"/> and initialises it from <paramref name="unet"/>.</summary>
    /// <param name="configJson">The config from <see cref="ConfigJson"/>.</param>
    /// <param name="unet">The UNet whose weights are copied, on the device the ControlNet should be on.</param>
    /// <param name="seed">Seeds the conditioning embedding's random layers.</param>
    /// <exception cref="ModelLoadException">The UNet lacks a weight the ControlNet copies, or its shape differs.</exception>
    public static ControlNetModel Create(string configJson, UNet2DConditionModel unet, long seed)
    {
        ArgumentNullException.ThrowIfNull(unet);
        var config = ControlNetConfig.FromDocument(ConfigDocument.Parse(configJson, "ControlNet made from the UNet"));
        var controlNet = new ControlNetModel(config);
        try
        {
            var reference = unet.parameters().First();
            controlNet.to(ScalarType.Float32).to(reference.device);
            Initialize(controlNet, unet, seed);
            return controlNet;
        }
        catch
        {
            controlNet.Dispose();
            throw;
        }
    }

    private static void Initialize(ControlNetModel controlNet, UNet2DConditionModel unet, long seed)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var source = unet.state_dict();
        using var generator = new TorchSharp.torch.Generator((ulong)KeyedSeed.Derive(seed, InitializationKey), CPU);
        var parameters = controlNet.named_parameters().ToList();
        var shapes = parameters.ToDictionary(p => p.name, p => p.parameter.shape, StringComparer.Ordinal);
        foreach (var (name, parameter) in parameters)
        {
            if (CopiedPrefixes.Any(name.StartsWith))
            {
                if (!source.TryGetValue(name, out var weight))
                {
                    throw new ModelLoadException($"The UNet has no '{name}', which ControlNetModel.from_unet copies: the UNet is not the kind the ControlNet's config describes.");
                }

                if (!weight.shape.SequenceEqual(parameter.shape))
                {
                    throw new ModelLoadException($"The UNet's '{name}' is [{string.Join(", ", weight.shape)}] but the ControlNet's is [{string.Join(", ", parameter.shape)}].");
                }

                parameter.copy_(weight);
            }
            else if (ZeroedPrefixes.Any(name.StartsWith))
            {
                parameter.zero_();
            }
            else
            {
                // PyTorch's Conv2d.reset_parameters: kaiming_uniform(a=sqrt(5)) for the weight and the bias share the
                // bound 1/sqrt(fan_in), fan_in being the weight's in_channels x kernel area.
                var weightShape = shapes[name[..name.LastIndexOf('.')] + ".weight"];
                var fan = weightShape.Skip(1).Aggregate(1L, (a, b) => a * b);
                var bound = 1.0 / Math.Sqrt(fan);
                var values = empty(parameter.shape, ScalarType.Float32, CPU).uniform_(-bound, bound, generator);
                parameter.copy_(values);
            }
        }
    }

    private static JsonNode? Uniform(JsonNode? value, string key, string path)
    {
        if (value is not JsonArray array)
        {
            return value;
        }

        var values = array.Select(v => v?.ToJsonString()).Distinct().ToList();
        if (values.Count != 1)
        {
            throw new UnsupportedConfigException(key, array.ToJsonString(), path, "diffusers' ControlNetModel.from_unet needs one value for every block.");
        }

        return array[0]?.DeepClone();
    }

    private static JsonObject ReadObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new ConfigException($"Config '{path}' is not a JSON object.", path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ConfigException($"UNet config '{path}' cannot be read: {e.Message}", path, innerException: e);
        }
    }
}
