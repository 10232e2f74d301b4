using Microsoft.Extensions.Options;
using StableVsr.Models.Loading;

namespace StableVsr.Sampling.Hosting;

/// <summary>Checks <see cref="StableVsrServiceOptions"/> when the host starts (and whenever they are read), so a bad value is never silently used.</summary>
internal sealed class StableVsrServiceOptionsValidator : IValidateOptions<StableVsrServiceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, StableVsrServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Model))
        {
            return ValidateOptionsResult.Fail($"StableVsr:Model is empty: give a model folder in diffusers layout or a Hugging Face id such as {ModelSource.DefaultModel}.");
        }

        if (options.Upscale is null)
        {
            return ValidateOptionsResult.Fail("StableVsr:Upscale is null: leave it out for the defaults.");
        }

        try
        {
            options.Upscale.Validate();
        }
        catch (InvalidInputException e)
        {
            return ValidateOptionsResult.Fail($"StableVsr:Upscale: {e.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}
