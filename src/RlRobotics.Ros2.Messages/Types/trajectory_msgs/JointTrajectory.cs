using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.trajectory_msgs;

/// <summary><c>trajectory_msgs/msg/JointTrajectory</c>: A joint trajectory: joint names and the points to pass through.</summary>
public sealed class JointTrajectory : IRosMessage<JointTrajectory>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("trajectory_msgs/msg/JointTrajectory");

    public std_msgs.Header Header { get; set; } = new();
    public List<string> JointNames { get; set; } = [];
    public List<JointTrajectoryPoint> Points { get; set; } = [];

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        Header.WriteTo(writer);
        writer.WriteStrings(JointNames);
        writer.WriteMessages(Points);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Header.ReadFrom(ref reader);
        reader.ReadStrings(JointNames);
        reader.ReadMessages(Points);
    }
}
