using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RlRobotics.Ros2.Messages.Cdr;

/// <summary>
/// Sequences (<c>T[]</c>, <c>T[&lt;=N]</c>) held in <see cref="List{T}"/>, as the typed messages keep them: the uint32 count,
/// then the elements. Reading resizes the list in place and reuses its elements, so a warm list allocates nothing.
/// </summary>
public static class CdrSequenceExtensions
{
    /// <summary>Writes a sequence of a primitive type (bool, byte, sbyte, short, ushort, int, uint, long, ulong, float, double).</summary>
    public static void WriteSequence<T>(this CdrWriter writer, List<T> values) where T : unmanaged
    {
        CheckPrimitive<T>();
        writer.WriteSequenceLength(values.Count);
        writer.WritePrimitives<T>(CollectionsMarshal.AsSpan(values));
    }

    /// <summary>Writes a sequence of strings.</summary>
    public static void WriteStrings(this CdrWriter writer, List<string> values)
    {
        writer.WriteSequenceLength(values.Count);
        foreach (var s in values) writer.WriteString(s);
    }

    /// <summary>Writes a sequence of nested messages.</summary>
    public static void WriteMessages<T>(this CdrWriter writer, List<T> values) where T : IRosMessage
    {
        writer.WriteSequenceLength(values.Count);
        foreach (var m in values) m.WriteTo(writer);
    }

    /// <summary>Reads a sequence of a primitive type into <paramref name="values"/>, resizing it.</summary>
    public static void ReadSequence<T>(this ref CdrReader reader, List<T> values) where T : unmanaged
    {
        CheckPrimitive<T>();
        var count = reader.ReadSequenceLength(Unsafe.SizeOf<T>());
        CollectionsMarshal.SetCount(values, count);
        reader.ReadPrimitives(CollectionsMarshal.AsSpan(values));
    }

    /// <summary>Reads a sequence of strings into <paramref name="values"/>, keeping the string objects whose text is unchanged.</summary>
    public static void ReadStrings(this ref CdrReader reader, List<string> values, int maxBytes = 0)
    {
        // A string takes at least 5 bytes: the length and the NUL.
        var count = reader.ReadSequenceLength(5);
        if (values.Count > count) values.RemoveRange(count, values.Count - count);
        for (var i = 0; i < count; i++)
        {
            if (i < values.Count) values[i] = reader.ReadString(values[i], maxBytes);
            else values.Add(reader.ReadString(null, maxBytes));
        }
    }

    /// <summary>Reads a sequence of nested messages into <paramref name="values"/>, reading into the existing elements first.</summary>
    public static void ReadMessages<T>(this ref CdrReader reader, List<T> values) where T : IRosMessage, new()
    {
        var count = reader.ReadSequenceLength(1);
        if (values.Count > count) values.RemoveRange(count, values.Count - count);
        for (var i = 0; i < count; i++)
        {
            if (i < values.Count)
            {
                values[i].ReadFrom(ref reader);
                continue;
            }
            var m = new T();
            m.ReadFrom(ref reader);
            values.Add(m);
        }
    }

    private static void CheckPrimitive<T>()
    {
        if (typeof(T) != typeof(bool) && typeof(T) != typeof(byte) && typeof(T) != typeof(sbyte) && typeof(T) != typeof(short) &&
            typeof(T) != typeof(ushort) && typeof(T) != typeof(int) && typeof(T) != typeof(uint) && typeof(T) != typeof(long) &&
            typeof(T) != typeof(ulong) && typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"{typeof(T)} is not a ROS 2 primitive type");
    }
}
