using System.Text.Json.Nodes;
using StableVsr.Tests.Support;
using StableVsr.Weights;
using StableVsr.Weights.Configs;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Models;

/// <summary>
/// The tiny fixture checkpoints with edited configs: reads a model folder's <c>config.json</c>, applies edits to
/// the JSON, builds the model from the edited config and loads the folder's weights into it.
/// </summary>
internal static class TinyCheckpoint
{
    /// <summary>The config of a fixture model folder as a document, after <paramref name="edit"/> changed its JSON.</summary>
    public static ConfigDocument Config(string[] folder, Action<JsonObject>? edit = null)
    {
        var path = Fixtures.Path([.. folder, "config.json"]);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit?.Invoke(json);
        return ConfigDocument.Parse(json.ToJsonString(), path);
    }

    /// <summary>Builds a model from the (edited) config and loads the folder's weights, in eval mode.</summary>
    public static T Load<T>(string[] folder, Func<ConfigDocument, T> build, Action<JsonObject>? edit = null)
        where T : torch.nn.Module
    {
        ArgumentNullException.ThrowIfNull(build);
        var model = build(Config(folder, edit));
        using var weights = SafetensorsFile.Open(Fixtures.Path([.. folder, "diffusion_pytorch_model.safetensors"]));
        StateDictLoader.Load(model, weights);
        model.eval();
        return model;
    }
}
