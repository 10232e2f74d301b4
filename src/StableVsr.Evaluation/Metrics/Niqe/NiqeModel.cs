using StableVsr.Evaluation.Weights;

namespace StableVsr.Evaluation.Metrics.Niqe;

/// <summary>
/// NIQE's pristine model (Mittal et al., 2013): the mean and covariance of the 36 natural-scene-statistics features
/// over the release's corpus of pristine images, read from the release's <c>modelparameters.mat</c>
/// (<c>mu_prisparam</c> 1x36, <c>cov_prisparam</c> 36x36). The file ships inside this assembly with its notice.
/// </summary>
internal sealed class NiqeModel
{
    /// <summary>Features per image block: 18 at each of the two scales.</summary>
    public const int FeatureCount = 36;

    private NiqeModel(double[] mean, double[] covariance, string source)
    {
        Mean = mean;
        Covariance = covariance;
        Source = source;
    }

    /// <summary>The pristine mean, 36 values.</summary>
    public double[] Mean { get; }

    /// <summary>The pristine covariance, 36x36 row-major (it is symmetric).</summary>
    public double[] Covariance { get; }

    /// <summary>Where the model came from (a path, or the embedded resource).</summary>
    public string Source { get; }

    /// <summary>The model shipped inside this assembly (the NIQE release's file, unchanged).</summary>
    public static NiqeModel Embedded()
    {
        using var stream = EmbeddedWeights.Open(NoReferenceWeights.NiqeResource);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return FromBytes(copy.ToArray(), NoReferenceWeights.NiqeFileName + " (embedded)");
    }

    /// <summary>Reads a NIQE model file (<c>modelparameters.mat</c> or pyiqa's <c>niqe_modelparameters.mat</c>).</summary>
    /// <exception cref="ModelLoadException">The file is missing, not a MAT-file, or lacks the two matrices.</exception>
    public static NiqeModel FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"NIQE model '{full}' cannot be read: {e.Message}. Give the NIQE release's modelparameters.mat, or leave --niqe out to use the one shipped with StableVsr.", full, e);
        }

        return FromBytes(bytes, full);
    }

    private static NiqeModel FromBytes(byte[] bytes, string source)
    {
        var matrices = MatFile.Read(bytes, source);
        var mean = Require(matrices, "mu_prisparam", source, FeatureCount, 1);
        var covariance = Require(matrices, "cov_prisparam", source, FeatureCount, FeatureCount);
        var rowMajor = new double[FeatureCount * FeatureCount];
        for (var r = 0; r < FeatureCount; r++)
        {
            for (var c = 0; c < FeatureCount; c++)
            {
                rowMajor[(r * FeatureCount) + c] = covariance[r, c];
            }
        }

        return new NiqeModel(mean.Values, rowMajor, source);
    }

    private static MatMatrix Require(IReadOnlyDictionary<string, MatMatrix> matrices, string name, string source, int count, int columnsOrOne)
    {
        if (!matrices.TryGetValue(name, out var matrix))
        {
            throw new ModelLoadException($"'{source}' holds no matrix '{name}' (it holds: {string.Join(", ", matrices.Keys)}); it is not NIQE's modelparameters.mat.", source);
        }

        var expected = count * columnsOrOne;
        if (matrix.Values.Length != expected || (columnsOrOne > 1 && matrix.Dimensions.Count == 2 && matrix.Dimensions[0] != count))
        {
            throw new ModelLoadException($"'{source}': '{name}' is [{string.Join("x", matrix.Dimensions)}], NIQE's is {(columnsOrOne == 1 ? $"1x{count}" : $"{count}x{count}")}.", source);
        }

        return matrix;
    }
}
