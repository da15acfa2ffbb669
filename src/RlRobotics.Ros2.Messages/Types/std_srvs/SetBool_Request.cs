using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_srvs;

/// <summary><c>std_srvs/srv/SetBool_Request</c>: the request of <see cref="SetBool"/>.</summary>
public sealed class SetBool_Request : IRosMessage<SetBool_Request>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Service("std_srvs/srv/SetBool").Request;

    public bool Data { get; set; }

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteBool(Data);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Data = reader.ReadBool();
    }
}
