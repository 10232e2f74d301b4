using System.Globalization;

namespace StableVsr.Sampling.Jobs;

/// <summary>
/// A lower bound of the memory a run on frames of one size needs, from the tensors the pipeline really allocates, so
/// a run that cannot fit is refused before anything is allocated or written (a job on 8000x8000 frames asked libtorch
/// for 12.3 GB in one piece, then died). Three terms, for <c>W x H</c> input frames (the output is <c>4W x 4H</c>):
/// <list type="bullet">
/// <item>flows: RAFT's all-pairs correlation of one frame pair, both directions in one call, over its 1/8-resolution
/// features of the bicubic-upscaled frames (<c>2 x (WH/4)^2</c> float32, plus its pyramid, 4/3), with the two upscaled
/// frames (<c>2 x 3 x 16WH</c> float32);</item>
/// <item>the window's state: every frame's forward and backward flow at the output size (<c>window x 2 x 2 x 16WH</c>,
/// float32, or float16 with half flows);</item>
/// <item>decoding one frame: the VAE decoder's last stage holds at least two 128-channel float32 activations at the
/// output size (<c>2 x 128 x 16WH</c>), or at the tile's size with a VAE tile.</item>
/// </list>
/// The UNet's activations (at the input size) and the models are not counted: the bound is what no option removes. The
/// check runs where the models run on the CPU, against the memory .NET may use (the machine's, or its container's limit).
/// </summary>
/// <param name="FlowBytes">The flow phase's peak.</param>
/// <param name="WindowStateBytes">The window's flows, held through the window.</param>
/// <param name="DecodeBytes">Decoding one frame.</param>
internal sealed record MemoryEstimate(double FlowBytes, double WindowStateBytes, double DecodeBytes)
{
    /// <summary>The peak: the window's state with the larger of the flow and decode phases.</summary>
    public double PeakBytes => WindowStateBytes + Math.Max(FlowBytes, DecodeBytes);

    /// <summary>The estimate for <paramref name="width"/> x <paramref name="height"/> input frames under <paramref name="sampling"/>.</summary>
    public static MemoryEstimate For(int width, int height, SamplingOptions sampling)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        var pixels = (double)width * height;
        var features = pixels / 4;
        var flows = (2 * features * features * 4 * 4 / 3) + (2 * 3 * 16 * pixels * 4);
        var state = sampling.WindowSize * 2.0 * 2 * 16 * pixels * (sampling.HalfPrecisionFlows ? 2 : 4);
        var decoded = sampling.VaeTileSize is { } tile ? Math.Min(pixels, (double)tile * tile) : pixels;
        var decode = 2.0 * 128 * 16 * decoded * 4;
        return new MemoryEstimate(flows, state, decode);
    }

    /// <summary>Refuses a run whose estimate exceeds <paramref name="availableBytes"/>, naming the frame size and what helps.</summary>
    /// <exception cref="InvalidInputException">The run cannot fit.</exception>
    public void ThrowIfOver(double availableBytes, int width, int height, SamplingOptions sampling)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        if (PeakBytes <= availableBytes)
        {
            return;
        }

        var help = new List<string>();
        if (FlowBytes >= DecodeBytes && FlowBytes > availableBytes / 2)
        {
            help.Add($"RAFT's correlation of a frame pair alone needs {Size(FlowBytes)} and grows with the square of the frame area; no option reduces it: downscale the frames, or cut them into tiles and upscale each");
        }

        if (DecodeBytes > FlowBytes)
        {
            help.Add(sampling.VaeTileSize is null
                ? $"decoding a whole frame needs {Size(DecodeBytes)}: decode in tiles (--vae-tile 64, SamplingOptions.VaeTileSize)"
                : $"decoding a tile needs {Size(DecodeBytes)}: use a smaller --vae-tile");
        }

        if (WindowStateBytes > availableBytes / 4)
        {
            help.Add($"the window's flows need {Size(WindowStateBytes)}: a smaller --window (now {sampling.WindowSize.ToString(CultureInfo.InvariantCulture)})" +
                (sampling.HalfPrecisionFlows ? string.Empty : ", --half-flows") + ", or --state-device cpu when the models run on a GPU");
        }

        throw new InvalidInputException(string.Create(
            CultureInfo.InvariantCulture,
            $"Frames of {width}x{height} (output {4L * width}x{4L * height}) need at least {Size(PeakBytes)} of memory, and this machine allows {Size(availableBytes)}: {string.Join("; ", help)}. Nothing was written."));
    }

    private static string Size(double bytes) => bytes switch
    {
        >= 1e12 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e12:0.#} TB"),
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.#} GB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.#} MB"),
    };
}
