using System.Diagnostics;
using System.Text.RegularExpressions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using StableVsr.Evaluation;
using StableVsr.Evaluation.Reporting;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Evaluation;

/// <summary>
/// The HTML report of the fixture evaluation: self-contained, with every section, and rendered by a real browser
/// (Debian's Chromium, headless): the screenshot is not blank and the DOM holds the tables.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public partial class HtmlReportTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public void ReportIsSelfContainedAndComplete()
    {
        var html = HtmlReport.Render(EvaluationParityTests.Result);

        Assert.That(html, Does.Contain("<table id=\"summary\">").And.Contain("<table id=\"sequences\">"));
        Assert.That(html, Does.Contain(MetricsCase.PrintedLine));
        Assert.That(SourcePattern().Matches(html).Select(m => m.Groups[1].Value), Has.All.StartWith("data:image/png;base64,"), "nothing is fetched");
        Assert.That(SourcePattern().Matches(html), Has.Count.EqualTo(6 + (3 * 4)), "a plot per metric and three crops for each of the 4 worst frames");
        Assert.That(html, Does.Contain("Worst frames by LPIPS").And.Contain("Not computed in this run (eval.py prints all nine): MUSIQ, CLIP, NIQE."));
    }

    [Test]
    public void EveryOneOfTheNineMetricsGetsItsRowAndPlot()
    {
        var values = MetricInfo.All.ToDictionary(m => m.Metric, m => 0.5);
        var frames = Enumerable.Range(0, 3).Select(k => new FrameMetrics("000", k, null, $"{k}.png", values)).ToArray();
        var result = EvaluationResult.Create(MetricInfo.All.Select(m => m.Metric).ToArray(), frames);

        var html = HtmlReport.Render(result);

        Assert.That(html, Does.Contain(result.SummaryLine).And.Contain("MUSIQ: 0.5, CLIP: 0.5, NIQE: 0.5"));
        Assert.That(html, Does.Contain("No reference: MUSIQ").And.Contain("No reference: CLIP-IQA").And.Contain("No reference: NIQE"));
        Assert.That(SourcePattern().Matches(html), Has.Count.EqualTo(MetricInfo.All.Count), "a plot per metric (no crops: no files)");
        Assert.That(html, Does.Not.Contain("Not computed in this run"));
    }

    [Test]
    [Category("Browser")]
    public async Task ChromiumRendersTheReport()
    {
        var chromium = FindChromium();
        if (chromium is null)
        {
            // CI installs Chromium in .ci/run; a developer machine without it skips, CI never does.
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail("Chromium is not installed; .ci/run installs Debian's chromium package.");
            }

            Assert.Ignore("Chromium is not installed (apt-get install chromium).");
        }

        var report = folder.File("report.html");
        await HtmlReport.WriteAsync(EvaluationParityTests.Result, report, HtmlReportOptions.Default with { About = ["output: cases/metrics_frames/rec", "ground truth: cases/metrics_frames/gt", "fixture backbones (random AlexNet, VGG16 and RAFT weights)"] });
        var screenshot = folder.File("report.png");

        var dom = RunChromium(chromium, "--dump-dom", new Uri(report).AbsoluteUri);
        RunChromium(chromium, $"--screenshot={screenshot}", "--window-size=1100,1500", new Uri(report).AbsoluteUri);

        Assert.That(dom, Does.Contain("<table id=\"summary\">").And.Contain(MetricsCase.PrintedLine));
        using var image = Image.Load<Rgb24>(screenshot);
        var (dark, colours) = Inspect(image);
        TestContext.Out.WriteLine($"screenshot {image.Width}x{image.Height}: {dark:P1} dark pixels, {colours} colours");
        Assert.That(dark, Is.GreaterThan(0.01), "text and lines are drawn");
        Assert.That(colours, Is.GreaterThan(50), "tables, text and plots, not a blank page");
        if (Environment.GetEnvironmentVariable("STABLEVSR_UPDATE_DOCS") == "1")
        {
            File.Copy(screenshot, Path.Combine(RepositoryRoot.Path, "docs", "eval-report.png"), overwrite: true);
        }
    }

    private static (double Dark, int Colours) Inspect(Image<Rgb24> image)
    {
        long dark = 0;
        var colours = new HashSet<int>();
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (var p in rows.GetRowSpan(y))
                {
                    dark += p.R + p.G + p.B < 300 ? 1 : 0;
                    colours.Add((p.R << 16) | (p.G << 8) | p.B);
                }
            }
        });
        return ((double)dark / (image.Width * image.Height), colours.Count);
    }

    private static string? FindChromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    private string RunChromium(string chromium, params string[] arguments)
    {
        var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        // No sandbox (CI runs as root), no GPU, and nothing that reaches the network: the machine has none, and
        // background connection attempts would hold the headless run open.
        foreach (var flag in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", "--hide-scrollbars", $"--user-data-dir={folder.File("chromium-profile")}",
        }.Concat(arguments))
        {
            start.ArgumentList.Add(flag);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"Chromium did not finish within 60 s: {stderr.Result}");
        }

        Assert.That(process.ExitCode, Is.Zero, stderr.Result);
        return stdout.Result;
    }

    [GeneratedRegex("<img [^>]*src=\"([^\"]*)\"")]
    private static partial Regex SourcePattern();
}
