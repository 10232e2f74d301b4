using System.Text.Json;
using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Weights;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Benchmarks.Weights;

/// <summary>
/// Loads a 1.9 GB safetensors file with the full-size StableVSR UNet's 687 keys and shapes (from the fixtures'
/// manifest, random values written by <see cref="GlobalSetup"/>) into a module of matching shape, and reports
/// time and peak resident memory. <see cref="StateDictLoader"/> fills the parameters straight from the file; the
/// baseline materialises every tensor first and then copies (TorchSharp's <c>load_state_dict</c> way), which needs
/// a second copy of the weights.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class SafetensorsLoadBenchmarks
{
    private string folder = null!;
    private string path = null!;
    private ManifestModule module = null!;
    private long residentBefore;

    /// <summary>Writes the file into a temporary folder and builds the module.</summary>
    [GlobalSetup]
    public void GlobalSetup()
    {
        var manifest = JsonSerializer.Deserialize<Dictionary<string, long[]>>(File.ReadAllText(ManifestPath()))!.ToList();
        folder = Directory.CreateTempSubdirectory("stablevsr-bench-").FullName;
        path = Path.Combine(folder, "unet.safetensors");
        using (var source = new RandomTensorSource(manifest))
        {
            SafetensorsWriter.Write(path, source);
        }

        module = new ManifestModule(manifest);
        Console.WriteLine($"// Wrote {new FileInfo(path).Length / 1e9:F2} GB ({manifest.Count} tensors) to {path}");
    }

    /// <summary>Resets the peak-memory mark before each measured load.</summary>
    [IterationSetup]
    public void IterationSetup()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ProcessMemory.ResetPeak();
        residentBefore = ProcessMemory.ResidentBytes ?? 0;
    }

    /// <summary>Records the peak of the load just measured.</summary>
    [IterationCleanup]
    public void IterationCleanup()
    {
        var peak = ProcessMemory.PeakResidentBytes ?? 0;
        PeakRssColumn.Record(CurrentMethod, peak - residentBefore, peak);
    }

    /// <summary>StableVsr's loader: every parameter read in place from the memory-mapped file.</summary>
    [Benchmark(Baseline = true)]
    public LoadReport StateDictLoaderInPlace()
    {
        CurrentMethod = nameof(StateDictLoaderInPlace);
        using var source = SafetensorsFile.Open(path);
        return StateDictLoader.Load(module, source);
    }

    /// <summary>The naive way: load every tensor into a dictionary, then copy them into the module.</summary>
    [Benchmark]
    public int MaterialiseThenCopy()
    {
        CurrentMethod = nameof(MaterialiseThenCopy);
        using var scope = torch.NewDisposeScope();
        using var source = SafetensorsFile.Open(path);
        var tensors = source.Keys.ToDictionary(k => k, k => source.Load(k));
        module.load_state_dict(tensors);
        return tensors.Count;
    }

    /// <summary>Deletes the file and frees the module.</summary>
    [GlobalCleanup]
    public void GlobalCleanup()
    {
        foreach (var (method, (extra, peak)) in PeakRssColumn.Measured)
        {
            Console.WriteLine($"// {method}: peak RSS {peak / 1048576.0:F0} MiB, at most {extra / 1048576.0:F0} MiB over the resident size before a load");
        }

        module.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private static string CurrentMethod { get; set; } = string.Empty;

    private static string ManifestPath()
    {
        var fixtures = Environment.GetEnvironmentVariable("STABLEVSR_FIXTURES");
        if (string.IsNullOrEmpty(fixtures))
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StableVsr.sln")))
            {
                dir = dir.Parent;
            }

            fixtures = dir is null ? string.Empty : Path.Combine(dir.FullName, "..", "shared", "fixtures");
        }

        var manifest = Path.Combine(fixtures, "full-size", "unet", "manifest.json");
        return File.Exists(manifest)
            ? manifest
            : throw new FileNotFoundException($"The full-size UNet manifest was not found at '{manifest}'; set STABLEVSR_FIXTURES to the fixture folder.");
    }
}
