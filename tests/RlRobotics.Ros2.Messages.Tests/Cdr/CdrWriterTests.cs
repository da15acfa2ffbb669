using RlRobotics.Ros2.Messages.Cdr;
using static RlRobotics.Ros2.Messages.Tests.Bytes;

namespace RlRobotics.Ros2.Messages.Tests.Cdr;

public sealed class CdrWriterTests
{
    [Fact]
    public void NewAndResetWriterHoldsOnlyTheLittleEndianHeader()
    {
        var w = new CdrWriter();
        Assert.Equal(Hex("00 01 00 00"), w.Written.ToArray());
        w.WriteInt32(7);
        w.Reset();
        Assert.Equal(4, w.Length);
        Assert.Equal(0, w.Position);
        Assert.Equal(Hex("00 01 00 00"), w.Written.ToArray());
    }

    [Fact]
    public void EachPrimitiveAlignsToItsSizeFromTheByteAfterTheHeader()
    {
        var w = new CdrWriter();
        w.WriteUInt8(0xAA);   // @0
        w.WriteInt16(-2);     // pad 1, @2
        w.WriteBool(true);    // @4
        w.WriteUInt32(5);     // pad 3, @8
        w.WriteChar(0x41);    // @12
        w.WriteFloat64(1.0);  // pad 3 to 16 (payload), not to buffer 16
        w.WriteInt8(-1);      // @24
        w.WriteFloat32(2.0f); // pad 3, @28
        w.WriteUInt64(1);     // @32
        Assert.Equal(Hex(
            "00 01 00 00 " +
            "AA 00 FE FF 01 00 00 00 05 00 00 00 41 00 00 00 " +
            "00 00 00 00 00 00 F0 3F FF 00 00 00 00 00 00 40 " +
            "01 00 00 00 00 00 00 00"), w.Written.ToArray());
    }

    [Fact]
    public void PaddingIsZeroEvenWhenTheBufferHeldOtherBytes()
    {
        var w = new CdrWriter(16);
        for (var i = 0; i < 5; i++) w.WriteUInt32(0xFFFFFFFF);
        w.Reset();
        w.WriteUInt8(1);
        w.WriteFloat64(0);
        Assert.Equal(Hex("00 01 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"), w.Written.ToArray());
    }

    [Fact]
    public void StringIsLengthWithNulThenBytesThenNul()
    {
        var w = new CdrWriter();
        w.WriteString("hello");
        Assert.Equal(Hex("00 01 00 00 06 00 00 00 68 65 6c 6c 6f 00"), w.Written.ToArray());
    }

    [Fact]
    public void EmptyAndNullStringsAreALengthOfOneAndTheNul()
    {
        var w = new CdrWriter();
        w.WriteString("");
        w.WriteString((string?)null);
        Assert.Equal(Hex("00 01 00 00 01 00 00 00 00 00 00 00 01 00 00 00 00"), w.Written.ToArray());
    }

    [Fact]
    public void StringIsEncodedAsUtf8FromASpan()
    {
        var w = new CdrWriter();
        w.WriteString("xé€".AsSpan(1));
        Assert.Equal(Hex("00 01 00 00 06 00 00 00 C3 A9 E2 82 AC 00"), w.Written.ToArray());
    }

    [Fact]
    public void EmptyBulkWritesNothingNotEvenPadding()
    {
        var w = new CdrWriter();
        w.WriteUInt8(9);
        w.WriteSequenceLength(0); // pad 3, count @4
        w.WriteFloat64s([]);
        w.WriteUInt8(7);          // straight after the count: @8, no 8-alignment happened
        Assert.Equal(Hex("00 01 00 00 09 00 00 00 00 00 00 00 07"), w.Written.ToArray());
    }

    [Fact]
    public void BulkWritesAlignOnceThenPackElements()
    {
        var w = new CdrWriter();
        w.WriteSequenceLength(2);
        w.WriteFloat64s([1.0, 2.0]);
        w.WriteBools([true, false]);
        w.WriteInt16s([1, -1]);
        Assert.Equal(Hex("00 01 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 F0 3F 00 00 00 00 00 00 00 40 01 00 01 00 FF FF"),
            w.Written.ToArray());
    }

    [Fact]
    public void GrowsPastTheInitialCapacityKeepingContents()
    {
        var w = new CdrWriter(16);
        for (var i = 0; i < 1000; i++) w.WriteInt32(i);
        Assert.Equal(4 + 4000, w.Length);
        var r = new CdrReader(w.Written);
        for (var i = 0; i < 1000; i++) Assert.Equal(i, r.ReadInt32());
    }

    [Fact]
    public void BigEndianWriterMarksTheHeaderAndSwapsBytes()
    {
        var w = new CdrWriter(64, bigEndian: true);
        w.WriteUInt16(0x0102);
        w.WriteFloat64s([1.0]);
        Assert.Equal(Hex("00 00 00 00 01 02 00 00 00 00 00 00 3F F0 00 00 00 00 00 00"), w.Written.ToArray());
    }

    [Fact]
    public void SteadyStateWritingAllocatesNothing()
    {
        var w = new CdrWriter(16);
        double[] doubles = [1, 2, 3, 4, 5, 6];
        void WriteOnce()
        {
            w.Reset();
            w.WriteString("base_link");
            w.WriteString("日本".AsSpan());
            w.WriteSequenceLength(doubles.Length);
            w.WriteFloat64s(doubles);
            w.WriteBool(true);
            w.WriteInt64(42);
            w.WriteFloat32(1.5f);
        }
        for (var i = 0; i < 100; i++) WriteOnce();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) WriteOnce();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
