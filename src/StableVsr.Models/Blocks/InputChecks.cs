using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>Shape and dtype checks at the boundary of the models, with messages that say what was expected.</summary>
internal static class InputChecks
{
    /// <summary>A floating-point [B, channels, H, W] map in the model's dtype.</summary>
    public static void CheckImage(Tensor? tensor, string name, int channels, ScalarType modelDtype, string model)
    {
        if (tensor is null)
        {
            throw new InvalidInputException($"{model}: '{name}' is required.");
        }

        if (tensor.dim() != 4)
        {
            throw new InvalidInputException($"{model}: '{name}' must have 4 dimensions [batch, {channels}, height, width]; got {Shape(tensor)}.");
        }

        if (tensor.shape[1] != channels)
        {
            throw new InvalidInputException($"{model}: '{name}' must have {channels} channels (dimension 1) as the config says; got {Shape(tensor)}.");
        }

        if (tensor.shape[0] == 0 || tensor.shape[2] == 0 || tensor.shape[3] == 0)
        {
            throw new InvalidInputException($"{model}: '{name}' is empty: {Shape(tensor)}.");
        }

        CheckDtype(tensor, name, modelDtype, model);
    }

    /// <summary>A floating-point tensor in the model's dtype.</summary>
    public static void CheckDtype(Tensor tensor, string name, ScalarType modelDtype, string model)
    {
        if (tensor.dtype != modelDtype)
        {
            throw new InvalidInputException($"{model}: '{name}' is {tensor.dtype} but the model's weights are {modelDtype}; convert the input with .to({modelDtype}).");
        }
    }

    /// <summary>A timestep that broadcasts to the batch: a scalar, or one value, or one value per sample.</summary>
    public static void CheckTimestep(Tensor? timestep, long batch, string model)
    {
        if (timestep is null)
        {
            throw new InvalidInputException($"{model}: 'timestep' is required.");
        }

        if (timestep.dim() > 1 || (timestep.dim() == 1 && timestep.shape[0] != 1 && timestep.shape[0] != batch))
        {
            throw new InvalidInputException($"{model}: 'timestep' must be a scalar or hold 1 or {batch} (the batch size) values; got {Shape(timestep)}.");
        }

        if (timestep.dtype == ScalarType.Bool || timestep.is_complex())
        {
            throw new InvalidInputException($"{model}: 'timestep' must be an integer or real tensor; got {timestep.dtype}.");
        }
    }

    /// <summary>Encoder hidden states [B, tokens, crossAttentionDim].</summary>
    public static void CheckEncoderHiddenStates(Tensor? states, long batch, int crossAttentionDim, ScalarType modelDtype, string model)
    {
        if (states is null)
        {
            throw new InvalidInputException($"{model}: 'encoder_hidden_states' is required (the text embeddings, [batch, tokens, {crossAttentionDim}]).");
        }

        if (states.dim() != 3 || states.shape[0] != batch || states.shape[2] != crossAttentionDim || states.shape[1] == 0)
        {
            throw new InvalidInputException(
                $"{model}: 'encoder_hidden_states' must be [{batch}, tokens, {crossAttentionDim}] (batch of the sample, cross_attention_dim of the config); got {Shape(states)}.");
        }

        CheckDtype(states, "encoder_hidden_states", modelDtype, model);
    }

    /// <summary>
    /// Class labels: required by a model with a class embedding, refused by one without; integers, and in range when
    /// they are on the CPU (values on a GPU are not read back).
    /// </summary>
    public static void CheckClassLabels(Tensor? labels, int? numClassEmbeds, long batch, string model)
    {
        if (numClassEmbeds is not int count)
        {
            if (labels is not null)
            {
                throw new InvalidInputException($"{model}: 'class_labels' were given but this model has no class embedding (its config has no 'num_class_embeds'); pass none.");
            }

            return;
        }

        if (labels is null)
        {
            throw new InvalidInputException(
                $"{model}: 'class_labels' are required because the config sets num_class_embeds = {count} (for the x4 upscaler: the noise level, 0..{count - 1}, one per sample).");
        }

        if (labels.dim() != 1 || (labels.shape[0] != 1 && labels.shape[0] != batch))
        {
            throw new InvalidInputException($"{model}: 'class_labels' must be a 1-D tensor of 1 or {batch} (the batch size) labels; got {Shape(labels)}.");
        }

        if (!is_integral(labels.dtype) || labels.dtype == ScalarType.Bool)
        {
            throw new InvalidInputException($"{model}: 'class_labels' must be integers (int64); got {labels.dtype}.");
        }

        // Reading values back from an accelerator would stall its queue on every forward; labels there are checked
        // by whoever made them (the sampler checks its noise level once per run), and the embedding refuses the rest.
        if (labels.device_type != DeviceType.CPU)
        {
            return;
        }

        var min = labels.min().item<long>();
        var max = labels.max().item<long>();
        if (min < 0 || max >= count)
        {
            throw new InvalidInputException($"{model}: 'class_labels' must lie in 0..{count - 1} (num_class_embeds = {count}); got values from {min} to {max}.");
        }
    }

    /// <summary>The shape as "[2, 7, 16, 24]".</summary>
    public static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
