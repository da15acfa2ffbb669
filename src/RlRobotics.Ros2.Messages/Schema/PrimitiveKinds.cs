using System.Globalization;

namespace RlRobotics.Ros2.Messages.Schema;

/// <summary>Facts about each <see cref="PrimitiveKind"/>: its .msg name, XCDR1 size, .NET type, and text parsing.</summary>
public static class PrimitiveKinds
{
    /// <summary>The .msg spelling, e.g. <c>float64</c>.</summary>
    public static string RosName(this PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Bool => "bool",
        PrimitiveKind.Byte => "byte",
        PrimitiveKind.Char => "char",
        PrimitiveKind.Int8 => "int8",
        PrimitiveKind.UInt8 => "uint8",
        PrimitiveKind.Int16 => "int16",
        PrimitiveKind.UInt16 => "uint16",
        PrimitiveKind.Int32 => "int32",
        PrimitiveKind.UInt32 => "uint32",
        PrimitiveKind.Int64 => "int64",
        PrimitiveKind.UInt64 => "uint64",
        PrimitiveKind.Float32 => "float32",
        PrimitiveKind.Float64 => "float64",
        _ => "string",
    };

    /// <summary>Parses a .msg primitive type name; <c>wstring</c> and unknown names return false.</summary>
    public static bool TryParse(string rosName, out PrimitiveKind kind)
    {
        foreach (var k in Enum.GetValues<PrimitiveKind>())
        {
            if (k.RosName() != rosName) continue;
            kind = k;
            return true;
        }
        kind = default;
        return false;
    }

    /// <summary>XCDR1 size and alignment in bytes; for strings, the smallest encoding (length + NUL = 5).</summary>
    public static int WireSize(this PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Bool or PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.Int8 or PrimitiveKind.UInt8 => 1,
        PrimitiveKind.Int16 or PrimitiveKind.UInt16 => 2,
        PrimitiveKind.Int32 or PrimitiveKind.UInt32 or PrimitiveKind.Float32 => 4,
        PrimitiveKind.String => 5,
        _ => 8,
    };

    /// <summary>
    /// The .NET type a value of this kind has in a <see cref="Dynamic.DynamicMessage"/>: bool, byte (byte, char, uint8),
    /// sbyte, short, ushort, int, uint, long, ulong, float, double, string.
    /// </summary>
    public static Type ClrType(this PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Bool => typeof(bool),
        PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.UInt8 => typeof(byte),
        PrimitiveKind.Int8 => typeof(sbyte),
        PrimitiveKind.Int16 => typeof(short),
        PrimitiveKind.UInt16 => typeof(ushort),
        PrimitiveKind.Int32 => typeof(int),
        PrimitiveKind.UInt32 => typeof(uint),
        PrimitiveKind.Int64 => typeof(long),
        PrimitiveKind.UInt64 => typeof(ulong),
        PrimitiveKind.Float32 => typeof(float),
        PrimitiveKind.Float64 => typeof(double),
        _ => typeof(string),
    };

    /// <summary>The zero value: false, 0, 0.0 or "".</summary>
    public static object ZeroValue(this PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Bool => false,
        PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.UInt8 => (byte)0,
        PrimitiveKind.Int8 => (sbyte)0,
        PrimitiveKind.Int16 => (short)0,
        PrimitiveKind.UInt16 => (ushort)0,
        PrimitiveKind.Int32 => 0,
        PrimitiveKind.UInt32 => 0u,
        PrimitiveKind.Int64 => 0L,
        PrimitiveKind.UInt64 => 0UL,
        PrimitiveKind.Float32 => 0f,
        PrimitiveKind.Float64 => 0d,
        _ => string.Empty,
    };

    /// <summary>A zero-filled array of the kind's .NET type (strings filled with "").</summary>
    public static Array CreateArray(this PrimitiveKind kind, int length)
    {
        var array = Array.CreateInstance(kind.ClrType(), length);
        if (kind == PrimitiveKind.String) Array.Fill((string[])array, string.Empty);
        return array;
    }

    /// <summary>
    /// Parses one scalar written in .msg or YAML text (<c>true</c>, <c>-3</c>, <c>0x1f</c>, <c>1.5e3</c>, <c>nan</c>) into the
    /// kind's .NET type. Strings are returned as given (the caller removes quotes). Throws <see cref="FormatException"/>
    /// saying what was expected.
    /// </summary>
    public static object ParseValue(this PrimitiveKind kind, string text)
    {
        var t = text.Trim();
        switch (kind)
        {
            case PrimitiveKind.String:
                return text;
            case PrimitiveKind.Bool:
                // rosidl accepts true/false and 1/0 (any case for the words).
                if (t is "1" || t.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
                if (t is "0" || t.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
                throw new FormatException($"expected a bool (true, false, 1 or 0), found '{text}'");
            case PrimitiveKind.Float32:
            case PrimitiveKind.Float64:
                if (!TryParseFloat(t, out var d)) throw new FormatException($"expected a {kind.RosName()} number, found '{text}'");
                if (kind == PrimitiveKind.Float64) return d;
                // Parse float32 directly (not via double) so the shortest float text reads back to the same float.
                var f = double.IsFinite(d) ? float.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture) : (float)d;
                if (float.IsInfinity(f) && !double.IsInfinity(d)) throw new FormatException($"{text} is out of range for float32");
                return f;
            default:
                if (!TryParseInteger(t, out var value, out var negative))
                    throw new FormatException($"expected an integer for {kind.RosName()}, found '{text}'");
                var (min, max) = Range(kind);
                if (negative ? -(System.Numerics.BigInteger)value < min : value > max)
                    throw new FormatException($"{text} is out of range for {kind.RosName()} ({min}..{max})");
                return ToClr(kind, value, negative);
        }
    }

    private static bool TryParseFloat(string t, out double d)
    {
        // YAML spells the special values .nan, .inf and -.inf; .msg files use Python's nan and inf.
        switch (t.ToLowerInvariant())
        {
            case "nan" or ".nan": d = double.NaN; return true;
            case "inf" or "+inf" or ".inf" or "+.inf" or "infinity": d = double.PositiveInfinity; return true;
            case "-inf" or "-.inf" or "-infinity": d = double.NegativeInfinity; return true;
        }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out d) && t.Length > 0 && !char.IsLetter(t[^1]);
    }

    private static bool TryParseInteger(string t, out ulong magnitude, out bool negative)
    {
        negative = t.StartsWith('-');
        var body = negative || t.StartsWith('+') ? t[1..] : t;
        if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(body.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude) && body.Length > 2;
        return ulong.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude);
    }

    private static (long Min, ulong Max) Range(PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Int8 => (sbyte.MinValue, (ulong)sbyte.MaxValue),
        PrimitiveKind.Int16 => (short.MinValue, (ulong)short.MaxValue),
        PrimitiveKind.UInt16 => (0, ushort.MaxValue),
        PrimitiveKind.Int32 => (int.MinValue, int.MaxValue),
        PrimitiveKind.UInt32 => (0, uint.MaxValue),
        PrimitiveKind.Int64 => (long.MinValue, long.MaxValue),
        PrimitiveKind.UInt64 => (0, ulong.MaxValue),
        _ => (0, byte.MaxValue), // byte, char, uint8
    };

    private static object ToClr(PrimitiveKind kind, ulong magnitude, bool negative)
    {
        var v = negative ? unchecked(-(long)magnitude) : 0;
        return kind switch
        {
            PrimitiveKind.Int8 => negative ? (sbyte)v : (sbyte)magnitude,
            PrimitiveKind.Int16 => negative ? (short)v : (short)magnitude,
            PrimitiveKind.UInt16 => (ushort)magnitude,
            PrimitiveKind.Int32 => negative ? (int)v : (int)magnitude,
            PrimitiveKind.UInt32 => (uint)magnitude,
            PrimitiveKind.Int64 => negative ? v : (long)magnitude,
            PrimitiveKind.UInt64 => magnitude,
            _ => (byte)magnitude,
        };
    }
}
