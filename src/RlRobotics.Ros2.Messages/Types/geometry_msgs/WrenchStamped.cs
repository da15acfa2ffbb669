using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.geometry_msgs;

/// <summary><c>geometry_msgs/msg/WrenchStamped</c>: A wrench with stamp and frame.</summary>
public sealed class WrenchStamped : IRosMessage<WrenchStamped>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("geometry_msgs/msg/WrenchStamped");

    public std_msgs.Header Header { get; set; } = new();
    public Wrench Wrench { get; set; } = new();

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        Header.WriteTo(writer);
        Wrench.WriteTo(writer);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Header.ReadFrom(ref reader);
        Wrench.ReadFrom(ref reader);
    }
}
