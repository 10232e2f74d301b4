using System.Globalization;
using System.Text;
using System.Text.Json;
using StableVsr.Evaluation.Files;
using StableVsr.Evaluation.Summary;

namespace StableVsr.Evaluation;

/// <summary>
/// Writes an <see cref="EvaluationResult"/> as a per-frame CSV or a summary JSON, each completely or not at all
/// (written beside the target and renamed). Numbers are written as Python prints them (shortest round-trip digits,
/// <c>inf</c>, <c>nan</c>), so pandas and numpy read back exactly the values computed.
/// </summary>
public static class EvaluationFiles
{
    /// <summary>
    /// Checks, before an evaluation that may take hours, that <paramref name="path"/> can be written (its folder can be
    /// made, a file created there, and it is not a folder); nothing is left behind.
    /// </summary>
    /// <exception cref="InvalidInputException">It cannot be written; the message says why.</exception>
    public static void EnsureWritable(string path) => AtomicFile.Probe(path);

    /// <summary>
    /// One row per frame: <c>sequence,frame,ground_truth,output</c> and a column per computed metric (named as eval.py
    /// prints it); a temporal metric is empty for the first frame of a sequence.
    /// </summary>
    /// <exception cref="InvalidInputException">The file cannot be written.</exception>
    public static Task WriteCsvAsync(EvaluationResult result, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.Append("sequence,frame,ground_truth,output");
        foreach (var metric in result.Metrics)
        {
            text.Append(',').Append(MetricInfo.Of(metric).Name);
        }

        text.Append('\n');
        foreach (var frame in result.Frames)
        {
            text.Append(Field(frame.Sequence)).Append(',').Append(frame.Index.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Field(frame.GroundTruthName ?? string.Empty)).Append(',').Append(Field(frame.OutputName ?? string.Empty));
            foreach (var metric in result.Metrics)
            {
                text.Append(',');
                if (frame.Get(metric) is { } value)
                {
                    text.Append(PythonFloat.Format(value));
                }
            }

            text.Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        return AtomicFile.WriteAsync(path, stream => stream.WriteAsync(bytes, cancellationToken).AsTask(), cancellationToken);
    }

    /// <summary>
    /// The summary: eval.py's line, per metric the overall mean and the printed (scaled, rounded) value, each sequence's
    /// frame count and means, and the notes. Non-finite numbers are written as the strings <c>"NaN"</c> and
    /// <c>"Infinity"</c>.
    /// </summary>
    /// <exception cref="InvalidInputException">The file cannot be written.</exception>
    public static Task WriteJsonAsync(EvaluationResult result, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        return AtomicFile.WriteAsync(
            path,
            async stream =>
            {
                var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                await using (writer.ConfigureAwait(false))
                {
                    writer.WriteStartObject();
                    writer.WriteString("summary_line", result.SummaryLine);
                    writer.WriteStartObject("overall");
                    foreach (var metric in result.Metrics)
                    {
                        var info = MetricInfo.Of(metric);
                        writer.WriteStartObject(info.Name);
                        Number(writer, "mean", result.Overall[metric]);
                        Number(writer, "printed", result.Rounded[metric]);
                        writer.WriteNumber("printed_scale", info.Scale);
                        writer.WriteBoolean("higher_is_better", info.HigherIsBetter);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndObject();
                    writer.WriteStartArray("sequences");
                    foreach (var sequence in result.Sequences)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("name", sequence.Name);
                        writer.WriteNumber("frames", sequence.FrameCount);
                        writer.WriteStartObject("means");
                        foreach (var metric in result.Metrics)
                        {
                            Number(writer, MetricInfo.Of(metric).Name, sequence.Means[metric]);
                        }

                        writer.WriteEndObject();
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteStartArray("notes");
                    foreach (var note in result.Notes)
                    {
                        writer.WriteStringValue(note);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }
            },
            cancellationToken);
    }

    private static void Number(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static string Field(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
