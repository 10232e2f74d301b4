using System.Globalization;
using System.Text;

namespace StableVsr.Training.Logging;

/// <summary>
/// <c>training_log.csv</c>: one line per optimizer step (step, epoch, loss, lr, grad_norm, step_seconds), flushed as it
/// is written so a crash keeps every finished step. On resume, lines after the checkpoint's step are dropped so the
/// log reads as one uninterrupted run.
/// </summary>
internal sealed class TrainingCsvLog : IDisposable
{
    /// <summary>The file name in the output folder.</summary>
    public const string FileName = "training_log.csv";

    private const string Header = "step,epoch,loss,lr,grad_norm,step_seconds";

    private readonly StreamWriter writer;
    private readonly List<TrainingLogEntry> entries;

    private TrainingCsvLog(string path, List<TrainingLogEntry> entries)
    {
        Path = path;
        this.entries = entries;
        var text = new StringBuilder(Header).Append('\n');
        foreach (var entry in entries)
        {
            text.Append(Format(entry)).Append('\n');
        }

        // Rewrite what is kept, then append from there.
        File.WriteAllText(path, text.ToString());
        writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    /// <summary>The log file.</summary>
    public string Path { get; }

    /// <summary>Every step logged so far (kept for the loss curve).</summary>
    public IReadOnlyList<TrainingLogEntry> Entries => entries;

    /// <summary>Opens the log in <paramref name="folder"/>, keeping the steps up to <paramref name="resumedStep"/> of an existing log.</summary>
    public static TrainingCsvLog Open(string folder, long resumedStep)
    {
        var path = System.IO.Path.Combine(folder, FileName);
        var kept = new List<TrainingLogEntry>();
        if (resumedStep > 0 && File.Exists(path))
        {
            foreach (var line in File.ReadLines(path).Skip(1))
            {
                if (Parse(line) is { } entry && entry.Step <= resumedStep)
                {
                    kept.Add(entry);
                }
            }
        }

        return new TrainingCsvLog(path, kept);
    }

    /// <summary>Appends a step.</summary>
    public void Append(TrainingLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entries.Add(entry);
        writer.Write(Format(entry));
        writer.Write('\n');
        writer.Flush();
    }

    /// <inheritdoc />
    public void Dispose() => writer.Dispose();

    private static string Format(TrainingLogEntry e) => string.Create(
        CultureInfo.InvariantCulture, $"{e.Step},{e.Epoch},{e.Loss:R},{e.LearningRate:R},{e.GradNorm:R},{e.Seconds:F3}");

    private static TrainingLogEntry? Parse(string line)
    {
        var fields = line.Split(',');
        var c = CultureInfo.InvariantCulture;
        return fields.Length == 6
            && long.TryParse(fields[0], NumberStyles.Integer, c, out var step)
            && int.TryParse(fields[1], NumberStyles.Integer, c, out var epoch)
            && double.TryParse(fields[2], NumberStyles.Float, c, out var loss)
            && double.TryParse(fields[3], NumberStyles.Float, c, out var lr)
            && double.TryParse(fields[4], NumberStyles.Float, c, out var norm)
            && double.TryParse(fields[5], NumberStyles.Float, c, out var seconds)
            ? new TrainingLogEntry(step, epoch, loss, lr, norm, seconds)
            : null;
    }
}
