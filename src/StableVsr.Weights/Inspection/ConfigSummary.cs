namespace StableVsr.Weights.Inspection;

/// <summary>What a component's config file says about itself.</summary>
/// <param name="FileName">The config file (<c>config.json</c>, <c>scheduler_config.json</c>).</param>
/// <param name="ClassName">Its <c>_class_name</c> (diffusers), <c>tokenizer_class</c> or first <c>architectures</c> entry (transformers), when present.</param>
/// <param name="LibraryVersion">The <c>_diffusers_version</c> or <c>transformers_version</c> that wrote it, when present.</param>
/// <param name="KeyCount">How many keys it has.</param>
internal sealed record ConfigSummary(string FileName, string? ClassName, string? LibraryVersion, int KeyCount);
