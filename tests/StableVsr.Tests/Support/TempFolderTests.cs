namespace StableVsr.Tests.Support;

/// <summary>A test class whose every test gets a fresh <see cref="TempFolder"/> (<see cref="Temp"/>), deleted with everything in it after the test.</summary>
public abstract class TempFolderTests
{
    private TempFolder? temp;

    /// <summary>The running test's folder.</summary>
    protected TempFolder Temp => temp ?? throw new InvalidOperationException("The temporary folder exists only while a test runs.");

    [SetUp]
    public void CreateFolder() => temp = new TempFolder();

    [TearDown]
    public void DeleteFolder()
    {
        temp?.Dispose();
        temp = null;
    }
}
