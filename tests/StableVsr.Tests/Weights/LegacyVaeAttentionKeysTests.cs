using StableVsr.Weights;

namespace StableVsr.Tests.Weights;

public class LegacyVaeAttentionKeysTests
{
    [TestCase("encoder.mid_block.attentions.0.query.weight", "encoder.mid_block.attentions.0.to_q.weight")]
    [TestCase("encoder.mid_block.attentions.0.key.bias", "encoder.mid_block.attentions.0.to_k.bias")]
    [TestCase("decoder.mid_block.attentions.0.value.weight", "decoder.mid_block.attentions.0.to_v.weight")]
    [TestCase("decoder.mid_block.attentions.0.proj_attn.bias", "decoder.mid_block.attentions.0.to_out.0.bias")]
    public void MapsLegacyNames(string legacy, string current)
    {
        Assert.That(LegacyVaeAttentionKeys.Map(legacy), Is.EqualTo(current));
        Assert.That(LegacyVaeAttentionKeys.TryMap(legacy, out var mapped), Is.True);
        Assert.That(mapped, Is.EqualTo(current));
    }

    [TestCase("decoder.mid_block.attentions.0.group_norm.weight")]
    [TestCase("decoder.mid_block.attentions.0.to_q.weight")]
    [TestCase("decoder.up_blocks.0.resnets.0.conv1.weight")]
    [TestCase("key.weight")]
    [TestCase("decoder.mid_block.attentions.0.key.inner.weight")]
    public void LeavesOtherKeysAlone(string key)
    {
        Assert.That(LegacyVaeAttentionKeys.Map(key), Is.EqualTo(key));
        Assert.That(LegacyVaeAttentionKeys.TryMap(key, out _), Is.False);
    }
}
