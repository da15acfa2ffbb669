using RlRobotics.Ros2.Messages.Parsing;
using RlRobotics.Ros2.Messages.Schema;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;

namespace RlRobotics.Ros2.Messages.Tests.Parsing;

public sealed class MessageRegistryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rlr-msgs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private void WriteFile(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Theory]
    [InlineData("sensor_msgs/msg/JointState")]
    [InlineData("sensor_msgs/JointState")]
    [InlineData("sensor_msgs::msg::dds_::JointState_")]
    public void ResolvesEveryNameForm(string name)
    {
        Assert.Same(JointState.Schema, MessageRegistry.CreateDefault().Resolve(name));
    }

    [Fact]
    public void UnknownNamesSayWhatWasExpected()
    {
        var registry = MessageRegistry.CreateDefault();
        Assert.Contains("unknown message type 'x/Y'", Assert.Throws<KeyNotFoundException>(() => registry.Resolve("x/Y")).Message);
        Assert.Contains("pkg/msg/Name", Assert.Throws<KeyNotFoundException>(() => registry.Resolve("nonsense")).Message);
        Assert.False(registry.TryResolve("std_msgs/Nope", out _));
        Assert.Contains("pkg/srv/Name", Assert.Throws<KeyNotFoundException>(() => registry.ResolveService("std_srvs/Nope")).Message);
    }

    [Fact]
    public void DefaultRegistryHoldsTheBuiltInDefinitionsWithRos2FieldNames()
    {
        var r = MessageRegistry.CreateDefault();
        string Fields(string name) => string.Join(" ", r.Resolve(name).Fields.Select(f => $"{f.Type} {f.Name}"));
        Assert.Equal("int32 sec uint32 nanosec", Fields("builtin_interfaces/Time"));
        Assert.Equal("int32 sec uint32 nanosec", Fields("builtin_interfaces/Duration"));
        Assert.Equal("builtin_interfaces/Time stamp string frame_id", Fields("std_msgs/Header"));
        Assert.Equal("string data", Fields("std_msgs/String"));
        Assert.Equal("bool data", Fields("std_msgs/Bool"));
        Assert.Equal("float64 data", Fields("std_msgs/Float64"));
        Assert.Equal("uint8 structure_needs_at_least_one_member", Fields("std_msgs/Empty"));
        Assert.Equal("string label uint32 size uint32 stride", Fields("std_msgs/MultiArrayDimension"));
        Assert.Equal("std_msgs/MultiArrayDimension[] dim uint32 data_offset", Fields("std_msgs/MultiArrayLayout"));
        Assert.Equal("std_msgs/MultiArrayLayout layout float64[] data", Fields("std_msgs/Float64MultiArray"));
        Assert.Equal("std_msgs/Header header string[] name float64[] position float64[] velocity float64[] effort", Fields("sensor_msgs/JointState"));
        Assert.Equal("std_msgs/Header header geometry_msgs/Quaternion orientation float64[9] orientation_covariance " +
                     "geometry_msgs/Vector3 angular_velocity float64[9] angular_velocity_covariance " +
                     "geometry_msgs/Vector3 linear_acceleration float64[9] linear_acceleration_covariance", Fields("sensor_msgs/Imu"));
        Assert.Equal("float64 x float64 y float64 z", Fields("geometry_msgs/Vector3"));
        Assert.Equal("float64 x float64 y float64 z", Fields("geometry_msgs/Point"));
        Assert.Equal("float64 x float64 y float64 z float64 w", Fields("geometry_msgs/Quaternion"));
        Assert.Equal("1", r.Resolve("geometry_msgs/Quaternion").Fields[3].Default);
        Assert.Equal("geometry_msgs/Point position geometry_msgs/Quaternion orientation", Fields("geometry_msgs/Pose"));
        Assert.Equal("geometry_msgs/Vector3 linear geometry_msgs/Vector3 angular", Fields("geometry_msgs/Twist"));
        Assert.Equal("geometry_msgs/Vector3 force geometry_msgs/Vector3 torque", Fields("geometry_msgs/Wrench"));
        Assert.Equal("std_msgs/Header header geometry_msgs/Wrench wrench", Fields("geometry_msgs/WrenchStamped"));
        Assert.Equal("std_msgs/Header header string[] joint_names trajectory_msgs/JointTrajectoryPoint[] points", Fields("trajectory_msgs/JointTrajectory"));
        Assert.Equal("float64[] positions float64[] velocities float64[] accelerations float64[] effort builtin_interfaces/Duration time_from_start",
            Fields("trajectory_msgs/JointTrajectoryPoint"));
        Assert.Equal("std_msgs/Header header diagnostic_msgs/DiagnosticStatus[] status", Fields("diagnostic_msgs/DiagnosticArray"));
        Assert.Equal("byte level string name string message string hardware_id diagnostic_msgs/KeyValue[] values", Fields("diagnostic_msgs/DiagnosticStatus"));
        Assert.Equal(["OK=0", "WARN=1", "ERROR=2", "STALE=3"], r.Resolve("diagnostic_msgs/DiagnosticStatus").Constants.Select(c => $"{c.Name}={c.Value}"));
        Assert.Equal("string key string value", Fields("diagnostic_msgs/KeyValue"));
        Assert.Equal("char[16] data", Fields("rmw_dds_common/Gid"));
        Assert.Equal("string<=256 node_namespace string<=256 node_name rmw_dds_common/Gid[] reader_gid_seq rmw_dds_common/Gid[] writer_gid_seq",
            Fields("rmw_dds_common/NodeEntitiesInfo"));
        Assert.Equal("rmw_dds_common/Gid gid rmw_dds_common/NodeEntitiesInfo[] node_entities_info_seq", Fields("rmw_dds_common/ParticipantEntitiesInfo"));

        string Srv(string name) => string.Join(" ", new[] { r.ResolveService(name).Request, r.ResolveService(name).Response }
            .Select(s => string.Join(",", s.Fields.Select(f => $"{f.Type} {f.Name}"))));
        Assert.Equal("uint8 structure_needs_at_least_one_member bool success,string message", Srv("std_srvs/Trigger"));
        Assert.Equal("bool data bool success,string message", Srv("std_srvs/SetBool"));
        Assert.Equal("uint8 structure_needs_at_least_one_member uint8 structure_needs_at_least_one_member", Srv("std_srvs/Empty"));
        Assert.Equal("int64 a,int64 b int64 sum", Srv("example_interfaces/srv/AddTwoInts"));
        Assert.Equal("example_interfaces::srv::dds_::AddTwoInts_Request_", r.ResolveService("example_interfaces/AddTwoInts").Request.DdsTypeName);
    }

    [Fact]
    public void HumbleGidIs24Bytes()
    {
        var humble = MessageRegistry.CreateDefault(RosDistro.Humble);
        Assert.Equal(RosDistro.Humble, humble.Distro);
        Assert.Equal(24, humble.Resolve("rmw_dds_common/Gid").Fields[0].Type.Bound);
        Assert.Same(humble.Resolve("rmw_dds_common/Gid"), humble.Resolve("rmw_dds_common/ParticipantEntitiesInfo").Fields[0].Type.Nested);
        Assert.Equal(16, MessageRegistry.CreateDefault(RosDistro.Jazzy).Resolve("rmw_dds_common/Gid").Fields[0].Type.Bound);
    }

    [Fact]
    public void AddingToOneDefaultRegistryDoesNotAffectAnother()
    {
        var a = MessageRegistry.CreateDefault();
        a.Add("my_pkg", "Only", "int32 x");
        Assert.False(MessageRegistry.CreateDefault().TryResolve("my_pkg/Only", out _));
    }

    [Fact]
    public void LoadDirectoryResolvesDependenciesAcrossFilesInAnyOrder()
    {
        // a/A needs b/B, which needs b/C and std_msgs/Header: files sort in the opposite order of their dependencies.
        WriteFile("a_pkg/msg/A.msg", "b_pkg/B inner\nb_pkg/C[] cs\n");
        WriteFile("b_pkg/msg/B.msg", "Header header\nC c\n");
        WriteFile("b_pkg/msg/C.msg", "float64 value 2.5\n");
        WriteFile("b_pkg/srv/Get.srv", "a_pkg/A query\n---\nB result\n");
        WriteFile("b_pkg/README.md", "not a message");
        var registry = MessageRegistry.CreateDefault();
        registry.LoadDirectory(_dir);
        var a = registry.Resolve("a_pkg/A");
        Assert.Same(registry.Resolve("b_pkg/msg/B"), a.Fields[0].Type.Nested);
        Assert.Same(registry.Resolve("std_msgs/Header"), registry.Resolve("b_pkg/B").Fields[0].Type.Nested);
        var get = registry.ResolveService("b_pkg/Get");
        Assert.Same(a, get.Request.Fields[0].Type.Nested);
        Assert.Equal(2.5, new Messages.Dynamic.DynamicMessage(registry.Resolve("b_pkg/C"))["value"]);
    }

    [Fact]
    public void LoadDirectoryReportsAMissingTypeWithFileAndLineAndAddsNothing()
    {
        WriteFile("a_pkg/msg/A.msg", "float64 x\n");
        WriteFile("b_pkg/msg/B.msg", "# header comment\nfloat64 y\nc_pkg/Missing m\n");
        var registry = MessageRegistry.CreateDefault();
        var e = Assert.Throws<MsgParseException>(() => registry.LoadDirectory(_dir));
        Assert.EndsWith(Path.Combine("b_pkg", "msg", "B.msg"), e.FileName);
        Assert.Equal(3, e.Line);
        Assert.Contains("unknown type 'c_pkg/Missing'", e.Message);
        Assert.False(registry.TryResolve("a_pkg/A", out _));
    }

    [Fact]
    public void CyclesAreAnError()
    {
        WriteFile("a_pkg/msg/A.msg", "a_pkg/B b\n");
        WriteFile("a_pkg/msg/B.msg", "float64 x\nA a\n");
        var e = Assert.Throws<MsgParseException>(() => MessageRegistry.CreateDefault().LoadDirectory(_dir));
        Assert.Contains("cycle", e.Message);
        Assert.Contains("a_pkg/msg/A -> a_pkg/msg/B -> a_pkg/msg/A", e.Message);
        var self = Assert.Throws<MsgParseException>(() => new MessageRegistry().Add("p", "Self", "Self me"));
        Assert.Contains("p/msg/Self -> p/msg/Self", self.Message);
    }

    [Fact]
    public void MissingDirectoryIsAClearError()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => new MessageRegistry().LoadDirectory(_dir));
        Assert.Contains(_dir, e.Message);
    }

    [Fact]
    public void TypedClassSchemasAreTheRegistrysSchemas()
    {
        var r = MessageRegistry.CreateDefault();
        foreach (var type in TypedCatalog.Types)
        {
            var schema = TypedCatalog.Create(type).GetSchema();
            Assert.Same(schema, r.Resolve(schema.DdsTypeName));
            Assert.Equal(type.Name, schema.Name);
            Assert.EndsWith("." + schema.Package, type.Namespace);
        }
        Assert.Equal(35, TypedCatalog.Types.Count); // 27 messages + 4 services × (request, response)
    }
}
