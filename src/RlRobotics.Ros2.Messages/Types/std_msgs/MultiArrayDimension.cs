using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_msgs;

/// <summary><c>std_msgs/msg/MultiArrayDimension</c>: One dimension of a multi-array layout: label, size and stride in elements.</summary>
public sealed class MultiArrayDimension : IRosMessage<MultiArrayDimension>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("std_msgs/msg/MultiArrayDimension");

    public string Label { get; set; } = "";
    public uint Size { get; set; }
    public uint Stride { get; set; }

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteString(Label);
        writer.WriteUInt32(Size);
        writer.WriteUInt32(Stride);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Label = reader.ReadString(Label);
        Size = reader.ReadUInt32();
        Stride = reader.ReadUInt32();
    }
}
