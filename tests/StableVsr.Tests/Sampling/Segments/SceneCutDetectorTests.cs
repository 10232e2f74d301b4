using StableVsr.IO;
using StableVsr.Sampling.Segments;
using StableVsr.Tests.IO.Video;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Sampling.Segments;

/// <summary>
/// The scene-cut statistic on real material made by ffmpeg (lavfi sources with motion, at 25 and 5 fps, still ones,
/// and two cellular automata printed apart) and on the moving scene: every consecutive pair of one source is motion, every (last frame of one source,
/// first frame of another) pair is a cut. Prints both statistics' ranges and checks the default threshold separates
/// them.
/// </summary>
[Category("Video")]
[Parallelizable(ParallelScope.Self)]
public class SceneCutDetectorTests : TempFolderTests
{
    private static readonly string[] Sources =
    [
        "testsrc2=size=64x48:rate=25", "testsrc2=size=64x48:rate=5", "testsrc=size=64x48:rate=25", "mandelbrot=size=64x48:rate=25",
        "life=size=64x48:rate=25:mold=10:ratio=0.5", "cellauto=size=64x48:rate=25", "smptebars=size=64x48:rate=25", "rgbtestsrc=size=64x48:rate=25",
    ];

    // Sources of one look: the two testsrc2 rates are the same pattern, so a switch between them is no cut. The cellular
    // automata (life, cellauto: -1) flip a large share of their pixels every frame, closer to a run of cuts than to
    // motion, and are mostly white on black like testsrc at this size: their figures are printed, not asserted.
    private static readonly int[] Look = [0, 0, 1, 2, -1, -1, 4, 5, 6, 7];

    [Test]
    public async Task TheDefaultThresholdSeparatesCutsFromMotion()
    {
        var shots = new List<VideoFrame[]>();
        for (var s = 0; s < Sources.Length; s++)
        {
            var folder = Directory.CreateDirectory(Temp.File($"s{s}")).FullName;
            TestMedia.FFmpeg($"-f lavfi -i {Sources[s]} -frames:v 12 \"{Path.Combine(folder, "%03d.png")}\"");
            shots.Add(await ReadAsync(folder));
        }

        shots.Add(MovingScene.Frames(12, 64, 48, seed: 1));
        shots.Add(MovingScene.Frames(12, 64, 48, seed: 2).Select(Inverted).ToArray());

        var automata = shots.Where((_, s) => Look[s] < 0).SelectMany(f => f.Zip(f.Skip(1), SceneCutDetector.HistogramDistance)).ToArray();
        TestContext.Out.WriteLine($"cellular automata (not asserted): consecutive frames' histogram distance up to {automata.Max():F3}");
        var motion = shots.SelectMany((f, s) => f.Zip(f.Skip(1), (a, b) => (Shot: s, a, b))).Where(p => Look[p.Shot] >= 0).ToArray();
        var cuts = shots.SelectMany((a, i) => shots.Where((_, j) => Look[j] != Look[i] && Look[i] >= 0 && Look[j] >= 0).Select(b => (a[^1], b[0]))).ToArray();
        var sameLook = shots.SelectMany((a, i) => shots.Where((_, j) => j != i && Look[j] == Look[i] && Look[i] >= 0).Select(b => SceneCutDetector.HistogramDistance(a[^1], b[0]))).ToArray();
        TestContext.Out.WriteLine($"switches between sources of one look (not asserted): histogram distance {string.Join(", ", sameLook.Select(d => d.ToString("F3")))}");
        foreach (var (name, statistic) in new (string, Func<VideoFrame, VideoFrame, double>)[]
        {
            ("histogram distance", SceneCutDetector.HistogramDistance),
            ("mean |diff|", SceneCutDetector.MeanAbsoluteDifference),
        })
        {
            var moving = motion.Select(p => statistic(p.a, p.b)).ToArray();
            var cutting = cuts.Select(p => statistic(p.Item1, p.Item2)).ToArray();
            var perShot = string.Join(", ", motion.GroupBy(p => p.Shot).Select(g => $"{g.Max(p => statistic(p.a, p.b)):F3}"));
            TestContext.Out.WriteLine($"{name}: motion pairs max {moving.Max():F3} (mean {moving.Average():F3}; per source max {perShot}); cut pairs min {cutting.Min():F3} (mean {cutting.Average():F3}); {moving.Length} motion, {cutting.Length} cut pairs");
        }

        var names = Sources.Append("moving scene").Append("moving scene, inverted").ToArray();
        var lowest = shots.SelectMany((a, i) => shots.Select((b, j) => (i, j, d: SceneCutDetector.HistogramDistance(a[^1], b[0]))).Where(p => Look[p.j] != Look[i] && Look[i] >= 0 && Look[p.j] >= 0))
            .OrderBy(p => p.d).Take(6).Select(p => $"{names[p.i]} -> {names[p.j]}: {p.d:F3}");
        TestContext.Out.WriteLine($"lowest cut pairs: {string.Join("; ", lowest)}");
        var threshold = SegmentOptions.None.SceneCutThreshold;
        Assert.That(motion.Select(p => SceneCutDetector.HistogramDistance(p.a, p.b)), Is.All.LessThan(threshold), "no motion pair is taken for a cut");
        Assert.That(cuts.Select(p => SceneCutDetector.HistogramDistance(p.Item1, p.Item2)), Is.All.GreaterThan(threshold), "every cut is found");
    }

    [Test]
    public async Task ASurveyFindsTheCutOfASequenceOfTwoShotsAndCountsItsFrames()
    {
        var folder = CutScene.WriteFolder(Temp.File("cut"), 10, cutAt: 6);
        await using var source = new ImageFolderSource(folder);
        var survey = await SegmentPlanner.SurveyAsync(source, SegmentOptions.None with { SplitAtSceneCuts = true });
        Assert.That(survey.FrameCount, Is.EqualTo(10));
        Assert.That(survey.Cuts, Is.EqualTo(new[] { 6 }));

        await using var again = new ImageFolderSource(folder);
        Assert.That((await SegmentPlanner.SurveyAsync(again, SegmentOptions.None)).Cuts, Is.Empty, "cuts are looked for only when asked");
    }

    private static VideoFrame Inverted(VideoFrame frame) =>
        new(frame.Width, frame.Height, frame.Rgb.ToArray().Select(v => (byte)(255 - v)).ToArray(), frame.Index, frame.Name);

    private static async Task<VideoFrame[]> ReadAsync(string folder)
    {
        await using var source = new ImageFolderSource(folder);
        var frames = new List<VideoFrame>();
        await foreach (var frame in source.ReadAsync())
        {
            frames.Add(frame);
        }

        return [.. frames];
    }
}
