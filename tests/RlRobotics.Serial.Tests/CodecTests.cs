using System.Text;
using RlRobotics.Serial.Dynamixel;

namespace RlRobotics.Serial.Tests;

public sealed class CodecTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Fact]
    public void CrcIsBuypassWithItsCheckValue() =>
        Assert.Equal(0xFEE8, Crc16.Compute(Encoding.ASCII.GetBytes("123456789")));

    // The e-manual's packets (every CRC re-verified in shared/reference/hal-serial-servos.md §3.2).
    [Theory]
    [InlineData("FF FF FD 00 01 03 00 01 19 4E")]
    [InlineData("FF FF FD 00 FE 03 00 01 31 42")]
    [InlineData("FF FF FD 00 01 07 00 02 84 00 04 00 1D 15")]
    [InlineData("FF FF FD 00 01 08 00 55 00 A6 00 00 00 8C C0")]
    [InlineData("FF FF FD 00 01 09 00 03 74 00 00 02 00 00 CA 89")]
    [InlineData("FF FF FD 00 01 04 00 55 00 A1 0C")]
    [InlineData("FF FF FD 00 FE 09 00 82 84 00 04 00 01 02 CE FA")]
    public void PublishedTestVectorsHaveTheirCrc(string packet)
    {
        var bytes = Hex(packet);
        var crc = Crc16.Compute(bytes.AsSpan(0, bytes.Length - 2));
        Assert.Equal(bytes[^2] | bytes[^1] << 8, crc);
    }

    [Fact]
    public void WriterReproducesThePublishedInstructionsAndStatuses()
    {
        var buffer = new byte[64];
        Assert.Equal(Hex("FF FF FD 00 01 03 00 01 19 4E"), buffer[..PacketWriter.Instruction(buffer, 1, Instruction.Ping, [])]);
        Assert.Equal(Hex("FF FF FD 00 FE 03 00 01 31 42"), buffer[..PacketWriter.Instruction(buffer, 0xFE, Instruction.Ping, [])]);
        Assert.Equal(Hex("FF FF FD 00 01 07 00 02 84 00 04 00 1D 15"), buffer[..PacketWriter.Instruction(buffer, 1, Instruction.Read, [0x84, 0, 4, 0])]);
        Assert.Equal(Hex("FF FF FD 00 01 09 00 03 74 00 00 02 00 00 CA 89"), buffer[..PacketWriter.Instruction(buffer, 1, Instruction.Write, [0x74, 0, 0, 2, 0, 0])]);
        Assert.Equal(Hex("FF FF FD 00 FE 09 00 82 84 00 04 00 01 02 CE FA"), buffer[..PacketWriter.Instruction(buffer, 0xFE, Instruction.SyncRead, [0x84, 0, 4, 0, 1, 2])]);
        Assert.Equal(Hex("FF FF FD 00 01 08 00 55 00 A6 00 00 00 8C C0"), buffer[..PacketWriter.Status(buffer, 1, 0, [0xA6, 0, 0, 0])]);
        Assert.Equal(Hex("FF FF FD 00 01 04 00 55 00 A1 0C"), buffer[..PacketWriter.Status(buffer, 1, 0, [])]);
    }

    [Fact]
    public void ReaderDecodesThePublishedReply()
    {
        var reader = new PacketReader();
        reader.Append(Hex("FF FF FD 00 01 08 00 55 00 A6 00 00 00 8C C0"));
        Assert.Equal(ReadOutcome.Packet, reader.TryRead());
        var p = reader.Current;
        Assert.True(p.IsStatus);
        Assert.Equal(1, p.Id);
        Assert.Equal(0, p.Error);
        Assert.Equal(166, ControlTable.Decode(p.StatusParameters, true));
        Assert.Equal(ReadOutcome.NeedMore, reader.TryRead());
    }

    [Fact]
    public void StuffingInsertsFdAfterEveryHeaderPatternAndTheReaderRemovesIt()
    {
        byte[] data = [0xFF, 0xFF, 0xFD, 0x01, 0xFF, 0xFF, 0xFD, 0xFD, 0xFF, 0xFF, 0xFD];
        var buffer = new byte[64];
        var n = PacketWriter.Instruction(buffer, 3, Instruction.Write, data);
        var wire = buffer.AsSpan(0, n);
        // Three patterns in the parameters, so three stuffed bytes, and LEN counts them.
        Assert.Equal(9 + 1 + data.Length + 3, n);
        Assert.Equal(1 + data.Length + 3 + 2, wire[5] | wire[6] << 8);
        Assert.Equal(3, CountPattern(wire[8..^2], [0xFF, 0xFF, 0xFD, 0xFD]));
        var reader = new PacketReader();
        reader.Append(wire);
        Assert.Equal(ReadOutcome.Packet, reader.TryRead());
        Assert.Equal(data, reader.Current.Body.ToArray());
    }

    private static int CountPattern(ReadOnlySpan<byte> s, ReadOnlySpan<byte> pattern)
    {
        var count = 0;
        for (var i = 0; i + pattern.Length <= s.Length; i++) if (s.Slice(i, pattern.Length).SequenceEqual(pattern)) count++;
        return count;
    }

    [Fact]
    public void ReaderFindsPacketsAcrossNoiseSplitsAndACorruptedFrame()
    {
        var buffer = new byte[64];
        var good = buffer[..PacketWriter.Status(buffer, 7, 0, [1, 2, 3])];
        var bad = (byte[])good.Clone();
        bad[9] ^= 0x10;
        var stream = new List<byte> { 0x00, 0xFF, 0xFF, 0x13 };
        stream.AddRange(bad);
        stream.AddRange([0xFF, 0xFF, 0xFD]);
        stream.AddRange(good);
        var reader = new PacketReader();
        var outcomes = new List<ReadOutcome>();
        var packets = new List<byte[]>();
        foreach (var b in stream)
        {
            reader.Append([b]);
            ReadOutcome o;
            while ((o = reader.TryRead()) != ReadOutcome.NeedMore)
            {
                outcomes.Add(o);
                if (o == ReadOutcome.Packet) packets.Add(reader.Current.Body.ToArray());
            }
        }
        Assert.Equal([ReadOutcome.CrcError, ReadOutcome.Packet], outcomes);
        Assert.Equal([0, 1, 2, 3], Assert.Single(packets));
        Assert.Equal(1, reader.CrcErrors);
    }

    [Fact]
    public void ImpossibleLengthsAreSkippedWithoutWaiting()
    {
        var reader = new PacketReader(maxLength: 64);
        var buffer = new byte[64];
        reader.Append([0xFF, 0xFF, 0xFD, 0x00, 0x01, 0xFF, 0x7F, 0x55]); // LEN 32767
        reader.Append(buffer.AsSpan(0, PacketWriter.Status(buffer, 2, 0, [9])));
        Assert.Equal(ReadOutcome.Packet, reader.TryRead());
        Assert.Equal(2, reader.Current.Id);
    }

    [Fact]
    public void ServoScaleRoundTripsAndFollowsDirection()
    {
        var forward = new ServoScale(ServoModels.XM430W350, 1, 0.1, 2048);
        var reverse = forward with { Direction = -1 };
        Assert.Equal(2048, forward.PositionTicks(0.1));
        Assert.Equal(2048 + 1024, forward.PositionTicks(0.1 + Math.PI / 2));
        Assert.Equal(2048 - 1024, reverse.PositionTicks(0.1 + Math.PI / 2));
        Assert.Equal(0.1 + Math.PI / 2, forward.Position_rad(3072), 12);
        Assert.Equal(1 * 0.229 * 2 * Math.PI / 60, forward.Velocity_radps(1), 12);
        Assert.Equal(-forward.Velocity_radps(10), reverse.Velocity_radps(10), 12);
        Assert.Equal(100 * 0.00269 * 1.78, forward.Effort_Nm(100), 12);
        Assert.Equal(-100, reverse.CurrentUnits(forward.Effort_Nm(100)));
    }
}
