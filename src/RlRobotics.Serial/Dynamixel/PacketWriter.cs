namespace RlRobotics.Serial.Dynamixel;

/// <summary>
/// Builds Protocol 2.0 packets: <c>FF FF FD 00 | ID | LEN_L LEN_H | INST | params | CRC_L CRC_H</c>, with an extra
/// <c>FD</c> stuffed after every <c>FF FF FD</c> from the instruction to the last parameter, LEN counted after
/// stuffing, and the CRC over the stuffed bytes. Allocation-free: the caller owns the buffer.
/// </summary>
public static class PacketWriter
{
    /// <summary>Header, reserved byte, ID, LEN and CRC: a packet is its body plus this many bytes.</summary>
    public const int Overhead = 9;

    /// <summary>The largest packet a body of <paramref name="bodyLength"/> bytes can stuff into.</summary>
    public static int MaxSize(int bodyLength) => Overhead + bodyLength + bodyLength / 3 + 1;

    /// <summary>Writes an instruction packet into <paramref name="destination"/>; returns its length.</summary>
    public static int Instruction(Span<byte> destination, byte id, Instruction instruction, ReadOnlySpan<byte> parameters) =>
        Frame(destination, id, (byte)instruction, ReadOnlySpan<byte>.Empty, parameters);

    /// <summary>Writes a status packet (a device's reply) into <paramref name="destination"/>; returns its length.</summary>
    public static int Status(Span<byte> destination, byte id, byte error, ReadOnlySpan<byte> parameters) =>
        Frame(destination, id, (byte)Dynamixel.Instruction.Status, stackalloc byte[] { error }, parameters);

    private static int Frame(Span<byte> d, byte id, byte instruction, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> parameters)
    {
        if (d.Length < MaxSize(1 + prefix.Length + parameters.Length))
            throw new ArgumentException($"a packet with {parameters.Length} parameter bytes needs a buffer of {MaxSize(1 + prefix.Length + parameters.Length)} bytes, got {d.Length}");
        d[0] = 0xFF; d[1] = 0xFF; d[2] = 0xFD; d[3] = 0x00;
        d[4] = id;
        d[5] = 0; d[6] = 0;
        var p = 7;
        Append(d, ref p, instruction);
        foreach (var b in prefix) Append(d, ref p, b);
        foreach (var b in parameters) Append(d, ref p, b);
        var length = p - 7 + 2; // instruction … last parameter, plus the CRC
        d[5] = (byte)length;
        d[6] = (byte)(length >> 8);
        var crc = Crc16.Compute(d[..p]);
        d[p++] = (byte)crc;
        d[p++] = (byte)(crc >> 8);
        return p;
    }

    private static void Append(Span<byte> d, ref int p, byte b)
    {
        d[p] = b;
        p++;
        if (b == 0xFD && d[p - 2] == 0xFF && d[p - 3] == 0xFF) d[p++] = 0xFD;
    }
}
