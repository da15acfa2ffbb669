using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_msgs;

/// <summary><c>std_msgs/msg/Bool</c>: A single bool.</summary>
public sealed class Bool : IRosMessage<Bool>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("std_msgs/msg/Bool");

    public bool Data { get; set; }

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteBool(Data);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Data = reader.ReadBool();
    }
}
