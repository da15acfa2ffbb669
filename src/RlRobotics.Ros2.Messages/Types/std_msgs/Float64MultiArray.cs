using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_msgs;

/// <summary><c>std_msgs/msg/Float64MultiArray</c>: A multi-dimensional float64 array: layout plus row-major data.</summary>
public sealed class Float64MultiArray : IRosMessage<Float64MultiArray>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("std_msgs/msg/Float64MultiArray");

    public MultiArrayLayout Layout { get; set; } = new();
    public List<double> Data { get; set; } = [];

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        Layout.WriteTo(writer);
        writer.WriteSequence(Data);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Layout.ReadFrom(ref reader);
        reader.ReadSequence(Data);
    }
}
