using System.Text.Json;
using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.Evaluation;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Evaluation;

/// <summary><c>stablevsr eval</c> as a user runs it, in process, on the fixture frames.</summary>
public class EvalCommandTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    [Category("Parity")]
    public async Task PrintsEvalPysLineAndWritesTheFiles()
    {
        var (csv, json, report) = (folder.File("frames.csv"), folder.File("summary.json"), folder.File("report.html"));
        var metrics = MetricsCase.PrintedMetrics;
        var (code, stdout) = await Run(
        [
            "eval", "--output", Path.Combine(MetricsCase.FramesRoot, "rec"), "--gt", Path.Combine(MetricsCase.FramesRoot, "gt"),
            "--metrics", string.Join(",", metrics.Select(m => MetricInfo.Of(m).Name.ToLowerInvariant())),
            "--alexnet", MetricsCase.AlexNetWeights, "--vgg16", MetricsCase.Vgg16Weights, "--raft", MetricsCase.RaftWeights,
            "--device", "cpu", "--csv", csv, "--json", json, "--report", report,
        ]);

        Assert.That(code, Is.EqualTo(ExitCodes.Ok));
        Assert.That(stdout.Trim(), Is.EqualTo(MetricsCase.PrintedLine));
        var rows = File.ReadAllLines(csv);
        Assert.That(rows[0], Is.EqualTo("sequence,frame,ground_truth,output," + string.Join(",", metrics.Select(m => MetricInfo.Of(m).Name))));
        var frames = MetricsCase.Metadata("sequences").EnumerateObject().Sum(p => p.Value.GetProperty("frames").GetInt32());
        Assert.That(rows, Has.Length.EqualTo(1 + frames));
        Assert.That(rows[1], Does.StartWith($"{MetricsCase.Sequences[0]},0,").And.EndWith(",,"), "no temporal value for a first frame");
        using var summary = JsonDocument.Parse(File.ReadAllText(json));
        Assert.That(summary.RootElement.GetProperty("summary_line").GetString(), Is.EqualTo(MetricsCase.PrintedLine));
        Assert.That(summary.RootElement.GetProperty("overall").GetProperty("tOF").GetProperty("printed").GetDouble(), Is.EqualTo(MetricsCase.Printed(Metric.Tof)));
        Assert.That(File.ReadAllText(report), Does.Contain(MetricsCase.PrintedLine));
        Assert.That(Directory.GetFiles(folder.Path, "*.tmp", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public async Task BadInputExitsWithItsCodeAndWritesNothing()
    {
        var csv = folder.File("frames.csv");
        var (code, _) = await Run(["eval", "--output", folder.File("missing"), "--gt", Path.Combine(MetricsCase.FramesRoot, "gt"), "--metrics", "psnr", "--csv", csv]);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));

        (code, _) = await Run(["eval", "--output", Path.Combine(MetricsCase.FramesRoot, "rec"), "--gt", Path.Combine(MetricsCase.FramesRoot, "gt"), "--metrics", "psnr,brisque"]);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));

        (code, _) = await Run(["eval", "--output", Path.Combine(MetricsCase.FramesRoot, "rec"), "--gt", Path.Combine(MetricsCase.FramesRoot, "gt"), "--metrics", "lpips", "--alexnet", folder.File("no.pth")]);
        Assert.That(code, Is.EqualTo(ExitCodes.ModelError));
        Assert.That(File.Exists(csv), Is.False);
    }

    [Test]
    public async Task ChosenMetricsPrintInEvalPysOrder()
    {
        var (code, stdout) = await Run(["eval", "-o", Path.Combine(MetricsCase.FramesRoot, "rec"), "-g", Path.Combine(MetricsCase.FramesRoot, "gt"), "--metrics", "ssim,psnr", "--sequences", MetricsCase.Sequences[^1]]);

        Assert.That(code, Is.EqualTo(ExitCodes.Ok));
        Assert.That(stdout.Trim(), Does.Match(@"^PSNR: \d+\.\d{1,2}, SSIM: 0\.\d{1,3}$"));
    }

    [Test]
    public async Task AnOutputThatCannotBeWrittenIsRefusedBeforeAnyWork()
    {
        var blocker = folder.File("not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file where a folder should be");
        var json = folder.File("summary.json");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var (code, _) = await Run(["eval", "-o", Path.Combine(MetricsCase.FramesRoot, "rec"), "-g", Path.Combine(MetricsCase.FramesRoot, "gt"), "--metrics", "lpips", "--alexnet", folder.File("no.pth"), "--json", json, "--csv", Path.Combine(blocker, "frames.csv")]);

        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), "refused as bad input, before the missing AlexNet is even looked for");
        Assert.That(File.Exists(json), Is.False);
        Assert.That(Directory.GetFiles(folder.Path, "*.probe", SearchOption.AllDirectories), Is.Empty, "the probe leaves nothing behind");

        (code, _) = await Run(["eval", "-o", Path.Combine(MetricsCase.FramesRoot, "rec"), "-g", Path.Combine(MetricsCase.FramesRoot, "gt"), "--metrics", "psnr", "--report", folder.Path]);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), "a folder is not a report file");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(2)));
    }

    [Test]
    public async Task AFileThatFailsAtTheEndIsSavedElsewhereAndTheOthersAreWritten()
    {
        var blocker = folder.File("not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file where a folder should be");
        var result = EvaluationResult.Create([Metric.Psnr], [new FrameMetrics("000", 0, "a.png", "a.png", new Dictionary<Metric, double> { [Metric.Psnr] = 30.5 })]);
        var outputs = new EvalOutputs(null, Path.Combine(blocker, "frames.csv"), folder.File("summary.json"));
        using var log = new StringWriter();

        var allWritten = await outputs.WriteAsync(result, [], log, CancellationToken.None);

        Assert.That(allWritten, Is.False);
        Assert.That(File.ReadAllText(folder.File("summary.json")), Does.Contain("PSNR: 30.5"), "the file that can be written is written");
        var saved = System.Text.RegularExpressions.Regex.Match(log.ToString(), @"saved it as (\S+\.csv) instead");
        Assert.That(saved.Success, Is.True, log.ToString());
        try
        {
            Assert.That(File.ReadAllLines(saved.Groups[1].Value)[1], Is.EqualTo("000,0,a.png,a.png,30.5"), "the failed one is kept in the temporary folder");
        }
        finally
        {
            File.Delete(saved.Groups[1].Value);
        }
    }

    /// <summary>Runs <c>stablevsr</c> in process, as the user would; returns the exit code and standard output.</summary>
    internal static async Task<(int Code, string Stdout)> Run(string[] args)
    {
        var original = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            var code = await StableVsrCommand.RunAsync(args);
            return (code, captured.ToString());
        }
        finally
        {
            Console.SetOut(original);
        }
    }
}
