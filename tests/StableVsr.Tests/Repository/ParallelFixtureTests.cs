using StableVsr.Tests.Support;

namespace StableVsr.Tests.Repository;

/// <summary>
/// The test classes marked <c>[Parallelizable(ParallelScope.Self)]</c> run beside each other (docs/testing.md; the
/// classes without it run one at a time, after them): such a class must not touch what the whole process shares, or a
/// neighbour's result would depend on timing. Read from the test sources: a parallel class uses none of the calls below.
/// </summary>
public class ParallelFixtureTests
{
    // What a parallel class must not use, and why.
    private static readonly (string Use, string Shared)[] ProcessWide =
    [
        ("Console.Set", "the console writers (another class's output would land in the capture)"),
        ("manual_seed", "libtorch's global generator (a neighbour's draws would move the sequence)"),
        ("SetEnvironmentVariable", "the environment"),
        ("set_num_threads", "libtorch's thread count"),
        ("CpuThreads", "libtorch's thread count (an option that sets it for the process)"),
        ("\"--threads\"", "libtorch's thread count (the CLI option that sets it for the process)"),
        ("GC.Collect", "the garbage collector (memory measured around it would count the neighbours)"),
        ("GcStorm.Start", "the garbage collector (a storm slows every neighbour down)"),
        ("GetTotalMemory", "the managed heap's size"),
        ("WorkingSet", "the process's memory"),
        ("NativeMemory", "libtorch's allocations"),
        ("MetricsCase.Lpips", "the evaluation tests' shared networks (one module used from two threads)"),
        ("MetricsCase.Dists", "the evaluation tests' shared networks (one module used from two threads)"),
        ("MetricsCase.Raft", "the evaluation tests' shared networks (one module used from two threads)"),
        ("set_default_device", "TorchSharp's default device (a neighbour's tensors would be made on it)"),
        ("BuildOnMeta", "TorchSharp's default device, set to meta while a module is built (a neighbour's weights would load into meta tensors)"),
        ("TorchBackend", "the native standard error captured while libtorch initialises"),
        ("[NonParallelizable]", "a contradiction"),
    ];

    [Test]
    public void ParallelTestClassesTouchNothingTheProcessShares()
    {
        var parallel = TestSourceFile.All().Where(s => s.ClassAttributes.Contains("[Parallelizable(", StringComparison.Ordinal)).ToArray();
        var hazards =
            from source in parallel
            from item in ProcessWide
            where source.Text.Contains(item.Use, StringComparison.Ordinal)
            select $"{source.RelativePath} runs in parallel but uses {item.Use}: {item.Shared}";

        Assert.That(parallel, Has.Length.GreaterThan(10), "the parallel classes were found");
        Assert.That(hazards.ToArray(), Is.Empty);
    }
}
