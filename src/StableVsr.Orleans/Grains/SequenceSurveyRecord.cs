using StableVsr.Sampling.Segments;

namespace StableVsr.Orleans.Grains;

/// <summary>A sequence's frame count and scene cuts as the submitting client measured them, for the job grain's plan.</summary>
[GenerateSerializer, Immutable, Alias("StableVsr.SequenceSurveyRecord")]
internal sealed record SequenceSurveyRecord([property: Id(0)] int FrameCount, [property: Id(1)] int[] Cuts)
{
    public static SequenceSurveyRecord From(SequenceSurvey survey) => new(survey.FrameCount, [.. survey.Cuts]);

    public SequenceSurvey ToSurvey() => new(FrameCount, Cuts);
}
