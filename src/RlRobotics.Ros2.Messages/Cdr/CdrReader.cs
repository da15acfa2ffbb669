using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace RlRobotics.Ros2.Messages.Cdr;

/// <summary>
/// Decodes one XCDR1 sample: the 4-byte encapsulation header (<c>00 01</c> little-endian or <c>00 00</c> big-endian,
/// options ignored as rmw does), then fields aligned to their own size from the byte after the header. Every malformed
/// input throws <see cref="CdrException"/> naming the payload offset; bytes left after the message are allowed
/// (Cyclone pads samples to a multiple of 4).
/// </summary>
public ref struct CdrReader
{
    private readonly ReadOnlySpan<byte> _payload;
    private readonly bool _bigEndian;
    private int _position;

    /// <summary>Validates the encapsulation header of <paramref name="data"/> (a whole serialized sample).</summary>
    public CdrReader(ReadOnlySpan<byte> data)
    {
        if (data.Length < CdrWriter.HeaderSize)
            throw new CdrException(0, $"expected a 4-byte encapsulation header, but the sample has only {data.Length} bytes");
        // Bytes 0-1: representation id, big-endian on the wire (q_protocol.h): 0x0000 CDR_BE, 0x0001 CDR_LE.
        var id = (data[0] << 8) | data[1];
        _bigEndian = id switch
        {
            0x0000 => true,
            0x0001 => false,
            _ => throw new CdrException(0, $"expected representation id 00 00 (CDR_BE) or 00 01 (CDR_LE) in the header, found " +
                                           $"{data[0]:x2} {data[1]:x2}{DescribeId(id)}"),
        };
        _payload = data[CdrWriter.HeaderSize..];
        _position = 0;
    }

    /// <summary>Payload offset of the next byte to read (bytes after the header).</summary>
    public readonly int Position => _position;

    /// <summary>Payload bytes not yet read.</summary>
    public readonly int Remaining => _payload.Length - _position;

    /// <summary>True when the sample was written big-endian (header <c>00 00</c>).</summary>
    public readonly bool IsBigEndian => _bigEndian;

    public bool ReadBool()
    {
        var at = Take(1, 1, "bool");
        var b = _payload[at];
        // Cyclone's normalize_bool rejects anything but 0 and 1.
        if (b > 1) throw new CdrException(at, $"expected bool 0 or 1, found {b}");
        return b == 1;
    }

    public byte ReadByte() => _payload[Take(1, 1, "byte")];

    /// <summary>ROS 2 <c>char</c> is an unsigned 8-bit value.</summary>
    public byte ReadChar() => _payload[Take(1, 1, "char")];

    public sbyte ReadInt8() => (sbyte)_payload[Take(1, 1, "int8")];

    public byte ReadUInt8() => _payload[Take(1, 1, "uint8")];

    public short ReadInt16() => (short)ReadUInt16("int16");

    public ushort ReadUInt16() => ReadUInt16("uint16");

    public int ReadInt32() => (int)ReadUInt32("int32");

    public uint ReadUInt32() => ReadUInt32("uint32");

    public long ReadInt64() => (long)ReadUInt64("int64");

    public ulong ReadUInt64() => ReadUInt64("uint64");

    public float ReadFloat32() => BitConverter.UInt32BitsToSingle(ReadUInt32("float32"));

    public double ReadFloat64() => BitConverter.UInt64BitsToDouble(ReadUInt64("float64"));

    /// <summary>Reads a string (uint32 length including the NUL, UTF-8 bytes, NUL).</summary>
    public string ReadString() => ReadString(null, 0);

    /// <summary>
    /// Reads a string; returns <paramref name="current"/> itself when the text is unchanged, so reading into a reused message
    /// allocates only for strings that changed. <paramref name="maxBytes"/> &gt; 0 enforces a <c>string&lt;=N</c> bound.
    /// </summary>
    public string ReadString(string? current, int maxBytes = 0)
    {
        var text = ReadStringBytes(maxBytes);
        if (current is not null && Utf8Equals(text, current)) return current;
        return text.IsEmpty ? string.Empty : Encoding.UTF8.GetString(text);
    }

    /// <summary>
    /// Reads the uint32 count of a sequence. Rejects a count whose elements, at <paramref name="minElementSize"/> bytes each,
    /// cannot fit in the remaining payload, so a hostile count never causes a large allocation.
    /// </summary>
    public int ReadSequenceLength(int minElementSize = 1)
    {
        var count = ReadUInt32("sequence count");
        var at = _position - 4;
        if ((long)count * Math.Max(minElementSize, 1) > Remaining)
            throw new CdrException(at, $"sequence count {count} needs at least {(long)count * Math.Max(minElementSize, 1)} more bytes " +
                                       $"({minElementSize} per element), but only {Remaining} remain");
        return (int)count;
    }

    // Bulk readers fill the whole destination (a fixed array, or the elements after ReadSequenceLength). Empty reads nothing,
    // not even alignment padding, mirroring the writer.

    public void ReadBools(Span<bool> destination)
    {
        if (destination.IsEmpty) return;
        var at = Take(1, destination.Length, "bool array elements");
        for (var i = 0; i < destination.Length; i++)
        {
            var b = _payload[at + i];
            if (b > 1) throw new CdrException(at + i, $"expected bool 0 or 1, found {b}");
            destination[i] = b == 1;
        }
    }

    public void ReadBytes(Span<byte> destination) => ReadPrimitives(destination);

    public void ReadInt8s(Span<sbyte> destination) => ReadPrimitives(destination);

    public void ReadInt16s(Span<short> destination) => ReadPrimitives(destination);

    public void ReadUInt16s(Span<ushort> destination) => ReadPrimitives(destination);

    public void ReadInt32s(Span<int> destination) => ReadPrimitives(destination);

    public void ReadUInt32s(Span<uint> destination) => ReadPrimitives(destination);

    public void ReadInt64s(Span<long> destination) => ReadPrimitives(destination);

    public void ReadUInt64s(Span<ulong> destination) => ReadPrimitives(destination);

    public void ReadFloat32s(Span<float> destination) => ReadPrimitives(destination);

    public void ReadFloat64s(Span<double> destination) => ReadPrimitives(destination);

    /// <summary>Elements of a primitive type, aligned to the element size; bools are validated.</summary>
    internal void ReadPrimitives<T>(Span<T> destination) where T : unmanaged
    {
        if (typeof(T) == typeof(bool))
        {
            ReadBools(MemoryMarshal.Cast<T, bool>(destination));
            return;
        }
        if (destination.IsEmpty) return;
        var size = Unsafe.SizeOf<T>();
        var bytes = MemoryMarshal.AsBytes(destination);
        var at = Take(size, bytes.Length, "array elements");
        _payload.Slice(at, bytes.Length).CopyTo(bytes);
        if (BitConverter.IsLittleEndian != _bigEndian || size == 1) return;
        switch (size)
        {
            case 2: var s = MemoryMarshal.Cast<T, ushort>(destination); BinaryPrimitives.ReverseEndianness(s, s); break;
            case 4: var u = MemoryMarshal.Cast<T, uint>(destination); BinaryPrimitives.ReverseEndianness(u, u); break;
            default: var l = MemoryMarshal.Cast<T, ulong>(destination); BinaryPrimitives.ReverseEndianness(l, l); break;
        }
    }

    /// <summary>Reads a string and returns its UTF-8 bytes without the NUL, validated.</summary>
    internal ReadOnlySpan<byte> ReadStringBytes(int maxBytes)
    {
        var length = ReadUInt32("string length");
        var at = _position - 4;
        // normalize_string: the length counts the NUL, so 0 is invalid, and the last byte must be the NUL.
        if (length == 0) throw new CdrException(at, "expected a string length of at least 1 (it counts the NUL terminator), found 0");
        if (length > Remaining)
            throw new CdrException(at, $"string length {length} runs past the end of the payload ({Remaining} bytes remain)");
        var bytes = _payload.Slice(_position, (int)length);
        if (bytes[^1] != 0)
            throw new CdrException(_position + (int)length - 1, $"expected the NUL terminator of a {length}-byte string, found 0x{bytes[^1]:x2}");
        var text = bytes[..^1];
        if (maxBytes > 0 && text.Length > maxBytes)
            throw new CdrException(at, $"expected a string of at most {maxBytes} bytes (string<={maxBytes}), found {text.Length}");
        if (!Utf8.IsValid(text)) throw new CdrException(_position, $"expected valid UTF-8 in a {text.Length}-byte string");
        _position += (int)length;
        return text;
    }

    private ushort ReadUInt16(string what)
    {
        var span = _payload.Slice(Take(2, 2, what), 2);
        return _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);
    }

    private uint ReadUInt32(string what)
    {
        var span = _payload.Slice(Take(4, 4, what), 4);
        return _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
    }

    // XCDR1: 8-byte types align to 8 (ddsi_cdrstream.c read_and_normalize_uint64).
    private ulong ReadUInt64(string what)
    {
        var span = _payload.Slice(Take(8, 8, what), 8);
        return _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(span) : BinaryPrimitives.ReadUInt64LittleEndian(span);
    }

    /// <summary>Skips padding to <paramref name="alignment"/>, claims <paramref name="size"/> bytes and returns their payload offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Take(int alignment, int size, string what)
    {
        var at = _position + (-_position & (alignment - 1));
        if ((long)at + size > _payload.Length) throw Truncated(at, size, what);
        _position = at + size;
        return at;
    }

    private readonly CdrException Truncated(int at, int size, string what) =>
        new(Math.Min(at, _payload.Length), $"expected {what} ({size} bytes), but the payload ends at {_payload.Length}");

    private static string DescribeId(int id) => id switch
    {
        0x0002 or 0x0003 => " (PL_CDR, parameter lists are not used by ROS 2)",
        >= 0x0006 and <= 0x000b => " (XCDR2; ROS 2 over rmw_cyclonedds uses XCDR1)",
        _ => "",
    };

    /// <summary>Compares UTF-8 bytes with a string without allocating for ASCII or short text.</summary>
    private static bool Utf8Equals(ReadOnlySpan<byte> utf8, string s)
    {
        if (utf8.Length < s.Length) return false; // UTF-8 never has fewer bytes than UTF-16 code units
        if (utf8.Length == s.Length)
        {
            for (var i = 0; i < utf8.Length; i++)
                if (utf8[i] != s[i]) return false; // a non-ASCII byte here decodes to fewer chars than s has
            return true;
        }
        return FullCompare(utf8, s);
    }

    private static bool FullCompare(ReadOnlySpan<byte> utf8, string s)
    {
        if (utf8.Length > 1024) return false; // long non-ASCII text: let the caller decode a new string
        Span<char> chars = stackalloc char[utf8.Length];
        var n = Encoding.UTF8.GetChars(utf8, chars);
        return chars[..n].SequenceEqual(s);
    }
}
