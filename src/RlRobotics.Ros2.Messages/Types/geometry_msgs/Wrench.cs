using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.geometry_msgs;

/// <summary><c>geometry_msgs/msg/Wrench</c>: Force (N) and torque (N·m).</summary>
public sealed class Wrench : IRosMessage<Wrench>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("geometry_msgs/msg/Wrench");

    public Vector3 Force { get; set; } = new();
    public Vector3 Torque { get; set; } = new();

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        Force.WriteTo(writer);
        Torque.WriteTo(writer);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Force.ReadFrom(ref reader);
        Torque.ReadFrom(ref reader);
    }
}
