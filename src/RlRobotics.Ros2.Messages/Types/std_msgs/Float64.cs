using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_msgs;

/// <summary><c>std_msgs/msg/Float64</c>: A single float64.</summary>
public sealed class Float64 : IRosMessage<Float64>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("std_msgs/msg/Float64");

    public double Data { get; set; }

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteFloat64(Data);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Data = reader.ReadFloat64();
    }
}
