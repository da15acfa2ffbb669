using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.geometry_msgs;

/// <summary><c>geometry_msgs/msg/Twist</c>: Velocity: linear (m/s) and angular (rad/s).</summary>
public sealed class Twist : IRosMessage<Twist>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("geometry_msgs/msg/Twist");

    public Vector3 Linear { get; set; } = new();
    public Vector3 Angular { get; set; } = new();

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        Linear.WriteTo(writer);
        Angular.WriteTo(writer);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Linear.ReadFrom(ref reader);
        Angular.ReadFrom(ref reader);
    }
}
