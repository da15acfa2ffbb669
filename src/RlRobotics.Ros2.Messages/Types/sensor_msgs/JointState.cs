using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.sensor_msgs;

/// <summary><c>sensor_msgs/msg/JointState</c>: Joint states: names, positions (rad or m), velocities (rad/s or m/s) and efforts (N·m or N); each array empty or as long as <c>name</c>.</summary>
public sealed class JointState : IRosMessage<JointState>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("sensor_msgs/msg/JointState");

    public std_msgs.Header Header { get; set; } = new();
    public List<string> Name { get; set; } = [];
    public List<double> Position { get; set; } = [];
    public List<double> Velocity { get; set; } = [];
    public List<double> Effort { get; set; } = [];

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        Header.WriteTo(writer);
        writer.WriteStrings(Name);
        writer.WriteSequence(Position);
        writer.WriteSequence(Velocity);
        writer.WriteSequence(Effort);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Header.ReadFrom(ref reader);
        reader.ReadStrings(Name);
        reader.ReadSequence(Position);
        reader.ReadSequence(Velocity);
        reader.ReadSequence(Effort);
    }
}
