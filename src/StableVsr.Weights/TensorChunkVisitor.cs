namespace StableVsr.Weights;

/// <summary>
/// Receives one chunk of a tensor's memory: its byte offset within the tensor and a span over it. A delegate type of
/// its own because <c>Action&lt;long, Span&lt;byte&gt;&gt;</c> needs .NET 9's ref-struct generics, and the library also targets net8.0.
/// </summary>
internal delegate void TensorChunkVisitor(long offset, Span<byte> chunk);
