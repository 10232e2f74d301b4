using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using StableVsr.Orleans;
using StableVsr.Orleans.Hosting;
using StableVsr.Orleans.Workers;
using StableVsr.Tests.Support;
using StackExchange.Redis;

namespace StableVsr.Tests.Orleans;

/// <summary>
/// A cluster on a real Redis server (membership and job state), configured as <c>stablevsr worker --cluster redis://...</c>
/// configures it: a job outlives the client that submitted it and every silo, and a client follows it through the time
/// when no silo runs. What Redis holds is read back from Redis itself.
/// </summary>
[Category("Redis")]
[Parallelizable(ParallelScope.Self)]
[Category("Cluster")]
public class RedisClusterTests
{
    private TempFolder temp = null!;
    private RedisServer redis = null!;

    [SetUp]
    public void Start()
    {
        temp = new TempFolder();
        redis = RedisServer.Start();
    }

    [TearDown]
    public void Stop()
    {
        redis.Dispose();
        temp.Dispose();
    }

    [Test]
    public async Task AJobSurvivesARestartOfTheClientAndOfTheWholeCluster()
    {
        var address = ClusterAddress.Parse($"redis://{redis.Address}") with { Id = $"stablevsr-test-{Guid.NewGuid():N}" };
        var input = ClusterHarness.WriteLibrary(temp.File("library"), [6, 3]);
        var output = temp.File("out");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        var redisData = connection.GetDatabase();

        var firstSilo = await StartSiloAsync(address, timeout.Token);
        var firstAddress = SiloOf(firstSilo);
        Assert.That(await MembershipAsync(redisData, address.Id), Does.ContainKey(firstAddress).WithValue(SiloStatus.Active), "the silo joined through Redis");
        string jobId;
        using (var firstClient = await StartClientAsync(address, timeout.Token))
        {
            jobId = await new UpscaleClusterClient(firstClient.Services.GetRequiredService<IClusterClient>())
                .SubmitAsync(ClusterHarness.Plan(input, output), ClusterHarness.JobOptions, cancellationToken: timeout.Token);
            await firstClient.StopAsync(timeout.Token);
        }

        // A new client finds the job and follows it from the middle of its first segment to its end, through a time when
        // no silo runs at all.
        using var secondClient = await StartClientAsync(address, timeout.Token);
        var client = new UpscaleClusterClient(secondClient.Services.GetRequiredService<IClusterClient>());
        while ((await client.GetStatusAsync(jobId, timeout.Token)).Segments[0] is not { State: SegmentState.Running, FramesDone: >= 2 })
        {
            await Task.Delay(50, timeout.Token);
        }

        var following = client.WaitAsync(jobId, interval: TimeSpan.FromMilliseconds(100), cancellationToken: timeout.Token);
        await firstSilo.StopAsync(timeout.Token);
        firstSilo.Dispose();

        // Nothing runs now: the membership and the job are in Redis only.
        Assert.That(await MembershipAsync(redisData, address.Id), Does.ContainKey(firstAddress).WithValue(SiloStatus.Dead), "the stopped silo left the membership in Redis");
        var stored = await StoredSegmentAsync(redisData, address.Id, jobId, 0);
        Assert.That(stored.State, Is.EqualTo(SegmentState.Pending), "the stopping silo handed its segment back, in Redis");
        Assert.That(stored.Attempts, Is.EqualTo(1));
        Assert.That(stored.History, Has.Count.EqualTo(1).And.Some.Contains("its worker stopped"));
        var impatient = new UpscaleClusterClient(secondClient.Services.GetRequiredService<IClusterClient>()) { OutageTolerance = TimeSpan.FromMilliseconds(500) };
        Assert.ThrowsAsync<ClusterUnavailableException>(() => impatient.WaitAsync(jobId, interval: TimeSpan.FromMilliseconds(100), cancellationToken: timeout.Token),
            "with no silo every call fails; a client gives up only after its outage tolerance");
        Assert.That(following.IsCompleted, Is.False, "the client following the job waits through the outage");

        // Another silo (new ports, new generation, same Redis) joins, reads the job from Redis and finishes it.
        using var secondSilo = await StartSiloAsync(address, timeout.Token);
        var secondAddress = SiloOf(secondSilo);
        Assert.That(await MembershipAsync(redisData, address.Id), Does.ContainKey(secondAddress).WithValue(SiloStatus.Active).And.ContainKey(firstAddress).WithValue(SiloStatus.Dead));
        var status = await following;
        TestContext.Out.WriteLine(string.Join("\n", status.Segments.Select(s => $"{s.Index}: {s.State} attempts {s.Attempts} on {s.Worker}: {string.Join("; ", s.History)}")));
        Assert.That(status.State, Is.EqualTo(UpscaleJobState.Succeeded));
        Assert.That(status.Segments[0].Attempts, Is.EqualTo(2), "the handed-back segment was started again");
        Assert.That(status.Segments[0].History[0], Does.Contain("its worker stopped").And.Contain(firstAddress));
        Assert.That(status.Segments.Select(s => s.Worker), Has.All.StartsWith(secondAddress), "the new silo finished the job");
        Assert.That((await StoredSegmentAsync(redisData, address.Id, jobId, 1)).State, Is.EqualTo(SegmentState.Done), "the end is in Redis too");
        Assert.That(Directory.GetFiles(Path.Combine(output, "a"), "*.png"), Has.Length.EqualTo(6));
        Assert.That(Directory.GetFiles(Path.Combine(output, "b"), "*.png"), Has.Length.EqualTo(3));
        Assert.That(Directory.GetFileSystemEntries(output, ".*", SearchOption.AllDirectories), Is.Empty, "no staging output left");
        await secondSilo.StopAsync(timeout.Token);
    }

    private static string SiloOf(IHost silo) => silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();

    // The membership table as Orleans' Redis clustering keeps it: a hash under "{service}/members/{cluster}" with one
    // JSON entry per silo (and a "Version" field).
    private static async Task<Dictionary<string, SiloStatus>> MembershipAsync(IDatabase redisData, string clusterId)
    {
        var members = new Dictionary<string, SiloStatus>(StringComparer.Ordinal);
        foreach (var entry in await redisData.HashGetAllAsync($"{clusterId}/members/{clusterId}"))
        {
            if (entry.Name != "Version")
            {
                using var json = JsonDocument.Parse(entry.Value.ToString());
                members[json.RootElement.GetProperty("SiloAddress").GetProperty("SiloAddress").GetString()!] = (SiloStatus)json.RootElement.GetProperty("Status").GetInt32();
            }
        }

        return members;
    }

    // A segment of a job as the Redis grain storage keeps it: the "data" field of "{service}/state/upscalejob/{job}/job",
    // JSON in which properties holding their default value are left out.
    internal static async Task<(SegmentState State, int Attempts, List<string> History)> StoredSegmentAsync(IDatabase redisData, string serviceId, string jobId, int index)
    {
        var data = await redisData.HashGetAsync($"{serviceId}/state/upscalejob/{jobId}/job", "data");
        Assert.That(data.HasValue, $"job {jobId} is stored in Redis");
        using var json = JsonDocument.Parse(data.ToString());
        var segment = json.RootElement.GetProperty("Segments").GetProperty("$values")[index];
        var state = segment.TryGetProperty("State", out var s) ? (SegmentState)s.GetInt32() : SegmentState.Pending;
        var attempts = segment.TryGetProperty("Attempts", out var a) ? a.GetInt32() : 0;
        var history = segment.GetProperty("History").GetProperty("$values").EnumerateArray().Select(h => h.GetString()!).ToList();
        return (state, attempts, history);
    }

    // A silo configured as the worker command configures it, with a model-free runner (the cluster is under test here).
    private static async Task<IHost> StartSiloAsync(ClusterAddress address, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            address.ConfigureSilo(silo, null, null, stateFolder: "unused-with-redis");
            silo.AddStableVsrWorker(new StableVsrWorkerOptions { PollInterval = TimeSpan.FromMilliseconds(100) });
            silo.Services.AddSingleton<ISegmentRunnerFactory>(new CopyingRunnerFactory(TimeSpan.FromMilliseconds(300)));
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    private static async Task<IHost> StartClientAsync(ClusterAddress address, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(address.ConfigureClient);
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }
}
