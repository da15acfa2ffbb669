using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.diagnostic_msgs;

/// <summary><c>diagnostic_msgs/msg/DiagnosticArray</c>: Diagnostic statuses of several components.</summary>
public sealed class DiagnosticArray : IRosMessage<DiagnosticArray>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("diagnostic_msgs/msg/DiagnosticArray");

    public std_msgs.Header Header { get; set; } = new();
    public List<DiagnosticStatus> Status { get; set; } = [];

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        Header.WriteTo(writer);
        writer.WriteMessages(Status);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Header.ReadFrom(ref reader);
        reader.ReadMessages(Status);
    }
}
