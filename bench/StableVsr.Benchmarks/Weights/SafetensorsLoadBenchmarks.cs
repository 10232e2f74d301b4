using System.Text.Json;
using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Weights;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Benchmarks.Weights;

/// <summary>
/// Loads a 1.9 GB safetensors file with the full-size StableVSR UNet's 687 keys and shapes (from the fixtures'
/// manifest, random values written at set-up) into a module of matching shape, and reports
/// time and the rise of resident memory during one load ("RSS rise", over the module's own parameters). <see cref="StateDictLoader"/> fills the parameters straight from the file; the
/// baseline materialises every tensor first and then copies (TorchSharp's <c>load_state_dict</c> way), which needs
/// a second copy of the weights.
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class SafetensorsLoadBenchmarks : MeasuredBenchmark
{
    private string folder = null!;
    private string path = null!;
    private ManifestModule module = null!;
    private string method = string.Empty;

    /// <summary>Writes the file and builds the module for <see cref="StateDictLoaderInPlace"/>.</summary>
    [GlobalSetup(Target = nameof(StateDictLoaderInPlace))]
    public void SetUpInPlace() => SetUp(nameof(StateDictLoaderInPlace));

    /// <summary>Writes the file and builds the module for <see cref="MaterialiseThenCopy"/>.</summary>
    [GlobalSetup(Target = nameof(MaterialiseThenCopy))]
    public void SetUpMaterialise() => SetUp(nameof(MaterialiseThenCopy));

    /// <summary>StableVsr's loader: every parameter read in place from the memory-mapped file.</summary>
    [Benchmark(Baseline = true)]
    public int StateDictLoaderInPlace()
    {
        using var source = SafetensorsFile.Open(path);
        return StateDictLoader.Load(module, source).LoadedKeys.Count;
    }

    /// <summary>The naive way: load every tensor into a dictionary, then copy them into the module.</summary>
    [Benchmark]
    public int MaterialiseThenCopy()
    {
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
        ReleaseOwned();
        Directory.Delete(folder, recursive: true);
    }

    /// <inheritdoc />
    protected override bool MeasuresMemoryPerIteration => true;

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(SafetensorsLoadBenchmarks), method, []);

    private void SetUp(string benchmark)
    {
        method = benchmark;
        var manifest = JsonSerializer.Deserialize<Dictionary<string, long[]>>(File.ReadAllText(ManifestPath()))!.ToList();
        folder = Directory.CreateTempSubdirectory("stablevsr-bench-").FullName;
        path = Path.Combine(folder, "unet.safetensors");
        using (var source = new RandomTensorSource(manifest))
        {
            SafetensorsWriter.Write(path, source);
        }

        module = Own(new ManifestModule(manifest));
        Console.WriteLine($"// Wrote {new FileInfo(path).Length / 1e9:F2} GB ({manifest.Count} tensors) to {path}");
    }

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
