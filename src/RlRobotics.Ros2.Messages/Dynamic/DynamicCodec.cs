using System.Text;
using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Dynamic;

/// <summary>
/// Encodes and decodes <see cref="DynamicMessage"/>s as XCDR1, driven by the schema, with the same layout as the typed
/// classes. Enforces fixed-array lengths, sequence bounds and string bounds; errors name the field path
/// (e.g. <c>points[0].positions</c>).
/// </summary>
public static class DynamicCodec
{
    /// <summary>
    /// Appends <paramref name="message"/>'s fields to <paramref name="writer"/> (reset it first for a new sample). Throws
    /// <see cref="ArgumentException"/> when a value breaks the schema: wrong .NET type, fixed array of the wrong length,
    /// sequence or string over its bound.
    /// </summary>
    public static void Write(DynamicMessage message, CdrWriter writer)
    {
        try
        {
            WriteStruct(message, writer);
        }
        catch (FieldError e)
        {
            throw new ArgumentException($"{message.Schema.FullName} field '{string.Concat(e.Path).TrimStart('.')}': {e.Message}");
        }
    }

    /// <summary>Decodes one message of type <paramref name="schema"/>; malformed input throws <see cref="CdrException"/> with the field path.</summary>
    public static DynamicMessage Read(MessageSchema schema, ref CdrReader reader)
    {
        var message = new DynamicMessage(schema);
        for (var i = 0; i < schema.Fields.Count; i++)
        {
            var field = schema.Fields[i];
            try
            {
                message[i] = ReadValue(field.Type, ref reader);
            }
            catch (CdrException e)
            {
                throw e.WithOuterField(field.Name);
            }
        }
        return message;
    }

    /// <summary>The smallest encoding of one element of <paramref name="element"/>, used to bound hostile sequence counts.</summary>
    internal static int MinimumSize(FieldType element) => element.Nested is not null ? 1 : element.Primitive!.Value.WireSize();

    private static void WriteStruct(DynamicMessage message, CdrWriter writer)
    {
        var fields = message.Schema.Fields;
        for (var i = 0; i < fields.Count; i++)
        {
            try
            {
                WriteValue(fields[i].Type, message[i], writer);
            }
            catch (FieldError e)
            {
                e.Path.Insert(0, "." + fields[i].Name);
                throw;
            }
        }
    }

    private static void WriteValue(FieldType type, object value, CdrWriter writer)
    {
        var expected = DynamicMessage.ValueType(type);
        if (value.GetType() != expected) throw new FieldError($"expected a {expected.Name} for {type}, found a {value.GetType().Name}");
        if (!type.IsCollection)
        {
            WriteElement(type, value, writer);
            return;
        }
        var array = (Array)value;
        switch (type.Collection)
        {
            case CollectionKind.Array when array.Length != type.Bound:
                throw new FieldError($"expected exactly {type.Bound} elements ({type}), found {array.Length}");
            case CollectionKind.BoundedSequence when array.Length > type.Bound:
                throw new FieldError($"expected at most {type.Bound} elements ({type}), found {array.Length}");
            case CollectionKind.Sequence or CollectionKind.BoundedSequence:
                writer.WriteSequenceLength(array.Length);
                break;
        }
        if (type.Nested is not null || type.Primitive == PrimitiveKind.String)
        {
            var element = type.Element;
            for (var i = 0; i < array.Length; i++)
            {
                try
                {
                    WriteElement(element, array.GetValue(i)!, writer);
                }
                catch (FieldError e)
                {
                    e.Path.Insert(0, $"[{i}]");
                    throw;
                }
            }
            return;
        }
        switch (type.Primitive)
        {
            case PrimitiveKind.Bool: writer.WriteBools((bool[])array); break;
            case PrimitiveKind.Int8: writer.WriteInt8s((sbyte[])array); break;
            case PrimitiveKind.Int16: writer.WriteInt16s((short[])array); break;
            case PrimitiveKind.UInt16: writer.WriteUInt16s((ushort[])array); break;
            case PrimitiveKind.Int32: writer.WriteInt32s((int[])array); break;
            case PrimitiveKind.UInt32: writer.WriteUInt32s((uint[])array); break;
            case PrimitiveKind.Int64: writer.WriteInt64s((long[])array); break;
            case PrimitiveKind.UInt64: writer.WriteUInt64s((ulong[])array); break;
            case PrimitiveKind.Float32: writer.WriteFloat32s((float[])array); break;
            case PrimitiveKind.Float64: writer.WriteFloat64s((double[])array); break;
            default: writer.WriteBytes((byte[])array); break; // byte, char, uint8
        }
    }

    private static void WriteElement(FieldType element, object value, CdrWriter writer)
    {
        if (element.Nested is { } nested)
        {
            if (value is not DynamicMessage m) throw new FieldError($"expected a {nested.FullName} message, found null");
            if (m.Schema != nested) throw new FieldError($"expected a {nested.FullName} message, found a {m.Schema.FullName}");
            WriteStruct(m, writer);
            return;
        }
        switch (value)
        {
            case bool b: writer.WriteBool(b); break;
            case byte b: writer.WriteUInt8(b); break;
            case sbyte b: writer.WriteInt8(b); break;
            case short s: writer.WriteInt16(s); break;
            case ushort s: writer.WriteUInt16(s); break;
            case int n: writer.WriteInt32(n); break;
            case uint n: writer.WriteUInt32(n); break;
            case long n: writer.WriteInt64(n); break;
            case ulong n: writer.WriteUInt64(n); break;
            case float f: writer.WriteFloat32(f); break;
            case double d: writer.WriteFloat64(d); break;
            case string s:
                if (element.StringBound > 0 && Encoding.UTF8.GetByteCount(s) > element.StringBound)
                    throw new FieldError($"expected at most {element.StringBound} UTF-8 bytes (string<={element.StringBound}), found {Encoding.UTF8.GetByteCount(s)}");
                writer.WriteString(s);
                break;
            default: throw new FieldError($"expected a {element} value, found {value?.GetType().Name ?? "null"}");
        }
    }

    private static object ReadValue(FieldType type, ref CdrReader reader)
    {
        if (!type.IsCollection) return ReadElement(type, ref reader);
        int count;
        if (type.Collection == CollectionKind.Array) count = type.Bound;
        else
        {
            count = reader.ReadSequenceLength(MinimumSize(type));
            var at = reader.Position - 4;
            if (type.Collection == CollectionKind.BoundedSequence && count > type.Bound)
                throw new CdrException(at, $"expected at most {type.Bound} elements ({type}), found a count of {count}");
        }
        if (type.Nested is not null || type.Primitive == PrimitiveKind.String)
        {
            var element = type.Element;
            var items = type.Nested is not null ? (Array)new DynamicMessage[count] : new string[count];
            for (var i = 0; i < count; i++)
            {
                try
                {
                    items.SetValue(ReadElement(element, ref reader), i);
                }
                catch (CdrException e)
                {
                    throw e.WithOuterField($"[{i}]");
                }
            }
            return items;
        }
        switch (type.Primitive)
        {
            case PrimitiveKind.Bool: { var a = new bool[count]; reader.ReadBools(a); return a; }
            case PrimitiveKind.Int8: { var a = new sbyte[count]; reader.ReadInt8s(a); return a; }
            case PrimitiveKind.Int16: { var a = new short[count]; reader.ReadInt16s(a); return a; }
            case PrimitiveKind.UInt16: { var a = new ushort[count]; reader.ReadUInt16s(a); return a; }
            case PrimitiveKind.Int32: { var a = new int[count]; reader.ReadInt32s(a); return a; }
            case PrimitiveKind.UInt32: { var a = new uint[count]; reader.ReadUInt32s(a); return a; }
            case PrimitiveKind.Int64: { var a = new long[count]; reader.ReadInt64s(a); return a; }
            case PrimitiveKind.UInt64: { var a = new ulong[count]; reader.ReadUInt64s(a); return a; }
            case PrimitiveKind.Float32: { var a = new float[count]; reader.ReadFloat32s(a); return a; }
            case PrimitiveKind.Float64: { var a = new double[count]; reader.ReadFloat64s(a); return a; }
            default: { var a = new byte[count]; reader.ReadBytes(a); return a; }
        }
    }

    private static object ReadElement(FieldType element, ref CdrReader reader)
    {
        if (element.Nested is { } nested) return Read(nested, ref reader);
        return element.Primitive!.Value switch
        {
            PrimitiveKind.Bool => reader.ReadBool(),
            PrimitiveKind.Byte => reader.ReadByte(),
            PrimitiveKind.Char => reader.ReadChar(),
            PrimitiveKind.UInt8 => reader.ReadUInt8(),
            PrimitiveKind.Int8 => reader.ReadInt8(),
            PrimitiveKind.Int16 => reader.ReadInt16(),
            PrimitiveKind.UInt16 => reader.ReadUInt16(),
            PrimitiveKind.Int32 => reader.ReadInt32(),
            PrimitiveKind.UInt32 => reader.ReadUInt32(),
            PrimitiveKind.Int64 => reader.ReadInt64(),
            PrimitiveKind.UInt64 => reader.ReadUInt64(),
            PrimitiveKind.Float32 => reader.ReadFloat32(),
            PrimitiveKind.Float64 => reader.ReadFloat64(),
            _ => reader.ReadString(null, element.StringBound),
        };
    }

    /// <summary>A write-side schema violation; each level of the recursion prepends its field name as it unwinds.</summary>
    private sealed class FieldError(string message) : Exception(message)
    {
        public List<string> Path { get; } = [];
    }
}
