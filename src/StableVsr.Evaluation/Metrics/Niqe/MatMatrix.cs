namespace StableVsr.Evaluation.Metrics.Niqe;

/// <summary>A real numeric matrix of a MAT-file.</summary>
/// <param name="Name">The variable name.</param>
/// <param name="Dimensions">MATLAB's dimensions (rows, columns, ...).</param>
/// <param name="Values">The values in MATLAB's column-major order.</param>
internal sealed record MatMatrix(string Name, IReadOnlyList<int> Dimensions, double[] Values)
{
    /// <summary>The value at <paramref name="row"/>, <paramref name="column"/> of a 2-D matrix.</summary>
    public double this[int row, int column] => Values[(column * Dimensions[0]) + row];
}
