using static TorchSharp.torch;

namespace StableVsr.Weights;

/// <summary>Conversions between <see cref="TensorDType"/>, safetensors dtype names and TorchSharp scalar types.</summary>
internal static class TensorDTypes
{
    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(this TensorDType dtype) => dtype switch
    {
        TensorDType.F64 or TensorDType.I64 => 8,
        TensorDType.F32 or TensorDType.I32 => 4,
        TensorDType.F16 or TensorDType.BF16 or TensorDType.I16 => 2,
        TensorDType.I8 or TensorDType.U8 or TensorDType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown tensor dtype."),
    };

    /// <summary>The TorchSharp scalar type that holds <paramref name="dtype"/> without conversion.</summary>
    public static ScalarType ToScalarType(this TensorDType dtype) => dtype switch
    {
        TensorDType.F64 => ScalarType.Float64,
        TensorDType.F32 => ScalarType.Float32,
        TensorDType.F16 => ScalarType.Float16,
        TensorDType.BF16 => ScalarType.BFloat16,
        TensorDType.I64 => ScalarType.Int64,
        TensorDType.I32 => ScalarType.Int32,
        TensorDType.I16 => ScalarType.Int16,
        TensorDType.I8 => ScalarType.Int8,
        TensorDType.U8 => ScalarType.Byte,
        TensorDType.Bool => ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown tensor dtype."),
    };

    /// <summary>The <see cref="TensorDType"/> of a TorchSharp scalar type, or null for types checkpoints here never hold (complex, quantised).</summary>
    public static TensorDType? FromScalarType(ScalarType type) => type switch
    {
        ScalarType.Float64 => TensorDType.F64,
        ScalarType.Float32 => TensorDType.F32,
        ScalarType.Float16 => TensorDType.F16,
        ScalarType.BFloat16 => TensorDType.BF16,
        ScalarType.Int64 => TensorDType.I64,
        ScalarType.Int32 => TensorDType.I32,
        ScalarType.Int16 => TensorDType.I16,
        ScalarType.Int8 => TensorDType.I8,
        ScalarType.Byte => TensorDType.U8,
        ScalarType.Bool => TensorDType.Bool,
        _ => null,
    };

    /// <summary>The safetensors name of <paramref name="dtype"/> (<c>F32</c>, <c>BF16</c>, <c>BOOL</c>, ...).</summary>
    public static string SafetensorsName(this TensorDType dtype) => dtype == TensorDType.Bool ? "BOOL" : dtype.ToString();

    /// <summary>Parses a safetensors dtype name; false for names StableVsr does not read (e.g. <c>F8_E4M3</c>, <c>U16</c>).</summary>
    public static bool TryParseSafetensorsName(string name, out TensorDType dtype)
    {
        switch (name)
        {
            case "F64": dtype = TensorDType.F64; return true;
            case "F32": dtype = TensorDType.F32; return true;
            case "F16": dtype = TensorDType.F16; return true;
            case "BF16": dtype = TensorDType.BF16; return true;
            case "I64": dtype = TensorDType.I64; return true;
            case "I32": dtype = TensorDType.I32; return true;
            case "I16": dtype = TensorDType.I16; return true;
            case "I8": dtype = TensorDType.I8; return true;
            case "U8": dtype = TensorDType.U8; return true;
            case "BOOL": dtype = TensorDType.Bool; return true;
            default: dtype = default; return false;
        }
    }
}
