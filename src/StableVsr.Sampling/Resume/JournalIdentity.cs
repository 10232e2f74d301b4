using StableVsr.Models.Loading;
using StableVsr.Sampling.Segments;
using TorchSharp;

namespace StableVsr.Sampling.Resume;

/// <summary>
/// What a journal's run was made of: the input and the model (by their fingerprints) and every option that changes the
/// output. A resume is allowed only when all of them are the same, since only then is its output byte-identical.
/// </summary>
/// <param name="Input">The input, for messages.</param>
/// <param name="InputFingerprint">The input's fingerprint (see <see cref="IO.IFrameSource.FingerprintAsync"/>).</param>
/// <param name="ModelFingerprint">The model's fingerprint (see <see cref="Models.Loading.StableVsrModels.Fingerprint"/>).</param>
/// <param name="Options">The options that change the output, by name.</param>
internal sealed record JournalIdentity(string Input, string InputFingerprint, string ModelFingerprint, IReadOnlyDictionary<string, string> Options)
{
    /// <summary>The identity of a run of <paramref name="sampling"/> with <paramref name="models"/> over an input.</summary>
    /// <remarks>
    /// The options are <see cref="SamplingOptions"/>' own list of what changes the output, plus the kind of device the
    /// models really run on (an <c>auto</c> run on a machine without a GPU records "cpu", so it resumes with
    /// <c>--device cpu</c>) and their precision. The device number, thread count, state device and batching change
    /// where and how fast the work runs, not its result, so a run interrupted on one setting can resume on another.
    /// </remarks>
    /// <param name="sampling">The run's sampling options.</param>
    /// <param name="models">The loaded models (fingerprint, device, precision).</param>
    /// <param name="input">The input, for messages.</param>
    /// <param name="inputFingerprint">The input's fingerprint.</param>
    /// <param name="range">The frame range of a range run (its output frames and warm-up); null for a whole sequence (no entry, as before ranges existed).</param>
    public static JournalIdentity For(SamplingOptions sampling, StableVsrModels models, string input, string inputFingerprint, SequenceRange? range = null)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        ArgumentNullException.ThrowIfNull(models);
        var values = new SortedDictionary<string, string>(sampling.Describe().ToDictionary(), StringComparer.Ordinal)
        {
            ["Device"] = models.Device.type == DeviceType.CUDA ? "cuda" : "cpu",
            ["Precision"] = models.Precision.ToString(),
        };
        if (range is not null)
        {
            values["Range"] = range.ToString();
        }

        return new JournalIdentity(input, inputFingerprint, models.Fingerprint, values);
    }

    /// <summary>How <paramref name="current"/> differs from this (the journal's) identity, one line per difference; empty when it does not.</summary>
    public IReadOnlyList<string> Differences(JournalIdentity current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var differences = new List<string>();
        if (InputFingerprint != current.InputFingerprint)
        {
            differences.Add($"the input changed (the journal's run read '{Input}' as it was then; now '{current.Input}')");
        }

        if (ModelFingerprint != current.ModelFingerprint)
        {
            differences.Add("the model (its files, or the precision it is loaded in) is not the one the journal's run used");
        }

        foreach (var name in Options.Keys.Union(current.Options.Keys).Order(StringComparer.Ordinal))
        {
            var then = Options.GetValueOrDefault(name, "(not set)");
            var now = current.Options.GetValueOrDefault(name, "(not set)");
            if (then != now)
            {
                differences.Add($"option {name} was {then}, now {now}");
            }
        }

        return differences;
    }
}
