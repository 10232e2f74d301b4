namespace StableVsr.Tests.Support;

/// <summary>
/// Locates the reference fixtures: the folder named by STABLEVSR_FIXTURES, else ../shared/fixtures relative
/// to the repository root. Fails loudly when they are missing, so a parity test never passes vacuously.
/// </summary>
public static class Fixtures
{
    private static readonly Lazy<string> RootPath = new(Locate);

    /// <summary>The fixture folder.</summary>
    public static string Root => RootPath.Value;

    /// <summary>A path inside the fixture folder.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>A path inside <c>cases/</c>.</summary>
    public static string Case(string name) => Path("cases", name);

    /// <summary>
    /// The names of the files in <c>cases/</c> that match <paramref name="pattern"/> (e.g. <c>train_step*.safetensors</c>),
    /// in ordinal order, for tests that run every case a generator made; fails when there is none.
    /// </summary>
    public static IReadOnlyList<string> Cases(string pattern)
    {
        var names = Directory.GetFiles(Path("cases"), pattern).Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        return names.Count > 0
            ? names
            : throw new FileNotFoundException($"No {pattern} in '{Path("cases")}': the fixture set is incomplete.");
    }

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("STABLEVSR_FIXTURES");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            if (!Directory.Exists(fromEnv))
            {
                throw new DirectoryNotFoundException($"STABLEVSR_FIXTURES points to '{fromEnv}', which does not exist.");
            }

            return System.IO.Path.GetFullPath(fromEnv);
        }

        var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(RepositoryRoot.Path, "..", "shared", "fixtures"));
        return Directory.Exists(candidate)
            ? candidate
            : throw new DirectoryNotFoundException($"Reference fixtures not found at '{candidate}'. Set STABLEVSR_FIXTURES to the fixture folder.");
    }
}
