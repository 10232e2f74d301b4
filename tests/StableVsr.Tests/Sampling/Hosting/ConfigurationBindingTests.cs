using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StableVsr.Sampling.Hosting;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Sampling.Hosting;

/// <summary>
/// A host binds StableVsr from appsettings.json (<c>AddStableVsr(configuration)</c>): every value lands where it is
/// written, the shared defaults stay untouched, and a value that cannot be used stops the host's start with its name.
/// </summary>
public class ConfigurationBindingTests : TempFolderTests
{
    [Test]
    public async Task AppsettingsSetTheDeviceStepsAndWindowAndNothingElse()
    {
        using var host = Build("""
            {
              "StableVsr": {
                "Model": "some/model",
                "Upscale": {
                  "Device": "cuda:1",
                  "StateDevice": "cpu",
                  "Precision": { "Unet": "BFloat16" },
                  "Sampling": { "Steps": 2, "WindowSize": 4, "RaftNormalization": "Running" }
                }
              }
            }
            """);
        await host.StartAsync();

        var bound = host.Services.GetRequiredService<IOptions<StableVsrServiceOptions>>().Value;
        Assert.That(bound.Model, Is.EqualTo("some/model"));
        Assert.That(bound.Upscale.Device, Is.EqualTo(ComputeDevice.Cuda(1)), "a device name binds (no GPU is needed to bind it)");
        Assert.That(bound.Upscale.StateDevice, Is.EqualTo(ComputeDevice.Cpu));
        Assert.That(bound.Upscale.Precision, Is.EqualTo(PrecisionPolicy.Float32 with { Unet = ModelPrecision.BFloat16 }));
        Assert.That((bound.Upscale.Sampling.Steps, bound.Upscale.Sampling.WindowSize, bound.Upscale.Sampling.RaftNormalization), Is.EqualTo((2, 4, RaftNormStatistics.Running)));
        Assert.That(bound.Upscale.Sampling.Seed, Is.EqualTo(SamplingOptions.Default.Seed), "what is not written keeps its default");
        Assert.That(UpscaleOptions.Default, Is.EqualTo(new UpscaleOptions()), "binding wrote into no shared default");
        Assert.That((UpscaleOptions.Default.Sampling.Steps, PrecisionPolicy.Float32.Unet), Is.EqualTo((50, ModelPrecision.Float32)));
        await host.StopAsync();
    }

    [Test]
    public void AnUnknownDeviceStopsTheStartAndNamesTheValue()
    {
        using var host = Build("""{ "StableVsr": { "Upscale": { "Device": "tpu" } } }""");

        var error = Assert.CatchAsync(() => host.StartAsync());

        Assert.That(Flatten(error!), Does.Contain("tpu").And.Contain("cuda:N"));
    }

    [Test]
    public void AnOutOfRangeValueStopsTheStartAndNamesTheOption()
    {
        using var host = Build("""{ "StableVsr": { "Upscale": { "Sampling": { "Steps": 0 } } } }""");

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(error!.Message, Does.Contain("Steps").And.Contain("at least 1"));
    }

    private static string Flatten(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" | ", messages);
    }

    private IHost Build(string json)
    {
        var settings = Temp.File("appsettings.json");
        File.WriteAllText(settings, json);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = Temp.Path });
        builder.Configuration.AddJsonFile(settings);
        builder.Services.AddStableVsr(builder.Configuration.GetSection("StableVsr"));
        return builder.Build();
    }
}
