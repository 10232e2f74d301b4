using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Niqe;

/// <summary>
/// MATLAB's <c>imresize(x, 0.5)</c> (bicubic, a = -0.5, antialiased: the kernel stretched to 8 taps, +2 margin taps
/// that weigh 0, weights normalised per output, MATLAB's symmetric border <c>[a a b c d d]</c>), rows first, then
/// columns. Computed in float32, as pyiqa 0.1.7 does for NIQE whatever the input's precision.
/// </summary>
internal static class MatlabResize
{
    private const double Scale = 0.5;
    private const float A = -0.5f;

    // Support 4 taps stretched by 1/scale, plus one tap on each side (MATLAB's kernel width + 2).
    private const int Taps = 10;

    /// <summary>Halves a [H, W] image (any floating dtype) to [ceil(H/2), ceil(W/2)], computing in float32.</summary>
    public static Tensor Half(Tensor image)
    {
        using var scope = NewDisposeScope();
        var x = image.to(float32).unsqueeze(0).unsqueeze(0);
        x = ResizeAxis(x, 2);
        x = ResizeAxis(x, 3);
        return x.squeeze(0).squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>The cubic convolution kernel (a = -0.5) at float32 distances, as MATLAB's <c>cubic</c>.</summary>
    public static float Cubic(float x)
    {
        var ax = MathF.Abs(x);
        var ax2 = ax * ax;
        var ax3 = ax * ax2;
        if (ax <= 1)
        {
            return ((A + 2) * ax3) - ((A + 3) * ax2) + 1;
        }

        return ax <= 2 ? (A * ax3) - (5 * A * ax2) + (8 * A * ax) - (4 * A) : 0;
    }

    private static Tensor ResizeAxis(Tensor x, int dim)
    {
        var length = (int)x.shape[dim];
        var size = (int)Math.Ceiling(length * Scale);
        var (first, weights) = Weights(size);

        // Output i reads inputs first[i] .. first[i] + Taps - 1, mirrored at the borders.
        var index = new long[Taps * size];
        for (var k = 0; k < Taps; k++)
        {
            for (var i = 0; i < size; i++)
            {
                index[(k * size) + i] = Mirror(first[i] + k, length);
            }
        }

        using var indices = tensor(index, [Taps * size], int64, x.device);
        var gathered = x.index_select(dim, indices);
        var shape = x.shape.ToArray();
        Tensor sample;
        if (dim == 2)
        {
            sample = gathered.view(shape[0], Taps, size, shape[3]);
        }
        else
        {
            sample = gathered.view(shape[0], shape[2], Taps, size).permute(0, 2, 1, 3).contiguous();
        }

        using var weightTensor = tensor(weights, float32, x.device);
        using var weightView = dim == 2 ? weightTensor.view(1, Taps, size, 1) : weightTensor.view(1, Taps, 1, size);
        return (sample * weightView).sum(1, keepdim: true);
    }

    // MATLAB's symmetric padding repeats the border sample: index -1 reads 0, index n reads n - 1.
    private static long Mirror(int i, int length)
    {
        while (i < 0 || i >= length)
        {
            i = i < 0 ? -i - 1 : (2 * length) - i - 1;
        }

        return i;
    }

    private static (int[] First, float[] Weights) Weights(int size)
    {
        var first = new int[size];
        var raw = new float[Taps * size];
        for (var i = 0; i < size; i++)
        {
            // Centre of output i in input coordinates, in float32 as the reference computes it.
            var position = (((float)i + 0.5f) / (float)Scale) - 0.5f;
            var start = MathF.Floor(position) - (Taps / 2) + 1;
            first[i] = (int)start;
            var distance = position - start;
            for (var k = 0; k < Taps; k++)
            {
                raw[(k * size) + i] = Cubic((distance - k) * (float)Scale);
            }
        }

        // Normalised per output over the taps (a float32 reduction over the first axis, as the reference's sum(0)).
        using var scope = NewDisposeScope();
        var table = tensor(raw, [Taps, size], float32);
        var normalised = table / table.sum(0, keepdim: true);
        return (first, normalised.data<float>().ToArray());
    }
}
