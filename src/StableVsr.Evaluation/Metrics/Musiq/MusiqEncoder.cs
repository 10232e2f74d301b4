using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>
/// MUSIQ's transformer encoder: hash-based spatial and scale embeddings added to the patch tokens, a learned class
/// token prepended, the blocks (<c>transformer.encoderblock_{i}</c>), a final LayerNorm (eps 1e-6).
/// </summary>
internal sealed class MusiqEncoder : nn.Module<MusiqTokens, Tensor>
{
    private const double Epsilon = 1e-6;

    private readonly MusiqEmbedding posembed_input;
    private readonly MusiqEmbedding scaleembed_input;
    private readonly Parameter cls;
    private readonly LayerNorm encoder_norm;
    private readonly MusiqBlocks transformer;

    public MusiqEncoder(MusiqConfig config)
        : base(nameof(MusiqEncoder))
    {
        posembed_input = new MusiqEmbedding("position_emb", 1, config.GridSize * config.GridSize, config.Hidden);
        scaleembed_input = new MusiqEmbedding("scale_emb", config.Scales.Count + 1, config.Hidden);
        cls = new Parameter(zeros(1, 1, config.Hidden));
        encoder_norm = nn.LayerNorm(config.Hidden, Epsilon);
        transformer = new MusiqBlocks(config);
        RegisterComponents();
    }

    /// <summary>The encoded sequence [B, 1 + N, C], the class token first.</summary>
    public override Tensor forward(MusiqTokens input)
    {
        using var scope = NewDisposeScope();
        var x = posembed_input.call(input.Embedded, input.Positions);
        x = scaleembed_input.call(x, input.ScaleIds);
        var batch = x.shape[0];
        x = cat([cls.expand(batch, 1, -1), x], 1);
        var mask = cat([ones(batch, 1, @bool, x.device), input.Mask], 1);
        x = transformer.call(x, mask);
        return encoder_norm.call(x).MoveToOuterDisposeScope();
    }

    /// <summary>The blocks, registered as <c>encoderblock_{i}</c> as in the checkpoint.</summary>
    private sealed class MusiqBlocks : nn.Module<Tensor, Tensor, Tensor>
    {
        private readonly MusiqBlock[] blocks;

        public MusiqBlocks(MusiqConfig config)
            : base(nameof(MusiqBlocks))
        {
            blocks = Enumerable.Range(0, config.Layers).Select(_ => new MusiqBlock(config.Hidden, config.MlpSize, config.Heads)).ToArray();
            for (var i = 0; i < blocks.Length; i++)
            {
                register_module($"encoderblock_{i}", blocks[i]);
            }
        }

        public override Tensor forward(Tensor input, Tensor mask)
        {
            using var scope = NewDisposeScope();
            var x = input;
            foreach (var block in blocks)
            {
                x = block.call(x, mask);
            }

            return x.MoveToOuterDisposeScope();
        }
    }
}
