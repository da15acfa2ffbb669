using RlRobotics.Ros2.Messages.Dynamic;
using RlRobotics.Ros2.Messages.Parsing;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Tests;

/// <summary>Seeded random contents for any schema: sequences of 0..4 elements, strings that need YAML quoting, special floats.</summary>
internal static class RandomMessages
{
    private static readonly string[] Strings =
    [
        "", "a", "base_link", "joint 1", "héllo", "日本語", "🤖", "it's", "a: b", "# not a comment", "- dash", " lead", "trail ",
        "yes", "null", "123", "1.5", "line\nbreak", "tab\there", "quote\"d", "back\\slash", "[x]", "{y}",
    ];

    public static DynamicMessage Create(MessageSchema schema, Random rng)
    {
        var m = new DynamicMessage(schema);
        for (var i = 0; i < schema.Fields.Count; i++)
        {
            // rosidl's placeholder member carries no data: rmw always writes 0 and the typed classes do too.
            if (schema.Fields[i].Name == MsgParser.EmptyStructureMember) continue;
            m[i] = Value(schema.Fields[i].Type, rng);
        }
        return m;
    }

    private static object Value(FieldType type, Random rng)
    {
        if (!type.IsCollection) return Element(type, rng);
        var count = type.Collection switch
        {
            CollectionKind.Array => type.Bound,
            CollectionKind.BoundedSequence => rng.Next(Math.Min(type.Bound, 4) + 1),
            _ => rng.Next(5),
        };
        var array = Array.CreateInstance(DynamicMessage.ValueType(type.Element), count);
        for (var i = 0; i < count; i++) array.SetValue(Element(type.Element, rng), i);
        return array;
    }

    private static object Element(FieldType element, Random rng)
    {
        if (element.Nested is { } nested) return Create(nested, rng);
        return element.Primitive!.Value switch
        {
            PrimitiveKind.Bool => rng.Next(2) == 1,
            PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.UInt8 => (byte)rng.Next(256),
            PrimitiveKind.Int8 => (sbyte)rng.Next(-128, 128),
            PrimitiveKind.Int16 => (short)rng.Next(short.MinValue, short.MaxValue + 1),
            PrimitiveKind.UInt16 => (ushort)rng.Next(ushort.MaxValue + 1),
            PrimitiveKind.Int32 => rng.Next(int.MinValue, int.MaxValue),
            PrimitiveKind.UInt32 => (uint)rng.NextInt64(uint.MaxValue + 1L),
            PrimitiveKind.Int64 => rng.NextInt64(long.MinValue, long.MaxValue),
            PrimitiveKind.UInt64 => (ulong)rng.NextInt64() * 2 + (ulong)rng.Next(2),
            PrimitiveKind.Float32 => (float)Double(rng),
            PrimitiveKind.Float64 => Double(rng),
            _ => String(rng, element.StringBound),
        };
    }

    private static double Double(Random rng) => rng.Next(20) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => double.NegativeInfinity,
        3 => 0.0,
        4 => rng.Next(-5, 5),
        5 => 1e-300 * rng.NextDouble(),
        _ => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-6, 12)),
    };

    private static string String(Random rng, int bound)
    {
        var s = Strings[rng.Next(Strings.Length)];
        return bound > 0 && System.Text.Encoding.UTF8.GetByteCount(s) > bound ? "" : s;
    }
}
