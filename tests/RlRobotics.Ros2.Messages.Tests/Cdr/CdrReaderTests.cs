using RlRobotics.Ros2.Messages.Cdr;
using static RlRobotics.Ros2.Messages.Tests.Bytes;

namespace RlRobotics.Ros2.Messages.Tests.Cdr;

public sealed class CdrReaderTests
{
    private static CdrException Fails(byte[] data, ReadAction read)
    {
        try
        {
            var r = new CdrReader(data);
            read(ref r);
        }
        catch (CdrException e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException("expected a CdrException");
    }

    private delegate void ReadAction(ref CdrReader reader);

    [Fact]
    public void ReadsWhatTheWriterWrote()
    {
        var w = new CdrWriter();
        w.WriteUInt8(1);
        w.WriteFloat64(-2.5);
        w.WriteString("héllo");
        w.WriteBool(true);
        w.WriteInt16(-300);
        w.WriteUInt64(ulong.MaxValue);
        w.WriteSequenceLength(3);
        w.WriteInt32s([1, -2, 3]);
        var r = new CdrReader(w.Written);
        Assert.Equal(1, r.ReadUInt8());
        Assert.Equal(-2.5, r.ReadFloat64());
        Assert.Equal("héllo", r.ReadString());
        Assert.True(r.ReadBool());
        Assert.Equal(-300, r.ReadInt16());
        Assert.Equal(ulong.MaxValue, r.ReadUInt64());
        var ints = new int[r.ReadSequenceLength(4)];
        r.ReadInt32s(ints);
        Assert.Equal([1, -2, 3], ints);
        Assert.Equal(0, r.Remaining);
    }

    [Fact]
    public void BigEndianSamplesDecodeToTheSameValues()
    {
        var data = Hex("00 00 00 00 00 00 00 06 68 65 6c 6c 6f 00 00 00 00 00 00 00 3F F0 00 00 00 00 00 00 FF FE");
        var r = new CdrReader(data);
        Assert.True(r.IsBigEndian);
        Assert.Equal("hello", r.ReadString());
        Assert.Equal(1.0, r.ReadFloat64());
        Assert.Equal(-2, r.ReadInt16());
    }

    [Fact]
    public void OptionsBytesAreIgnoredAndTrailingPaddingIsAllowed()
    {
        // Cyclone's own writer: options 00 02 (two pad bytes) and the pad at the end.
        var r = new CdrReader(Hex("00 01 00 02 06 00 00 00 68 65 6c 6c 6f 00 00 00"));
        Assert.Equal("hello", r.ReadString());
        Assert.Equal(2, r.Remaining);
    }

    [Theory]
    [InlineData("00 07 00 00", "XCDR2")]
    [InlineData("00 0a 00 00", "XCDR2")]
    [InlineData("00 03 00 00", "PL_CDR")]
    [InlineData("01 01 00 00", "01 01")]
    public void RejectsOtherRepresentations(string header, string mention)
    {
        var e = Fails(Hex(header + " 00 00 00 00"), (ref CdrReader _) => { });
        Assert.Contains(mention, e.Message);
        Assert.Contains("00 01 (CDR_LE)", e.Message);
    }

    [Fact]
    public void RejectsASampleShorterThanTheHeader()
    {
        var e = Fails(Hex("00 01"), (ref CdrReader _) => { });
        Assert.Contains("4-byte encapsulation header", e.Message);
    }

    [Fact]
    public void TruncatedPrimitiveNamesOffsetAndType()
    {
        var e = Fails(Hex("00 01 00 00 01 00 00 00 00 00"), (ref CdrReader r) => { r.ReadUInt8(); r.ReadFloat64(); });
        Assert.Equal(6, e.Offset);
        Assert.Contains("float64", e.Message);
        Assert.Contains("payload offset 6", e.Message);
    }

    [Theory]
    [InlineData("02")]
    [InlineData("FF")]
    public void BoolMustBeZeroOrOne(string value)
    {
        var e = Fails(Hex("00 01 00 00 " + value), (ref CdrReader r) => r.ReadBool());
        Assert.Contains("bool 0 or 1", e.Message);
        var bulk = Fails(Hex("00 01 00 00 01 " + value), (ref CdrReader r) => r.ReadBools(new bool[2]));
        Assert.Equal(1, bulk.Offset);
    }

    [Fact]
    public void StringOfLengthZeroIsRejected()
    {
        var e = Fails(Hex("00 01 00 00 00 00 00 00"), (ref CdrReader r) => r.ReadString());
        Assert.Contains("at least 1", e.Message);
    }

    [Fact]
    public void StringWithoutNulIsRejected()
    {
        var e = Fails(Hex("00 01 00 00 02 00 00 00 41 42"), (ref CdrReader r) => r.ReadString());
        Assert.Contains("NUL terminator", e.Message);
        Assert.Equal(5, e.Offset);
    }

    [Fact]
    public void StringRunningPastTheEndIsRejected()
    {
        var e = Fails(Hex("00 01 00 00 FF FF FF 7F 41 00"), (ref CdrReader r) => r.ReadString());
        Assert.Contains("runs past the end", e.Message);
    }

    [Fact]
    public void InvalidUtf8IsRejected()
    {
        var e = Fails(Hex("00 01 00 00 03 00 00 00 C3 28 00"), (ref CdrReader r) => r.ReadString());
        Assert.Contains("UTF-8", e.Message);
    }

    [Fact]
    public void StringBoundIsEnforced()
    {
        var e = Fails(Hex("00 01 00 00 04 00 00 00 61 62 63 00"), (ref CdrReader r) => r.ReadString(null, 2));
        Assert.Contains("at most 2 bytes", e.Message);
    }

    [Fact]
    public void HostileSequenceCountIsRejectedBeforeAllocating()
    {
        var e = Fails(Hex("00 01 00 00 FF FF FF FF 00 00 00 00"), (ref CdrReader r) => r.ReadSequenceLength(8));
        Assert.Contains("4294967295", e.Message);
        Assert.Contains("only 4 remain", e.Message);
        // A count whose elements just fit is fine.
        var ok = new CdrReader(Hex("00 01 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"));
        Assert.Equal(1, ok.ReadSequenceLength(8));
    }

    [Fact]
    public void UnchangedStringIsReturnedAsTheSameObject()
    {
        var w = new CdrWriter();
        w.WriteString("joint_1");
        w.WriteString("日本");
        var current = "joint_1";
        var cjk = new string("日本".ToCharArray());
        var r = new CdrReader(w.Written);
        Assert.Same(current, r.ReadString(current));
        Assert.Same(cjk, r.ReadString(cjk));
        var r2 = new CdrReader(w.Written);
        var changed = r2.ReadString("joint_2");
        Assert.Equal("joint_1", changed);
        Assert.Equal("日本", r2.ReadString("日x"));
    }
}
