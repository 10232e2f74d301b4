namespace StableVsr.Evaluation.Reporting;

/// <summary>What the HTML report shows. Every property has a documented default.</summary>
public sealed record HtmlReportOptions
{
    /// <summary>The defaults.</summary>
    public static HtmlReportOptions Default { get; } = new();

    /// <summary>The page title; default "StableVsr evaluation".</summary>
    public string Title { get; init; } = "StableVsr evaluation";

    /// <summary>How many of the worst frames get a side-by-side crop; default 4 (0 for none).</summary>
    public int WorstFrames { get; init; } = 4;

    /// <summary>
    /// The metric that ranks frames for the crops; default null: LPIPS when computed, else DISTS, PSNR, SSIM, in that
    /// order (the worst frame is the highest distance or the lowest PSNR/SSIM).
    /// </summary>
    public Metric? RankBy { get; init; }

    /// <summary>The side of the square crop, in pixels of the frame (smaller frames are shown whole); default 160.</summary>
    public int CropSize { get; init; } = 160;

    /// <summary>Plot size in pixels; default 960 x 280.</summary>
    public (int Width, int Height) PlotSize { get; init; } = (960, 280);

    /// <summary>Lines about the run shown under the title (folders, device, weights); default none.</summary>
    public IReadOnlyList<string> About { get; init; } = [];
}
