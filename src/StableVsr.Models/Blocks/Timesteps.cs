using StableVsr.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>Timesteps</c>: the sinusoidal embedding of (possibly fractional) timesteps, computed in float32
/// whatever the model dtype. It has no weights; the checkpoint has no <c>time_proj</c> keys.
/// </summary>
internal sealed class Timesteps : nn.Module<Tensor, Tensor>
{
    private const double MaxPeriod = 10000;

    private readonly int numChannels;
    private readonly bool flipSinToCos;
    private readonly double downscaleFreqShift;

    /// <summary>Creates the embedding of width <paramref name="numChannels"/>.</summary>
    public Timesteps(int numChannels, bool flipSinToCos, double downscaleFreqShift)
        : base(nameof(Timesteps))
    {
        this.numChannels = numChannels;
        this.flipSinToCos = flipSinToCos;
        this.downscaleFreqShift = downscaleFreqShift;
        RegisterComponents();
    }

    /// <summary>Embeds a 1-D tensor of N timesteps as [N, numChannels] float32.</summary>
    public override Tensor forward(Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var half = numChannels / 2;
        var exponent = TensorArithmetic.Arange(0, half, dtype: ScalarType.Float32, device: timesteps.device).Times(-Math.Log(MaxPeriod));
        exponent = exponent.DividedBy(half - downscaleFreqShift);
        var frequencies = exp(exponent);
        var angles = timesteps.unsqueeze(1).to_type(ScalarType.Float32) * frequencies.unsqueeze(0);
        var emb = cat([sin(angles), cos(angles)], -1);
        if (flipSinToCos)
        {
            emb = cat([emb[.., half..], emb[.., ..half]], -1);
        }

        if (numChannels % 2 == 1)
        {
            emb = nn.functional.pad(emb, [0, 1, 0, 0]);
        }

        return emb.MoveToOuterDisposeScope();
    }
}
