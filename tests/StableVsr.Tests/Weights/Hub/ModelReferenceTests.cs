using StableVsr.Tests.Support;
using StableVsr.Weights.Hub;

namespace StableVsr.Tests.Weights.Hub;

public class ModelReferenceTests
{
    [Test]
    public void ExistingFolderIsLocal()
    {
        var reference = ModelReference.Parse(Fixtures.Path("tiny-stablevsr"));

        Assert.That(reference.IsLocal, Is.True);
        Assert.That(reference.LocalPath, Is.EqualTo(Fixtures.Path("tiny-stablevsr")));
    }

    [TestCase("claudiom4sir/StableVSR", "claudiom4sir/StableVSR", "main")]
    [TestCase("claudiom4sir/StableVSR@v1.0", "claudiom4sir/StableVSR", "v1.0")]
    [TestCase("stabilityai/stable-diffusion-x4-upscaler@refs/pr/3", "stabilityai/stable-diffusion-x4-upscaler", "refs/pr/3")]
    public void OwnerSlashNameIsAHubRepository(string text, string repo, string revision)
    {
        var reference = ModelReference.Parse(text);

        Assert.That(reference.IsLocal, Is.False);
        Assert.That(reference.RepoId, Is.EqualTo(repo));
        Assert.That(reference.Revision, Is.EqualTo(revision));
        Assert.That(reference.ToString(), Is.EqualTo(text));
    }

    [TestCase("justaname")]
    [TestCase("a/b/c")]
    [TestCase("owner/na me")]
    [TestCase("owner/name@")]
    [TestCase("owner/name@../x")]
    public void AnythingElseIsRefused(string text) =>
        Assert.Throws<InvalidInputException>(() => ModelReference.Parse(text));
}
