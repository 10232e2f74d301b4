using System.Globalization;
using System.Text;

namespace StableVsr.Weights.Inspection;

/// <summary>What <see cref="CheckpointInspector"/> found: the components, their files, configs and tensors, and every problem.</summary>
/// <param name="Path">The inspected file or folder (the cache snapshot for a Hub id).</param>
/// <param name="PipelineClass">The <c>_class_name</c> of <c>model_index.json</c>, for a pipeline folder.</param>
/// <param name="Components">The components, in <c>model_index.json</c> order (or the one file or folder inspected).</param>
/// <param name="Problems">Problems of the checkpoint as a whole (its <c>model_index.json</c>, missing components).</param>
internal sealed record CheckpointReport(string Path, string? PipelineClass, IReadOnlyList<ComponentReport> Components, IReadOnlyList<string> Problems)
{
    /// <summary>Every problem, of the checkpoint and of its components, each prefixed with where it is.</summary>
    public IReadOnlyList<string> AllProblems =>
        Problems.Concat(Components.SelectMany(c => c.Problems.Select(p => $"{c.Name}: {p}"))).ToArray();

    /// <summary>Whether nothing is wrong.</summary>
    public bool IsValid => AllProblems.Count == 0;

    /// <summary>Throws when something is wrong, listing every problem.</summary>
    /// <exception cref="ModelLoadException">The checkpoint has problems.</exception>
    public void ThrowIfInvalid()
    {
        var problems = AllProblems;
        if (problems.Count > 0)
        {
            throw new ModelLoadException($"Checkpoint '{Path}' has {problems.Count} problem(s):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems), Path);
        }
    }

    /// <summary>Renders the report as text: components, files, configs, tensors (when <paramref name="includeTensors"/>) and problems.</summary>
    public string ToText(bool includeTensors = true)
    {
        var text = new StringBuilder();
        text.Append("Checkpoint ").Append(Path);
        if (PipelineClass is not null)
        {
            text.Append(" (").Append(PipelineClass).Append(')');
        }

        text.AppendLine();
        foreach (var component in Components)
        {
            text.AppendLine().Append("[").Append(component.Name).Append(']');
            if (component.ClassName is not null)
            {
                text.Append(' ').Append(component.ClassName);
            }

            text.AppendLine();
            foreach (var file in component.Files)
            {
                text.Append("  file    ").Append(file.RelativePath).Append("  ").AppendLine(FormatBytes(file.Bytes));
            }

            if (component.Config is { } config)
            {
                text.Append("  config  ").Append(config.FileName).Append(": ").Append(config.ClassName ?? "no class name")
                    .Append(config.LibraryVersion is null ? string.Empty : $", written by {config.LibraryVersion}")
                    .Append(", ").Append(config.KeyCount).AppendLine(" keys");
            }

            if (component.Weights is { } weights)
            {
                var dtypes = string.Join(", ", weights.Tensors.GroupBy(t => t.DType).Select(g => $"{g.Key.SafetensorsName()} x{g.Count()}"));
                text.Append("  weights ").Append(weights.FileName).Append(" (").Append(weights.Format).Append("): ")
                    .Append(weights.Tensors.Count).Append(" tensors, ")
                    .Append(weights.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)).Append(" parameters, ")
                    .Append(FormatBytes(weights.TensorBytes)).Append(" [").Append(dtypes).AppendLine("]");
                if (includeTensors)
                {
                    var width = weights.Tensors.Count == 0 ? 0 : weights.Tensors.Max(t => t.Name.Length);
                    foreach (var tensor in weights.Tensors)
                    {
                        text.Append("    ").Append(tensor.Name.PadRight(width)).Append("  ").Append(tensor.DType.SafetensorsName().PadRight(4))
                            .Append("  ").Append(tensor.ShapeText).Append("  ").AppendLine(tensor.ByteLength.ToString(CultureInfo.InvariantCulture));
                    }
                }
            }
        }

        var problems = AllProblems;
        text.AppendLine();
        if (problems.Count == 0)
        {
            text.AppendLine("OK: no problems found.");
        }
        else
        {
            text.Append(problems.Count).AppendLine(" problem(s):");
            foreach (var problem in problems)
            {
                text.Append("  - ").AppendLine(problem);
            }
        }

        return text.ToString();
    }

    private static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
