namespace RlRobotics.Serial.Dynamixel;

/// <summary>
/// Protocol 2.0's CRC-16: polynomial 0x8005, initial value 0, MSB first, no reflection, no final XOR
/// (CRC-16/BUYPASS; the check value of "123456789" is 0xFEE8). Sent low byte first.
/// </summary>
public static class Crc16
{
    private static readonly ushort[] Table = Build();

    private static ushort[] Build()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++) crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x8005) : (ushort)(crc << 1);
            table[i] = crc;
        }
        return table;
    }

    /// <summary>The CRC of <paramref name="data"/>, continuing from <paramref name="crc"/>.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data, ushort crc = 0)
    {
        foreach (var b in data) crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        return crc;
    }
}
