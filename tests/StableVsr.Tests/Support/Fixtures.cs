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
