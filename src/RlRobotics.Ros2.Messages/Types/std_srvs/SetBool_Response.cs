using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_srvs;

/// <summary><c>std_srvs/srv/SetBool_Response</c>: the response of <see cref="SetBool"/>.</summary>
public sealed class SetBool_Response : IRosMessage<SetBool_Response>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Service("std_srvs/srv/SetBool").Response;

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
