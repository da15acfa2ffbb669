using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Dynamic;
using RlRobotics.Ros2.Messages.Parsing;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Tests.Dynamic;

public sealed class DynamicCodecTests
{
    private static readonly MessageRegistry Registry = CreateRegistry();

    private static MessageRegistry CreateRegistry()
    {
        var r = MessageRegistry.CreateDefault();
        r.Add("t", "Inner", "float64[2] pair\nstring<=3 tag\nint32[<=2] few\n");
        r.Add("t", "Outer", "t/Inner[] items\nt/Inner one\n");
        return r;
    }

    private static MessageSchema Outer => Registry.Resolve("t/Outer");

    private static DynamicMessage OuterWithOneItem()
    {
        var m = new DynamicMessage(Outer);
        m["items"] = new[] { new DynamicMessage(Registry.Resolve("t/Inner")) };
        return m;
    }

    [Fact]
    public void WriteRejectsAFixedArrayOfTheWrongLengthNamingTheFieldPath()
    {
        var m = OuterWithOneItem();
        ((DynamicMessage[])m["items"])[0]["pair"] = new double[3];
        var e = Assert.Throws<ArgumentException>(() => DynamicCodec.Write(m, new CdrWriter()));
        Assert.Contains("t/msg/Outer field 'items[0].pair'", e.Message);
        Assert.Contains("exactly 2 elements", e.Message);
    }

    [Fact]
    public void WriteRejectsBoundedSequencesAndStringsOverTheirBound()
    {
        var m = OuterWithOneItem();
        m.Get<DynamicMessage>("one")["few"] = new[] { 1, 2, 3 };
        Assert.Contains("'one.few'", Assert.Throws<ArgumentException>(() => DynamicCodec.Write(m, new CdrWriter())).Message);
        m.Get<DynamicMessage>("one")["few"] = new[] { 1 };
        m.Get<DynamicMessage>("one")["tag"] = "four";
        var e = Assert.Throws<ArgumentException>(() => DynamicCodec.Write(m, new CdrWriter()));
        Assert.Contains("'one.tag'", e.Message);
        Assert.Contains("string<=3", e.Message);
    }

    [Fact]
    public void ReadRejectsABoundedSequenceCountOverItsBoundNamingTheFieldPath()
    {
        var w = new CdrWriter();
        w.WriteSequenceLength(1);       // items
        w.WriteFloat64s([1, 2]);        // items[0].pair
        w.WriteString("ok");
        w.WriteSequenceLength(3);       // items[0].few: bound 2
        w.WriteInt32s([1, 2, 3]);
        var r = new CdrReader(w.Written);
        Exception? caught = null;
        try { DynamicCodec.Read(Outer, ref r); } catch (CdrException e) { caught = e; }
        var ex = Assert.IsType<CdrException>(caught);
        Assert.Equal("items[0].few", ex.FieldPath);
        Assert.Equal(32, ex.Offset); // the count, after 1 pad byte
        Assert.Contains("at most 2 elements", ex.Message);
    }

    [Fact]
    public void ReadOfTruncatedInputNamesTheFieldPath()
    {
        var w = new CdrWriter();
        w.WriteSequenceLength(0);
        w.WriteFloat64(1); // one.pair[0], then nothing
        var r = new CdrReader(w.Written);
        Exception? caught = null;
        try { DynamicCodec.Read(Outer, ref r); } catch (CdrException e) { caught = e; }
        Assert.Equal("one.pair", Assert.IsType<CdrException>(caught).FieldPath);
    }

    [Fact]
    public void SettingAValueOfTheWrongTypeSaysWhatWasExpected()
    {
        var m = new DynamicMessage(Registry.Resolve("sensor_msgs/JointState"));
        var e = Assert.Throws<ArgumentException>(() => m["position"] = new List<double>());
        Assert.Contains("takes a Double[]", e.Message);
        Assert.Contains("has no field 'nope'", Assert.Throws<ArgumentException>(() => m["nope"]).Message);
        Assert.Throws<ArgumentException>(() => m["header"] = new DynamicMessage(Registry.Resolve("builtin_interfaces/Time")));
    }

    [Fact]
    public void DefaultsComeFromTheMsgFile()
    {
        var m = new DynamicMessage(Registry.Resolve("sensor_msgs/Imu"));
        Assert.Equal(1.0, m.Get<DynamicMessage>("orientation")["w"]);
        Assert.Equal(9, m.Get<double[]>("orientation_covariance").Length);
        Assert.Empty(new DynamicMessage(Registry.Resolve("sensor_msgs/JointState")).Get<string[]>("name"));
    }
}
