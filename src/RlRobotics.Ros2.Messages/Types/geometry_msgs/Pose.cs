using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.geometry_msgs;

/// <summary><c>geometry_msgs/msg/Pose</c>: Position (m) and orientation.</summary>
public sealed class Pose : IRosMessage<Pose>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("geometry_msgs/msg/Pose");

    public Point Position { get; set; } = new();
    public Quaternion Orientation { get; set; } = new();

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        Position.WriteTo(writer);
        Orientation.WriteTo(writer);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Position.ReadFrom(ref reader);
        Orientation.ReadFrom(ref reader);
    }
}
