using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_msgs;

/// <summary><c>std_msgs/msg/Empty</c>: A message without fields (one placeholder byte on the wire).</summary>
public sealed class Empty : IRosMessage<Empty>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("std_msgs/msg/Empty");

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteUInt8(0); // rosidl's structure_needs_at_least_one_member
    }

    public void ReadFrom(ref CdrReader reader)
    {
        reader.ReadUInt8();
    }
}
