using System.Text.Json;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Packaging;

/// <summary>
/// A host app that runs <c>dotnet add package StableVsr</c> gets everything it needs to code against
/// <see cref="IVideoUpscaler"/>: the packages are packed from the repository's own build (<c>dotnet pack --no-build</c>,
/// every target framework, so the test packs what CI built instead of rebuilding a copy of the sources, and the running
/// tests' binaries are untouched), under a unique version (so NuGet's cache never serves an older pack), and a new
/// console project that references only StableVsr, a libtorch backend and the generic host compiles, binds StableVsr
/// from its appsettings.json and starts.
/// </summary>
[Category("Packaging")]
[Category("Process")]
[Parallelizable(ParallelScope.Self)]
public class HostPackageTests
{
    [Test]
    public void AHostAppBuildsAndRunsAgainstThePackedPackage()
    {
        using var temp = new TempFolder();
        var work = temp.Path;
        var feed = Path.Combine(work, "feed");
        var version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        // Every library under src/ is a package of its own (the umbrella and the tool are not libraries).
        var libraries = Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "src"), "StableVsr.*")
            .Select(Path.GetFileName)
            .Where(name => name is not ("StableVsr" or "StableVsr.Cli"))
            .ToArray();
        Assert.That(libraries, Is.SupersetOf(new[] { "StableVsr.Core", "StableVsr.IO", "StableVsr.Weights", "StableVsr.Models", "StableVsr.Sampling", "StableVsr.Evaluation" }));

        // One solution filter of the packages: a build of every target framework of each (the tests build only
        // net10.0; a no-op after a build of the solution; nothing the running tests load, they run from their own bin
        // folder), then one pack of that build. The nuspecs go to the temporary folder, so packing leaves nothing behind.
        var filter = Path.Combine(work, "packages.slnf");
        var projects = libraries.Append("StableVsr").Select(name => $"src/{name}/{name}.csproj");
        File.WriteAllText(filter, JsonSerializer.Serialize(new { solution = new { path = Path.Combine(RepositoryRoot.Path, "StableVsr.sln"), projects } }));
        var build = DotnetCli.Run(RepositoryRoot.Path, TimeSpan.FromMinutes(10), "build", filter, "-c", "Release", "-nologo", "-clp:ErrorsOnly");
        Assert.That(build.ExitCode, Is.Zero, build.Output);
        var pack = DotnetCli.Run(RepositoryRoot.Path, TimeSpan.FromMinutes(5), "pack", filter, "-c", "Release", "--no-build", "-nologo", $"-p:Version={version}", $"-p:PackageOutputPath={feed}/", $"-p:NuspecOutputPath={Path.Combine(work, "nuspec")}/");
        Assert.That(pack.ExitCode, Is.Zero, pack.Output);
        Assert.That(
            Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName),
            Is.SupersetOf(libraries.Append("StableVsr").Select(name => $"{name}.{version}.nupkg")));

        var host = Path.Combine(work, "host");
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="stablevsr-test-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(host, "Host.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="StableVsr" Version="{version}" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.5" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(host, "appsettings.json"), """
            { "StableVsr": { "Upscale": { "Device": "cpu", "Sampling": { "Steps": 2, "WindowSize": 4 } } } }
            """);
        File.WriteAllText(Path.Combine(host, "Program.cs"), """
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;
            using Microsoft.Extensions.Options;
            using StableVsr;
            using StableVsr.IO;
            using StableVsr.Sampling.Hosting;
            using StableVsr.Sampling.Jobs;

            // The generic host binds StableVsr from appsettings.json and checks it when it starts.
            var builder = Host.CreateApplicationBuilder(args);
            builder.Services.AddStableVsr(builder.Configuration.GetSection("StableVsr"));
            using var host = builder.Build();
            await host.StartAsync();
            var upscale = host.Services.GetRequiredService<IOptions<StableVsrServiceOptions>>().Value.Upscale;
            var factory = host.Services.GetRequiredService<IVideoUpscalerFactory>();
            var job = new UpscaleJob("clip", "clip-x4.mp4");
            Console.WriteLine($"host ok {upscale.Device} {upscale.Sampling.Steps} {upscale.Sampling.WindowSize} {UpscaleOptions.Default.Sampling.Steps} {MediaPaths.IsVideoOutput(job.Output)} {factory is not null}");
            await host.StopAsync();
            """);
        var run = DotnetCli.Run(host, TimeSpan.FromMinutes(10), "run");
        Assert.That(run.ExitCode, Is.Zero, run.Output);
        Assert.That(run.Output, Does.Contain("host ok cpu 2 4 50 True True"), "bound from appsettings.json; UpscaleOptions.Default untouched");
    }
}
