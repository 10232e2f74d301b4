namespace StableVsr.Tests.Support;

/// <summary>The repository root: the nearest folder above the test binaries that holds StableVsr.sln.</summary>
public static class RepositoryRoot
{
    /// <summary>The root folder.</summary>
    public static string Path { get; } = Locate();

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "StableVsr.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("No StableVsr.sln above " + AppContext.BaseDirectory);
    }
}
