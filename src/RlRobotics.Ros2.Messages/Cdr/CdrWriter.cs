using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace RlRobotics.Ros2.Messages.Cdr;

/// <summary>
/// Serializes one ROS 2 message as XCDR1, the way rmw_cyclonedds does: a 4-byte encapsulation header
/// <c>00 01 00 00</c> (CDR_LE, options 0), then the fields, each primitive aligned to its own size measured from the byte
/// after the header, 8-byte types to 8, padding bytes 0. The buffer grows as needed and is kept across
/// <see cref="Reset"/>, so once it has reached the size of the largest message, writing allocates nothing.
/// </summary>
public sealed class CdrWriter
{
    /// <summary>The encapsulation header size; alignment is measured from the byte after it.</summary>
    public const int HeaderSize = 4;

    private readonly bool _bigEndian;
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with <paramref name="initialCapacity"/> bytes of buffer, header already written.</summary>
    public CdrWriter(int initialCapacity = 256) : this(initialCapacity, bigEndian: false)
    {
    }

    // Big-endian output (header 00 00) exists so tests can prove the reader handles both byte orders; rmw never sends it
    // from a little-endian host.
    internal CdrWriter(int initialCapacity, bool bigEndian)
    {
        _bigEndian = bigEndian;
        _buffer = new byte[Math.Max(initialCapacity, 16)];
        Reset();
    }

    /// <summary>Bytes written so far, header included.</summary>
    public int Length => _length;

    /// <summary>The payload offset the next byte goes to (bytes after the header).</summary>
    public int Position => _length - HeaderSize;

    /// <summary>The serialized message, header included; valid until the next write or <see cref="Reset"/>.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>The underlying buffer; the message is its first <see cref="Length"/> bytes. Replaced when the writer grows.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>Starts a new message: clears the contents and writes the encapsulation header.</summary>
    public void Reset()
    {
        // Representation id is big-endian on the wire: 00 01 = CDR_LE, 00 00 = CDR_BE; options 00 00.
        _buffer[0] = 0;
        _buffer[1] = _bigEndian ? (byte)0 : (byte)1;
        _buffer[2] = 0;
        _buffer[3] = 0;
        _length = HeaderSize;
    }

    public void WriteBool(bool value) => WriteUInt8(value ? (byte)1 : (byte)0);

    public void WriteByte(byte value) => WriteUInt8(value);

    /// <summary>ROS 2 <c>char</c> is an unsigned 8-bit value.</summary>
    public void WriteChar(byte value) => WriteUInt8(value);

    public void WriteInt8(sbyte value) => WriteUInt8((byte)value);

    public void WriteUInt8(byte value)
    {
        var at = Reserve(1, 1);
        _buffer[at] = value;
    }

    public void WriteInt16(short value) => WriteUInt16((ushort)value);

    public void WriteUInt16(ushort value)
    {
        var at = Reserve(2, 2);
        var span = _buffer.AsSpan(at, 2);
        if (_bigEndian) BinaryPrimitives.WriteUInt16BigEndian(span, value);
        else BinaryPrimitives.WriteUInt16LittleEndian(span, value);
    }

    public void WriteInt32(int value) => WriteUInt32((uint)value);

    public void WriteUInt32(uint value)
    {
        var at = Reserve(4, 4);
        var span = _buffer.AsSpan(at, 4);
        if (_bigEndian) BinaryPrimitives.WriteUInt32BigEndian(span, value);
        else BinaryPrimitives.WriteUInt32LittleEndian(span, value);
    }

    public void WriteInt64(long value) => WriteUInt64((ulong)value);

    /// <summary>XCDR1 aligns 8-byte types to 8 (XCDR2 would use 4).</summary>
    public void WriteUInt64(ulong value)
    {
        var at = Reserve(8, 8);
        var span = _buffer.AsSpan(at, 8);
        if (_bigEndian) BinaryPrimitives.WriteUInt64BigEndian(span, value);
        else BinaryPrimitives.WriteUInt64LittleEndian(span, value);
    }

    public void WriteFloat32(float value) => WriteUInt32(BitConverter.SingleToUInt32Bits(value));

    public void WriteFloat64(double value) => WriteUInt64(BitConverter.DoubleToUInt64Bits(value));

    /// <summary>Writes a string: uint32 length including the NUL, the UTF-8 bytes, then 0x00. Null is written as "".</summary>
    public void WriteString(string? value) => WriteString(value.AsSpan());

    /// <summary>Writes a string from characters, encoding UTF-8 straight into the buffer.</summary>
    public void WriteString(ReadOnlySpan<char> value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        var at = Reserve(4, 4 + byteCount + 1);
        var span = _buffer.AsSpan(at);
        if (_bigEndian) BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(byteCount + 1));
        else BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)(byteCount + 1));
        Encoding.UTF8.GetBytes(value, span.Slice(4, byteCount));
        span[4 + byteCount] = 0;
    }

    /// <summary>Writes the uint32 element count of a sequence <c>T[]</c> or <c>T[&lt;=N]</c>; the elements follow.</summary>
    public void WriteSequenceLength(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        WriteUInt32((uint)count);
    }

    // The bulk writers write elements only (a fixed array, or the elements after WriteSequenceLength). Empty writes nothing,
    // not even alignment padding (rmw serialize_many: "nothing to do; not even alignment").

    public void WriteBools(ReadOnlySpan<bool> values)
    {
        if (values.IsEmpty) return;
        var at = Reserve(1, values.Length);
        var span = _buffer.AsSpan(at, values.Length);
        for (var i = 0; i < values.Length; i++) span[i] = values[i] ? (byte)1 : (byte)0;
    }

    public void WriteBytes(ReadOnlySpan<byte> values) => WritePrimitives(values);

    public void WriteInt8s(ReadOnlySpan<sbyte> values) => WritePrimitives(values);

    public void WriteInt16s(ReadOnlySpan<short> values) => WritePrimitives(values);

    public void WriteUInt16s(ReadOnlySpan<ushort> values) => WritePrimitives(values);

    public void WriteInt32s(ReadOnlySpan<int> values) => WritePrimitives(values);

    public void WriteUInt32s(ReadOnlySpan<uint> values) => WritePrimitives(values);

    public void WriteInt64s(ReadOnlySpan<long> values) => WritePrimitives(values);

    public void WriteUInt64s(ReadOnlySpan<ulong> values) => WritePrimitives(values);

    public void WriteFloat32s(ReadOnlySpan<float> values) => WritePrimitives(values);

    public void WriteFloat64s(ReadOnlySpan<double> values) => WritePrimitives(values);

    /// <summary>Elements of a numeric primitive type, aligned to the element size. Bools go through <see cref="WriteBools"/>.</summary>
    internal void WritePrimitives<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        if (typeof(T) == typeof(bool))
        {
            WriteBools(MemoryMarshal.Cast<T, bool>(values));
            return;
        }
        if (values.IsEmpty) return;
        var size = Unsafe.SizeOf<T>();
        var bytes = MemoryMarshal.AsBytes(values);
        var at = Reserve(size, bytes.Length);
        var dest = _buffer.AsSpan(at, bytes.Length);
        if (BitConverter.IsLittleEndian != _bigEndian || size == 1)
        {
            bytes.CopyTo(dest);
            return;
        }
        switch (size)
        {
            case 2: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<T, ushort>(values), MemoryMarshal.Cast<byte, ushort>(dest)); break;
            case 4: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<T, uint>(values), MemoryMarshal.Cast<byte, uint>(dest)); break;
            default: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<T, ulong>(values), MemoryMarshal.Cast<byte, ulong>(dest)); break;
        }
    }

    // Callers must call Reserve before touching _buffer: it may replace the array.
    /// <summary>Pads with zeros to <paramref name="alignment"/> (payload-relative), makes room for <paramref name="size"/> bytes and returns their buffer offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Reserve(int alignment, int size)
    {
        var pad = -(_length - HeaderSize) & (alignment - 1);
        var end = _length + pad + size;
        if (end > _buffer.Length) Grow(end);
        if (pad != 0) _buffer.AsSpan(_length, pad).Clear();
        var at = _length + pad;
        _length = end;
        return at;
    }

    private void Grow(int needed)
    {
        var next = new byte[Math.Max(needed, _buffer.Length * 2)];
        _buffer.AsSpan(0, _length).CopyTo(next);
        _buffer = next;
    }
}
