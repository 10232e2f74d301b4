using System.ComponentModel;
using System.Text.Json;

namespace StableVsr.Tests.Core;

/// <summary>Device names parse the .NET way, and the shared defaults are never shared instances.</summary>
public class ComputeDeviceTests
{
    [TestCase("auto", "auto")]
    [TestCase(" CPU ", "cpu")]
    [TestCase("cuda", "cuda")]
    [TestCase("Cuda:3", "cuda:3")]
    public void TryParseAndIParsableReadEveryAcceptedSpelling(string name, string canonical)
    {
        Assert.That(ComputeDevice.TryParse(name, out var device), Is.True);
        Assert.That(device.ToString(), Is.EqualTo(canonical));
        Assert.That(ParseGeneric<ComputeDevice>(name), Is.EqualTo(device), "through IParsable<T>, as generic code (and configuration) parses");
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("tpu")]
    [TestCase("cuda:-1")]
    [TestCase("cuda:one")]
    public void TryParseRefusesWithoutThrowing(string? name)
    {
        Assert.That(ComputeDevice.TryParse(name, out var device), Is.False);
        Assert.That(device, Is.EqualTo(default(ComputeDevice)));
    }

    [Test]
    public void TheTypeConverterReadsAndWritesNamesAndRefusesUnknownOnes()
    {
        var converter = TypeDescriptor.GetConverter(typeof(ComputeDevice));
        Assert.That(converter.CanConvertFrom(typeof(string)), Is.True);
        Assert.That(converter.ConvertFromInvariantString("cuda:1"), Is.EqualTo(ComputeDevice.Cuda(1)));
        Assert.That(converter.ConvertToInvariantString(ComputeDevice.Cpu), Is.EqualTo("cpu"));
        var error = Assert.Throws<InvalidInputException>(() => converter.ConvertFromInvariantString("tpu"));
        Assert.That(error!.Message, Does.Contain("tpu").And.Contain("cuda:N"));
    }

    [Test]
    public void JsonCarriesTheNameWithoutAConverterOfItsOwn()
    {
        var json = JsonSerializer.Serialize(new DeviceHolder(ComputeDevice.Cuda(2), null));
        Assert.That(json, Is.EqualTo("""{"Device":"cuda:2","State":null}"""));
        Assert.That(JsonSerializer.Deserialize<DeviceHolder>("""{"Device":"cpu","State":"cuda"}"""), Is.EqualTo(new DeviceHolder(ComputeDevice.Cpu, ComputeDevice.Cuda())));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DeviceHolder>("""{"Device":"tpu"}"""));
    }

    [Test]
    public void TheDefaultsAreNewInstancesSoNothingCanChangeThemForOthers()
    {
        Assert.That(UpscaleOptions.Default, Is.Not.SameAs(UpscaleOptions.Default));
        Assert.That(UpscaleOptions.Default.Sampling, Is.Not.SameAs(UpscaleOptions.Default.Sampling));
        Assert.That(SamplingOptions.Default, Is.Not.SameAs(SamplingOptions.Default));
        Assert.That(PrecisionPolicy.Float32, Is.Not.SameAs(PrecisionPolicy.Float32));
        Assert.That(UpscaleOptions.Default, Is.EqualTo(UpscaleOptions.Default), "equal by value");
    }

    private static T ParseGeneric<T>(string text)
        where T : IParsable<T> => T.Parse(text, null);

    public sealed record DeviceHolder(ComputeDevice Device, ComputeDevice? State);
}
