using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_srvs;

/// <summary><c>std_srvs/srv/Trigger_Response</c>: the response of <see cref="Trigger"/>.</summary>
public sealed class Trigger_Response : IRosMessage<Trigger_Response>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Service("std_srvs/srv/Trigger").Response;

    public bool Success { get; set; }
    public string Message { get; set; } = "";

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteBool(Success);
        writer.WriteString(Message);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Success = reader.ReadBool();
        Message = reader.ReadString(Message);
    }
}
