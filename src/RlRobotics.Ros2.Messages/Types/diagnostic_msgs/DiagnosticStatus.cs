using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.diagnostic_msgs;

/// <summary><c>diagnostic_msgs/msg/DiagnosticStatus</c>: Status of one component: level (OK, WARN, ERROR, STALE), name, message, hardware id and key/value details.</summary>
public sealed class DiagnosticStatus : IRosMessage<DiagnosticStatus>
{
    public const byte OK = 0;
    public const byte WARN = 1;
    public const byte ERROR = 2;
    public const byte STALE = 3;

    public static MessageSchema Schema { get; } = BuiltinTypes.Message("diagnostic_msgs/msg/DiagnosticStatus");

    public byte Level { get; set; }
    public string Name { get; set; } = "";
    public string Message { get; set; } = "";
    public string HardwareId { get; set; } = "";
    public List<KeyValue> Values { get; set; } = [];

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteByte(Level);
        writer.WriteString(Name);
        writer.WriteString(Message);
        writer.WriteString(HardwareId);
        writer.WriteMessages(Values);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Level = reader.ReadByte();
        Name = reader.ReadString(Name);
        Message = reader.ReadString(Message);
        HardwareId = reader.ReadString(HardwareId);
        reader.ReadMessages(Values);
    }
}
