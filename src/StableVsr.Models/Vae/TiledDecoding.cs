using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Models.Vae;

/// <summary>
/// The geometry of a tiled decode, apart from the decoder: latents are cut into overlapping tiles that start every
/// three quarters of a tile, each tile is decoded on its own, and each decoded tile fades in from the tile above and
/// the tile to its left over the overlap (a quarter of a tile), as diffusers' tiled decode does; the tiles are then
/// cropped to their stride and joined. Only one row of decoded tiles is kept at a time.
/// </summary>
internal static class TiledDecoding
{
    /// <summary>Decodes <paramref name="latents"/> [B, C, h, w] tile by tile to [B, C', h x factor, w x factor].</summary>
    /// <param name="latents">The latents.</param>
    /// <param name="tileSize">Tile side in latent pixels, a multiple of 4.</param>
    /// <param name="factor">Output pixels per latent pixel.</param>
    /// <param name="decodeTile">Decodes one tile of latents to factor times its size.</param>
    public static Tensor Decode(Tensor latents, int tileSize, int factor, Func<Tensor, Tensor> decodeTile)
    {
        using var scope = NewDisposeScope();
        var (height, width) = ((int)latents.shape[2], (int)latents.shape[3]);
        var stride = tileSize * 3 / 4;
        var blend = tileSize * factor / 4;
        var keep = stride * factor;
        var rows = new List<Tensor>();
        Tensor[]? above = null;
        for (var top = 0; top < height; top += stride)
        {
            var row = new List<Tensor>();
            var strips = new List<Tensor>();
            for (int left = 0, column = 0; left < width; left += stride, column++)
            {
                using var tileScope = NewDisposeScope();
                var tile = latents[.., .., top..Math.Min(top + tileSize, height), left..Math.Min(left + tileSize, width)];
                var decoded = decodeTile(tile);
                if (above is not null)
                {
                    decoded = BlendEdge(above[column], decoded, keep, blend, dimension: 2);
                }

                if (row.Count > 0)
                {
                    decoded = BlendEdge(row[^1], decoded, keep, blend, dimension: 3);
                }

                row.Add(decoded.MoveToOuterDisposeScope());
                strips.Add(decoded[.., .., ..Math.Min(keep, (int)decoded.shape[2]), ..Math.Min(keep, (int)decoded.shape[3])].MoveToOuterDisposeScope());
            }

            // Only the joined strips of this row and its decoded tiles (for the next row's blend) stay alive.
            rows.Add(cat(strips, 3));
            foreach (var done in strips.Concat(above ?? []))
            {
                done.Dispose();
            }

            above = [.. row];
        }

        return cat(rows, 2).MoveToOuterDisposeScope();
    }

    // Fades from the previous tile into this one along dimension 2 (rows) or 3 (columns) where they overlap: this tile
    // starts at `offset` in the previous one's coordinates, and at distance y from its edge it weighs y / extent, as in
    // diffusers' blend_v and blend_h (which, unlike this, misalign a last tile shorter than the overlap).
    private static Tensor BlendEdge(Tensor previous, Tensor tile, int offset, int extent, int dimension)
    {
        var overlap = (int)Math.Min(extent, Math.Min(previous.shape[dimension] - offset, tile.shape[dimension]));
        var shape = new long[] { 1, 1, 1, 1 };
        shape[dimension] = overlap;
        var weight = TensorArithmetic.Arange(overlap, dtype: ScalarType.Float32, device: tile.device).DividedBy(extent).to(tile.dtype).view(shape);
        var end = previous.narrow(dimension, offset, overlap);
        var start = tile.narrow(dimension, 0, overlap);
        var blended = (end * weight.SubtractedFrom(1)).Plus(start * weight);
        var rest = tile.narrow(dimension, overlap, tile.shape[dimension] - overlap);
        return cat([blended, rest], dimension);
    }
}
