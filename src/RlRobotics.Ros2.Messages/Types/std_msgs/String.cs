using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_msgs;

/// <summary><c>std_msgs/msg/String</c>: A single UTF-8 string.</summary>
public sealed class String : IRosMessage<String>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("std_msgs/msg/String");

    public string Data { get; set; } = "";

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteString(Data);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Data = reader.ReadString(Data);
    }
}
