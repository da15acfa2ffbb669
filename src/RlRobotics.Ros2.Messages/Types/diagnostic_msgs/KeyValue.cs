using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.diagnostic_msgs;

/// <summary><c>diagnostic_msgs/msg/KeyValue</c>: A labelled diagnostic value.</summary>
public sealed class KeyValue : IRosMessage<KeyValue>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("diagnostic_msgs/msg/KeyValue");

    public string Key { get; set; } = "";
    public string Value { get; set; } = "";

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteString(Key);
        writer.WriteString(Value);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Key = reader.ReadString(Key);
        Value = reader.ReadString(Value);
    }
}
