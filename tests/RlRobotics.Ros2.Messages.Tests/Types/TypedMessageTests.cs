using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Dynamic;
using RlRobotics.Ros2.Messages.Types.geometry_msgs;
using RlRobotics.Ros2.Messages.Types.rmw_dds_common;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;
using RlRobotics.Ros2.Messages.Types.std_srvs;
using RlRobotics.Ros2.Messages.Types.example_interfaces;

namespace RlRobotics.Ros2.Messages.Tests.Types;

/// <summary>Each hand-written typed class must agree byte for byte with the schema-driven dynamic codec.</summary>
public sealed class TypedMessageTests
{
    public static TheoryData<string> TypeNames => TypedCatalog.Names();

    private static byte[] Encode(IRosMessage m, bool bigEndian = false)
    {
        var w = new CdrWriter(64, bigEndian);
        m.WriteTo(w);
        return w.Written.ToArray();
    }

    private static byte[] Encode(DynamicMessage m, bool bigEndian = false)
    {
        var w = new CdrWriter(64, bigEndian);
        DynamicCodec.Write(m, w);
        return w.Written.ToArray();
    }

    private static void ReadInto(IRosMessage m, byte[] data)
    {
        var r = new CdrReader(data);
        m.ReadFrom(ref r);
        Assert.Equal(0, r.Remaining);
    }

    private static DynamicMessage ReadDynamic(DynamicMessage like, byte[] data)
    {
        var r = new CdrReader(data);
        var m = DynamicCodec.Read(like.Schema, ref r);
        Assert.Equal(0, r.Remaining);
        return m;
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void TypedEncodingEqualsDynamicEncodingForRandomContents(string typeName)
    {
        var type = TypedCatalog.ByName(typeName);
        var reused = TypedCatalog.Create(type);
        var schema = reused.GetSchema();
        var rng = new Random(typeName.GetHashCode(StringComparison.Ordinal) & 0xFFFF);
        for (var i = 0; i < 40; i++)
        {
            var dynamic = RandomMessages.Create(schema, rng);
            var expected = Encode(dynamic);

            // dynamic -> bytes -> typed (fresh and reused) -> bytes: identical.
            var fresh = TypedCatalog.Create(type);
            ReadInto(fresh, expected);
            Assert.Equal(expected, Encode(fresh));
            ReadInto(reused, expected);
            Assert.Equal(expected, Encode(reused));

            // typed -> bytes -> dynamic: the same values.
            Assert.True(dynamic.ContentEquals(ReadDynamic(dynamic, Encode(fresh))), $"sample {i}: {dynamic}");

            // Big-endian input decodes to the same values, typed and dynamic.
            var bigEndian = Encode(dynamic, bigEndian: true);
            var fromBig = TypedCatalog.Create(type);
            ReadInto(fromBig, bigEndian);
            Assert.Equal(expected, Encode(fromBig));
            Assert.Equal(bigEndian, Encode(fromBig, bigEndian: true));
            Assert.True(dynamic.ContentEquals(ReadDynamic(dynamic, bigEndian)));
        }
    }

    [Fact]
    public void NewTypedMessagesEncodeLikeNewDynamicMessages()
    {
        foreach (var type in TypedCatalog.Types)
        {
            var typed = TypedCatalog.Create(type);
            Assert.Equal(Encode(new DynamicMessage(typed.GetSchema())), Encode(typed));
        }
        Assert.Equal(1.0, new Quaternion().W); // the .msg default
    }

    [Fact]
    public void ReadingIntoAWarmMessageKeepsItsListsArraysAndUnchangedStrings()
    {
        var source = new JointState();
        source.Name.AddRange(["a", "b", "c"]);
        source.Position.AddRange([1, 2, 3]);
        var bytes = Encode(source);

        var target = new JointState();
        target.Name.AddRange(["a", "x", "c", "d", "e"]);
        target.Effort.AddRange([9, 9]);
        var names = target.Name;
        var keptA = target.Name[0];
        var positions = target.Position;
        ReadInto(target, bytes);
        Assert.Same(names, target.Name);
        Assert.Same(positions, target.Position);
        Assert.Same(keptA, target.Name[0]);
        Assert.Equal(["a", "b", "c"], target.Name);
        Assert.Equal([1.0, 2, 3], target.Position);
        Assert.Empty(target.Effort);

        var imu = new Imu();
        var covariance = imu.OrientationCovariance;
        ReadInto(imu, Encode(new Imu()));
        Assert.Same(covariance, imu.OrientationCovariance);
    }

    [Fact]
    public void FixedArrayOfTheWrongLengthIsRejectedOnWrite()
    {
        var imu = new Imu { OrientationCovariance = new double[4] };
        var e = Assert.Throws<ArgumentException>(() => imu.WriteTo(new CdrWriter()));
        Assert.Contains("sensor_msgs/msg/Imu.orientation_covariance", e.Message);
        Assert.Contains("9 elements", e.Message);
    }

    [Fact]
    public void BoundedStringIsEnforcedOnWriteAndRead()
    {
        var info = new NodeEntitiesInfo { NodeName = new string('n', 257) };
        var e = Assert.Throws<ArgumentException>(() => info.WriteTo(new CdrWriter()));
        Assert.Contains("node_name is a string<=256", e.Message);

        var w = new CdrWriter();
        w.WriteString("");
        w.WriteString(new string('n', 257));
        w.WriteSequenceLength(0);
        w.WriteSequenceLength(0);
        var bytes = w.Written.ToArray();
        Assert.Throws<CdrException>(() => ReadInto(new NodeEntitiesInfo(), bytes));
        CdrException? de = null;
        try
        {
            var r = new CdrReader(bytes);
            DynamicCodec.Read(NodeEntitiesInfo.Schema, ref r);
        }
        catch (CdrException e2)
        {
            de = e2;
        }
        Assert.Equal("node_name", de?.FieldPath);
    }

    [Fact]
    public void ServicesExposeRequestAndResponseSchemas()
    {
        static Schema.ServiceSchema SchemaOf<TService, TReq, TResp>() where TService : IRosService<TReq, TResp>
            where TReq : IRosMessage<TReq>, new() where TResp : IRosMessage<TResp>, new() => TService.Schema;

        var add = SchemaOf<AddTwoInts, AddTwoInts_Request, AddTwoInts_Response>();
        Assert.Same(AddTwoInts_Request.Schema, add.Request);
        Assert.Same(AddTwoInts_Response.Schema, add.Response);
        Assert.Equal("example_interfaces::srv::dds_::AddTwoInts_Request_", add.Request.DdsTypeName);
        Assert.Equal("std_srvs::srv::dds_::Trigger_Response_", SchemaOf<Trigger, Trigger_Request, Trigger_Response>().Response.DdsTypeName);
        Assert.Equal("std_srvs/srv/SetBool", SetBool.Schema.FullName);

        var request = new AddTwoInts_Request { A = 2, B = 40 };
        var copy = new AddTwoInts_Request();
        ReadInto(copy, Encode(request));
        Assert.Equal(42, copy.A + copy.B);
    }

    [Fact]
    public void GenericCodeReachesTheStaticSchema()
    {
        static string DdsName<T>() where T : IRosMessage<T>, new() => T.Schema.DdsTypeName;
        Assert.Equal("sensor_msgs::msg::dds_::JointState_", DdsName<JointState>());
        Assert.Equal("rmw_dds_common::msg::dds_::ParticipantEntitiesInfo_", DdsName<ParticipantEntitiesInfo>());
    }
}
