using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_msgs;

/// <summary><c>std_msgs/msg/MultiArrayLayout</c>: The dimensions of a multi-array and the number of unused elements at the front of its data.</summary>
public sealed class MultiArrayLayout : IRosMessage<MultiArrayLayout>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("std_msgs/msg/MultiArrayLayout");

    public List<MultiArrayDimension> Dim { get; set; } = [];
    public uint DataOffset { get; set; }

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteMessages(Dim);
        writer.WriteUInt32(DataOffset);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        reader.ReadMessages(Dim);
        DataOffset = reader.ReadUInt32();
    }
}
