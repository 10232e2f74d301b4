using System.Text.Json;
using StableVsr.Cli;
using StableVsr.Cli.Commands;
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
        var (code, stdout) = await Run(
        [
            "eval", "--output", Path.Combine(MetricsCase.FramesRoot, "rec"), "--gt", Path.Combine(MetricsCase.FramesRoot, "gt"),
            "--alexnet", MetricsCase.AlexNetWeights, "--vgg16", MetricsCase.Vgg16Weights, "--raft", MetricsCase.RaftWeights,
            "--device", "cpu", "--csv", csv, "--json", json, "--report", report,
        ]);

        Assert.That(code, Is.EqualTo(ExitCodes.Ok));
        Assert.That(stdout.Trim(), Is.EqualTo(EvaluationParityTests.EvalPyLine));
        var rows = File.ReadAllLines(csv);
        Assert.That(rows[0], Is.EqualTo("sequence,frame,ground_truth,output,PSNR,SSIM,LPIPS,DISTS,tLPIPS,tOF"));
        Assert.That(rows, Has.Length.EqualTo(6));
        Assert.That(rows[1], Does.StartWith("000,0,00000000.png,00000000.png,").And.EndWith(",,"), "no temporal value for a first frame");
        using var summary = JsonDocument.Parse(File.ReadAllText(json));
        Assert.That(summary.RootElement.GetProperty("summary_line").GetString(), Is.EqualTo(EvaluationParityTests.EvalPyLine));
        Assert.That(summary.RootElement.GetProperty("overall").GetProperty("tOF").GetProperty("printed").GetDouble(), Is.EqualTo(5.856));
        Assert.That(File.ReadAllText(report), Does.Contain(EvaluationParityTests.EvalPyLine));
        Assert.That(Directory.GetFiles(folder.Path, "*.tmp", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public async Task BadInputExitsWithItsCodeAndWritesNothing()
    {
        var csv = folder.File("frames.csv");
        var (code, _) = await Run(["eval", "--output", folder.File("missing"), "--gt", Path.Combine(MetricsCase.FramesRoot, "gt"), "--metrics", "psnr", "--csv", csv]);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));

        (code, _) = await Run(["eval", "--output", Path.Combine(MetricsCase.FramesRoot, "rec"), "--gt", Path.Combine(MetricsCase.FramesRoot, "gt"), "--metrics", "psnr,musiq"]);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));

        (code, _) = await Run(["eval", "--output", Path.Combine(MetricsCase.FramesRoot, "rec"), "--gt", Path.Combine(MetricsCase.FramesRoot, "gt"), "--metrics", "lpips", "--alexnet", folder.File("no.pth")]);
        Assert.That(code, Is.EqualTo(ExitCodes.ModelError));
        Assert.That(File.Exists(csv), Is.False);
    }

    [Test]
    public async Task ChosenMetricsPrintInEvalPysOrder()
    {
        var (code, stdout) = await Run(["eval", "-o", Path.Combine(MetricsCase.FramesRoot, "rec"), "-g", Path.Combine(MetricsCase.FramesRoot, "gt"), "--metrics", "ssim,psnr", "--sequences", "011"]);

        Assert.That(code, Is.EqualTo(ExitCodes.Ok));
        Assert.That(stdout.Trim(), Does.Match(@"^PSNR: \d+\.\d{1,2}, SSIM: 0\.\d{1,3}$"));
    }

    private static async Task<(int Code, string Stdout)> Run(string[] args)
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
