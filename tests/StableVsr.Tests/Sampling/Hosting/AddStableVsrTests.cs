using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StableVsr.IO;
using StableVsr.Models.Loading;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Sampling.Hosting;

/// <summary>A host embeds StableVsr the Microsoft.Extensions way: <c>services.AddStableVsr(...)</c>, then the factory.</summary>
[Parallelizable(ParallelScope.Self)]
public class AddStableVsrTests
{
    private static readonly UpscaleOptions Options = UpscaleOptions.Default with { Device = ComputeDevice.Cpu, Sampling = SamplingOptions.Default with { Steps = 2, RaftIterations = 2 } };

    [Test]
    public async Task AHostBuiltWithAddStableVsrUpscalesTheFixtureSequence()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddStableVsr(o =>
        {
            o.Model = TinyPipeline.ModelFolder;
            o.Raft = TinyPipeline.RaftWeights;
            o.Upscale = Options;
        });
        using var host = builder.Build();
        Assert.That(host.Services.GetRequiredService<StableVsrModelLoader>(), Is.SameAs(host.Services.GetRequiredService<StableVsrModelLoader>()), "one loader per host");

        var factory = host.Services.GetRequiredService<IVideoUpscalerFactory>();
        using var upscaler = await factory.CreateAsync();
        var frames = Enumerable.Range(0, 3).Select(i => ImageFolderSource.ReadFrame(Fixtures.Case($"pipeline_lr_{i}.png"), i)).ToArray();
        var upscaled = await upscaler.UpscaleAsync(frames);

        Assert.That(upscaler.Options, Is.EqualTo(Options));
        Assert.That(upscaled, Has.Count.EqualTo(3));
        Assert.That(upscaled.Select(f => (f.Width, f.Height)), Is.All.EqualTo((frames[0].Width * 4, frames[0].Height * 4)));
        using var direct = TinyPipeline.Load(Options);
        var expected = await direct.UpscaleAsync(frames);
        for (var i = 0; i < 3; i++)
        {
            Assert.That(upscaled[i].Rgb.ToArray(), Is.EqualTo(expected[i].Rgb.ToArray()), $"frame {i}: the factory's pipeline computes what a pipeline built by hand does");
        }
    }

    [Test]
    public void AMissingModelIsReportedWhenTheUpscalerIsCreated()
    {
        using var services = new ServiceCollection()
            .AddStableVsr(o =>
            {
                o.Model = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid());
                o.Raft = TinyPipeline.RaftWeights;
                o.Upscale = Options;
            })
            .BuildServiceProvider();

        var error = Assert.ThrowsAsync<ModelLoadException>(() => services.GetRequiredService<IVideoUpscalerFactory>().CreateAsync());

        Assert.That(error!.Message, Does.Contain("no-such-model").And.Contain("does not exist"));
    }
}
