using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_msgs;

/// <summary><c>std_msgs/msg/Header</c>: Stamp and coordinate frame of stamped data.</summary>
public sealed class Header : IRosMessage<Header>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("std_msgs/msg/Header");

    public builtin_interfaces.Time Stamp { get; set; } = new();
    public string FrameId { get; set; } = "";

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        Stamp.WriteTo(writer);
        writer.WriteString(FrameId);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Stamp.ReadFrom(ref reader);
        FrameId = reader.ReadString(FrameId);
    }
}
