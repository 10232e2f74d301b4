using System.Globalization;
using StableVsr.Weights.Hub;

namespace StableVsr.Cli.Commands;

/// <summary>Prints download progress of weight files, at most once per second and file.</summary>
internal sealed class ConsoleDownloadProgress(TextWriter writer) : IProgress<DownloadProgress>
{
    private readonly Dictionary<string, DateTime> lastReport = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public void Report(DownloadProgress value)
    {
        var now = DateTime.UtcNow;
        var done = value.TotalBytes is { } total && value.BytesReceived >= total;
        lock (lastReport)
        {
            if (!done && lastReport.TryGetValue(value.File, out var last) && now - last < TimeSpan.FromSeconds(1))
            {
                return;
            }

            lastReport[value.File] = now;
        }

        var size = value.TotalBytes is { } bytes
            ? string.Create(CultureInfo.InvariantCulture, $"{value.BytesReceived / 1048576.0:F1} / {bytes / 1048576.0:F1} MB")
            : string.Create(CultureInfo.InvariantCulture, $"{value.BytesReceived / 1048576.0:F1} MB");
        writer.WriteLine($"downloading {value.File}: {size}");
    }
}
