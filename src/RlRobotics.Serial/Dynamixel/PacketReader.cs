namespace RlRobotics.Serial.Dynamixel;

/// <summary>What <see cref="PacketReader.TryRead"/> found.</summary>
public enum ReadOutcome
{
    /// <summary>No complete packet yet; append more bytes.</summary>
    NeedMore,
    /// <summary>A packet with a valid CRC; see <see cref="PacketReader.Current"/>.</summary>
    Packet,
    /// <summary>A frame whose CRC did not match was dropped (the reader resynchronises on the next header).</summary>
    CrcError,
}

/// <summary>One received packet, unstuffed. Valid until the reader is used again.</summary>
public readonly ref struct Packet
{
    public Packet(byte id, byte instruction, ReadOnlySpan<byte> body)
    {
        Id = id;
        Instruction = instruction;
        Body = body;
    }

    public byte Id { get; }

    /// <summary>The instruction byte; <c>0x55</c> for a status packet.</summary>
    public byte Instruction { get; }

    /// <summary>Everything between the instruction byte and the CRC, unstuffed.</summary>
    public ReadOnlySpan<byte> Body { get; }

    public bool IsStatus => Instruction == (byte)Dynamixel.Instruction.Status;

    /// <summary>A status packet's error byte.</summary>
    public byte Error => Body.Length > 0 ? Body[0] : (byte)0;

    /// <summary>A status packet's parameters (after the error byte).</summary>
    public ReadOnlySpan<byte> StatusParameters => Body.Length > 0 ? Body[1..] : ReadOnlySpan<byte>.Empty;
}

/// <summary>
/// Finds Protocol 2.0 packets in a byte stream that may hold noise, partial frames and corrupted frames. It looks
/// for <c>FF FF FD 00</c>, checks the ID (not 0xFD or 0xFF), the instruction (a known code) and LEN (at most the
/// largest packet it accepts), waits for LEN + 7 bytes, checks the CRC
/// over the stuffed bytes, and only then unstuffs the body. After a bad CRC it moves on by one byte, so a valid
/// packet hidden behind a corrupted header is still found. Never throws on input; never allocates after construction.
/// </summary>
public sealed class PacketReader
{
    private readonly byte[] _buffer;
    private readonly byte[] _body;
    private readonly int _maxLength;
    private int _start, _end;
    private int _bodyLength;
    private byte _id, _instruction;

    /// <param name="maxLength">The largest LEN accepted (instruction + parameters + CRC, after stuffing); longer ones are noise.</param>
    public PacketReader(int maxLength = 1024)
    {
        if (maxLength < 4) throw new ArgumentOutOfRangeException(nameof(maxLength));
        _maxLength = maxLength;
        _buffer = new byte[4 * (maxLength + 7)];
        _body = new byte[maxLength];
    }

    /// <summary>Frames dropped for a CRC mismatch since construction.</summary>
    public long CrcErrors { get; private set; }

    /// <summary>Bytes skipped while looking for a header (noise, truncated or corrupted frames).</summary>
    public long DiscardedBytes { get; private set; }

    /// <summary>Bytes buffered and not yet consumed.</summary>
    public int Buffered => _end - _start;

    /// <summary>The packet found by the last <see cref="TryRead"/> that returned <see cref="ReadOutcome.Packet"/>.</summary>
    public Packet Current => new(_id, _instruction, _body.AsSpan(0, _bodyLength));

    /// <summary>Drops everything buffered (before a new transaction).</summary>
    public void Clear()
    {
        _start = _end = 0;
    }

    /// <summary>Free space to read bytes into; then call <see cref="Commit"/>.</summary>
    public Span<byte> WritableSpan
    {
        get
        {
            Compact();
            return _buffer.AsSpan(_end);
        }
    }

    /// <summary>Marks <paramref name="count"/> bytes written into <see cref="WritableSpan"/> as received.</summary>
    public void Commit(int count) => _end += count;

    /// <summary>Appends received bytes (as many as fit; returns how many were taken).</summary>
    public int Append(ReadOnlySpan<byte> data)
    {
        var space = WritableSpan;
        var n = Math.Min(space.Length, data.Length);
        data[..n].CopyTo(space);
        _end += n;
        return n;
    }

    private void Compact()
    {
        if (_start == 0) return;
        if (_end - _start > 0 && _end < _buffer.Length / 2) return;
        _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
        _end -= _start;
        _start = 0;
        if (_end == _buffer.Length)
        {
            // Full of one undecidable frame: cannot happen with LEN bounded, but never wedge.
            DiscardedBytes += _end;
            _start = _end = 0;
        }
    }

    /// <summary>Looks for the next packet in what has been appended.</summary>
    public ReadOutcome TryRead()
    {
        while (true)
        {
            var data = _buffer.AsSpan(_start, _end - _start);
            var h = IndexOfHeader(data);
            if (h < 0)
            {
                // Keep a possible partial header at the end.
                var keep = Math.Min(data.Length, 3);
                DiscardedBytes += data.Length - keep;
                _start = _end - keep;
                return ReadOutcome.NeedMore;
            }
            DiscardedBytes += h;
            _start += h;
            data = data[h..];
            if (data.Length < 8) return ReadOutcome.NeedMore;
            var length = data[5] | (data[6] << 8);
            if (length < 3 || length > _maxLength || data[4] is 0xFD or 0xFF || !KnownInstruction(data[7]))
            {
                Skip(1);
                continue;
            }
            var total = length + 7;
            if (data.Length < total) return ReadOutcome.NeedMore;
            var crc = (ushort)(data[total - 2] | (data[total - 1] << 8));
            if (Crc16.Compute(data[..(total - 2)]) != crc)
            {
                CrcErrors++;
                Skip(1);
                return ReadOutcome.CrcError;
            }
            _id = data[4];
            _instruction = data[7];
            _bodyLength = Unstuff(data[..(total - 2)], _body);
            _start += total;
            return ReadOutcome.Packet;
        }
    }

    private void Skip(int n)
    {
        _start += n;
        DiscardedBytes += n;
    }

    // Instruction codes of Protocol 2.0 (0x9A is fast bulk read); anything else is noise behind a chance header.
    private static bool KnownInstruction(byte code) => code is 0x01 or 0x02 or 0x03 or 0x04 or 0x05 or 0x06 or 0x08 or 0x10
        or 0x55 or 0x82 or 0x83 or 0x8A or 0x92 or 0x93 or 0x9A;

    private static int IndexOfHeader(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> header = [0xFF, 0xFF, 0xFD, 0x00];
        var i = data.IndexOf(header);
        if (i >= 0) return i;
        // A header cut off at the end: keep from its start.
        for (var k = Math.Max(0, data.Length - 3); k < data.Length; k++)
            if (header.StartsWith(data[k..])) return k;
        return -1;
    }

    // Copies bytes 8 … end into body, dropping each FD stuffed after an FF FF FD (the writer's rule, reversed).
    private static int Unstuff(ReadOnlySpan<byte> s, Span<byte> body)
    {
        var n = 0;
        for (var i = 8; i < s.Length; i++)
        {
            if (s[i] == 0xFD && s[i - 1] == 0xFD && s[i - 2] == 0xFF && s[i - 3] == 0xFF) continue;
            body[n++] = s[i];
        }
        return n;
    }
}
