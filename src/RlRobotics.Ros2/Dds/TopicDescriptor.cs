using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Dds;

/// <summary>
/// A Cyclone <c>dds_topic_descriptor_t</c> built at run time from a message schema: the C layout idlc would generate
/// for rosidl's IDL of the message (x86-64 SysV: natural alignment, <c>char*</c> strings, 24-byte <c>dds_sequence_t</c>,
/// <c>char[N+1]</c> bounded strings) and the serialisation program (<c>dds/ddsc/dds_opcodes.h</c>, 0.10.2) in the
/// exact form idlc emits it, so Cyclone validates received CDR against the message's real structure.
/// No XTypes type information is attached: like rmw, endpoints match on topic and type name alone.
/// Descriptors are interned per DDS type name and live for the process, as Cyclone may keep pointers into them.
/// </summary>
public sealed unsafe class TopicDescriptor
{
    static readonly ConcurrentDictionary<string, TopicDescriptor> Interned = new();

    // Opcode words: [op:8][type:8][subtype:8][flags:8] (dds_opcodes.h).
    const uint OpRts = 0x00u << 24, OpAdr = 0x01u << 24;
    const uint Val1By = 1, Val2By = 2, Val4By = 3, Val8By = 4, ValStr = 5, ValBst = 6, ValSeq = 7, ValArr = 8, ValStu = 0x0a,
        ValBsq = 0x0b, ValExt = 0x0d, ValBln = 0x0e;
    const uint FlagFp = 2, FlagSgn = 4;

    TopicDescriptor(MessageSchema schema, uint[] ops, int instructions, Layout layout)
    {
        Schema = schema;
        Ops = ops;
        InstructionCount = instructions;
        Size = layout.Size;
        Alignment = layout.Align;
        Native = (IntPtr)NativeMemory.AllocZeroed(96);
        var opsMemory = (uint*)NativeMemory.Alloc((nuint)(ops.Length * sizeof(uint)));
        ops.CopyTo(new Span<uint>(opsMemory, ops.Length));
        var name = Encoding.UTF8.GetBytes(schema.DdsTypeName + "\0");
        var nameMemory = (byte*)NativeMemory.Alloc((nuint)name.Length);
        name.CopyTo(new Span<byte>(nameMemory, name.Length));
        var meta = (byte*)NativeMemory.AllocZeroed(1);
        var d = (byte*)Native;
        *(uint*)(d + 0) = (uint)layout.Size;   // m_size
        *(uint*)(d + 4) = (uint)layout.Align;  // m_align
        *(uint*)(d + 8) = 0;                   // m_flagset: keyless, final, no type information
        *(uint*)(d + 12) = 0;                  // m_nkeys
        *(byte**)(d + 16) = nameMemory;        // m_typename
        *(void**)(d + 24) = null;              // m_keys
        *(uint*)(d + 32) = (uint)instructions; // m_nops counts instructions, not words
        *(uint**)(d + 40) = opsMemory;         // m_ops
        *(byte**)(d + 48) = meta;              // m_meta = ""
    }

    /// <summary>The schema this describes.</summary>
    public MessageSchema Schema { get; }

    /// <summary>The serialisation program, word by word, as idlc would print it.</summary>
    public IReadOnlyList<uint> Ops { get; }

    /// <summary><c>m_nops</c>: the number of instructions (a field op with its operands is one).</summary>
    public int InstructionCount { get; }

    /// <summary>sizeof and alignof of the C struct.</summary>
    public int Size { get; }
    public int Alignment { get; }

    /// <summary>The native <c>dds_topic_descriptor_t*</c>.</summary>
    internal IntPtr Native { get; }

    /// <summary>
    /// The interned descriptor for a schema: one per DDS type name and field list, so that a service half with its request
    /// header (<c>guid</c>, <c>seq</c>) and the same half without it never share a descriptor.
    /// </summary>
    public static TopicDescriptor For(MessageSchema schema) =>
        Interned.GetOrAdd($"{schema.DdsTypeName} {{{string.Join("; ", schema.Fields)}}}", _ => Build(schema));

    /// <summary>Builds a descriptor without interning it (tests compare it with idlc's output).</summary>
    public static TopicDescriptor Build(MessageSchema schema)
    {
        // Structs in the order idlc lays them out: the top-level type, then each nested type at its first reference.
        var order = new List<MessageSchema> { schema };
        for (var i = 0; i < order.Count; i++)
        {
            foreach (var field in order[i].Fields)
            {
                if (field.Type.Nested is { } nested && !order.Any(s => s.DdsTypeName == nested.DdsTypeName)) order.Add(nested);
            }
        }
        var layouts = new Dictionary<string, Layout>();
        var start = new Dictionary<string, int>();
        var words = 0;
        foreach (var s in order)
        {
            start[s.DdsTypeName] = words;
            words += s.Fields.Sum(f => OperandWords(f.Type)) + 1;
        }
        var ops = new List<uint>(words);
        var instructions = 0;
        foreach (var s in order)
        {
            var layout = LayoutOf(s, layouts);
            for (var f = 0; f < s.Fields.Count; f++)
            {
                var type = s.Fields[f].Type;
                var here = ops.Count;
                var offset = (uint)layout.Offsets[f];
                // Jumps are signed 16-bit word offsets from this instruction, below the instruction length (idlc: (len << 16) + jump).
                uint Jump(MessageSchema target) => (ushort)(short)(start[target.DdsTypeName] - here);
                var element = type.Element;
                switch (type.Collection)
                {
                    case CollectionKind.None when type.Nested is { } nested:
                        ops.AddRange([OpAdr | ValExt << 16, offset, (3u << 16) | Jump(nested)]);
                        break;
                    case CollectionKind.None when type.Primitive == PrimitiveKind.String && type.StringBound > 0:
                        ops.AddRange([OpAdr | ValBst << 16, offset, (uint)type.StringBound + 1]);
                        break;
                    case CollectionKind.None:
                        ops.AddRange([OpAdr | Primitive(type.Primitive!.Value) << 16 | Flags(type.Primitive.Value), offset]);
                        break;
                    case CollectionKind.Sequence or CollectionKind.BoundedSequence:
                    {
                        var bounded = type.Collection == CollectionKind.BoundedSequence;
                        var head = OpAdr | (bounded ? ValBsq : ValSeq) << 16 | SubtypeAndFlags(element);
                        ops.Add(head);
                        ops.Add(offset);
                        if (bounded) ops.Add((uint)type.Bound);
                        if (element.Nested is { } nested)
                        {
                            ops.Add((uint)LayoutOf(nested, layouts).Size);
                            ops.Add(((bounded ? 5u : 4u) << 16) | Jump(nested));
                        }
                        else if (IsBoundedString(element)) ops.Add((uint)element.StringBound + 1);
                        break;
                    }
                    case CollectionKind.Array:
                        ops.AddRange([OpAdr | ValArr << 16 | SubtypeAndFlags(element), offset, (uint)type.Bound]);
                        if (element.Nested is { } arrayed)
                        {
                            ops.Add((5u << 16) | Jump(arrayed));
                            ops.Add((uint)LayoutOf(arrayed, layouts).Size);
                        }
                        else if (IsBoundedString(element)) ops.AddRange([0u, (uint)element.StringBound + 1]);
                        break;
                }
                instructions++;
            }
            ops.Add(OpRts);
            instructions++;
        }
        return new TopicDescriptor(schema, [.. ops], instructions, LayoutOf(schema, layouts));
    }

    static bool IsBoundedString(FieldType element) => element.Primitive == PrimitiveKind.String && element.StringBound > 0;

    static uint SubtypeAndFlags(FieldType element) =>
        element.Nested is not null ? ValStu << 8
        : IsBoundedString(element) ? ValBst << 8
        : Primitive(element.Primitive!.Value) << 8 | Flags(element.Primitive.Value);

    static int OperandWords(FieldType type) => type.Collection switch
    {
        CollectionKind.None => type.Nested is not null || IsBoundedString(type) ? 3 : 2,
        CollectionKind.Sequence => type.Nested is not null ? 4 : IsBoundedString(type.Element) ? 3 : 2,
        CollectionKind.BoundedSequence => type.Nested is not null ? 5 : IsBoundedString(type.Element) ? 4 : 3,
        _ => type.Nested is not null || IsBoundedString(type.Element) ? 5 : 3,
    };

    static uint Primitive(PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Bool => ValBln,
        PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.Int8 or PrimitiveKind.UInt8 => Val1By,
        PrimitiveKind.Int16 or PrimitiveKind.UInt16 => Val2By,
        PrimitiveKind.Int32 or PrimitiveKind.UInt32 or PrimitiveKind.Float32 => Val4By,
        PrimitiveKind.Int64 or PrimitiveKind.UInt64 or PrimitiveKind.Float64 => Val8By,
        PrimitiveKind.String => ValStr,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    static uint Flags(PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Int8 or PrimitiveKind.Int16 or PrimitiveKind.Int32 or PrimitiveKind.Int64 => FlagSgn,
        PrimitiveKind.Float32 or PrimitiveKind.Float64 => FlagFp,
        _ => 0,
    };

    sealed record Layout(int Size, int Align, int[] Offsets);

    /// <summary>The C layout of the struct idlc generates for a schema (x86-64 SysV).</summary>
    static Layout LayoutOf(MessageSchema schema, Dictionary<string, Layout> cache)
    {
        if (cache.TryGetValue(schema.DdsTypeName, out var known)) return known;
        var offsets = new int[schema.Fields.Count];
        int offset = 0, align = 1;
        for (var i = 0; i < schema.Fields.Count; i++)
        {
            var (size, a) = SizeOf(schema.Fields[i].Type, cache);
            offset = (offset + a - 1) / a * a;
            offsets[i] = offset;
            offset += size;
            align = Math.Max(align, a);
        }
        var layout = new Layout((offset + align - 1) / align * align, align, offsets);
        cache[schema.DdsTypeName] = layout;
        return layout;
    }

    static (int Size, int Align) SizeOf(FieldType type, Dictionary<string, Layout> cache)
    {
        if (type.Collection is CollectionKind.Sequence or CollectionKind.BoundedSequence) return (24, 8);
        var (size, align) = type.Nested is { } nested ? (LayoutOf(nested, cache).Size, LayoutOf(nested, cache).Align)
            : type.Primitive == PrimitiveKind.String ? (type.StringBound > 0 ? (type.StringBound + 1, 1) : (8, 8))
            : Natural(type.Primitive!.Value);
        return type.Collection == CollectionKind.Array ? (size * type.Bound, align) : (size, align);
    }

    static (int, int) Natural(PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Bool or PrimitiveKind.Byte or PrimitiveKind.Char or PrimitiveKind.Int8 or PrimitiveKind.UInt8 => (1, 1),
        PrimitiveKind.Int16 or PrimitiveKind.UInt16 => (2, 2),
        PrimitiveKind.Int32 or PrimitiveKind.UInt32 or PrimitiveKind.Float32 => (4, 4),
        _ => (8, 8),
    };
}
