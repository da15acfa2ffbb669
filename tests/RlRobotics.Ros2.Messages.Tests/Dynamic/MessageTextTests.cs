using RlRobotics.Ros2.Messages.Dynamic;
using RlRobotics.Ros2.Messages.Parsing;

namespace RlRobotics.Ros2.Messages.Tests.Dynamic;

public sealed class MessageTextTests
{
    private static readonly MessageRegistry Registry = MessageRegistry.CreateDefault();

    [Fact]
    public void FormatsLikeRos2TopicEcho()
    {
        var m = MessageText.Parse(Registry.Resolve("sensor_msgs/JointState"),
            "{header: {stamp: {sec: 5}, frame_id: base}, name: [a, b], position: [1.0, 2.5], effort: [-1]}");
        Assert.Equal("""
            header:
              stamp:
                sec: 5
                nanosec: 0
              frame_id: base
            name:
            - a
            - b
            position:
            - 1.0
            - 2.5
            velocity: []
            effort:
            - -1.0

            """.Replace("\r\n", "\n"), MessageText.Format(m));
    }

    [Fact]
    public void FormatsListsOfMessagesInPyYamlBlockStyle()
    {
        var m = MessageText.Parse(Registry.Resolve("diagnostic_msgs/DiagnosticArray"), """
            status:
              - level: 1
                name: motor
                values: [{key: temp, value: '80'}]
            """);
        Assert.Equal("""
            header:
              stamp:
                sec: 0
                nanosec: 0
              frame_id: ''
            status:
            - level: 1
              name: motor
              message: ''
              hardware_id: ''
              values:
              - key: temp
                value: '80'

            """.Replace("\r\n", "\n"), MessageText.Format(m));
    }

    [Fact]
    public void ParseKeepsDefaultsForMissingFields()
    {
        var imu = MessageText.Parse(Registry.Resolve("sensor_msgs/Imu"), "{angular_velocity: {z: 0.5}}");
        Assert.Equal(1.0, imu.Get<DynamicMessage>("orientation")["w"]);
        Assert.Equal(0.5, imu.Get<DynamicMessage>("angular_velocity")["z"]);
        Assert.True(new DynamicMessage(Registry.Resolve("std_msgs/String")).ContentEquals(MessageText.Parse(Registry.Resolve("std_msgs/String"), "")));
        Assert.Equal("hi there", MessageText.Parse(Registry.Resolve("std_msgs/String"), "data: hi there")["data"]);
        Assert.Equal("{}\n", MessageText.Format(MessageText.Parse(Registry.Resolve("std_msgs/Empty"), "{}")));
    }

    [Theory]
    [InlineData("sensor_msgs/JointState", "{nme: [a]}", "unknown field 'nme'")]
    [InlineData("sensor_msgs/JointState", "{header: {frame: x}}", "unknown field 'header.frame'")]
    [InlineData("sensor_msgs/JointState", "{position: [1.0, abc]}", "field 'position[1]'")]
    [InlineData("sensor_msgs/JointState", "{position: 1.0}", "expected a list")]
    [InlineData("sensor_msgs/JointState", "{header: 3}", "expected a mapping")]
    [InlineData("sensor_msgs/JointState", "[1, 2]", "expected a mapping")]
    [InlineData("sensor_msgs/JointState", "{header: {stamp: {sec: 1.5}}}", "field 'header.stamp.sec'")]
    [InlineData("sensor_msgs/JointState", "{header: {stamp: {nanosec: -1}}}", "out of range")]
    [InlineData("std_msgs/Float64", "{data: '1.0'}", "found the string")]
    [InlineData("std_msgs/Bool", "{data: maybe}", "expected a bool")]
    [InlineData("sensor_msgs/Imu", "{orientation_covariance: [1, 2]}", "exactly 9 elements")]
    [InlineData("rmw_dds_common/NodeEntitiesInfo", "{reader_gid_seq: [{data: [1]}]}", "field 'reader_gid_seq[0].data'")]
    [InlineData("std_msgs/String", "{data: [unclosed", "invalid YAML")]
    public void ParseErrorsNameTheField(string type, string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => MessageText.Parse(Registry.Resolve(type), text));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("line ", e.Message);
    }

    [Fact]
    public void FormatThenParseRoundTripsRandomMessagesOfEverySchema()
    {
        var rng = new Random(7);
        foreach (var schema in Registry.Messages)
        {
            for (var i = 0; i < 10; i++)
            {
                var m = RandomMessages.Create(schema, rng);
                var text = MessageText.Format(m);
                var back = MessageText.Parse(schema, text);
                Assert.True(m.ContentEquals(back), $"{schema.FullName}:\n{text}\n---\n{MessageText.Format(back)}");
            }
        }
    }
}
