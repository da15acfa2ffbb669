using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_srvs;

/// <summary><c>std_srvs/srv/Trigger_Request</c>: the request of <see cref="Trigger"/>.</summary>
public sealed class Trigger_Request : IRosMessage<Trigger_Request>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Service("std_srvs/srv/Trigger").Request;

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteUInt8(0); // rosidl's structure_needs_at_least_one_member
    }

    public void ReadFrom(ref CdrReader reader)
    {
        reader.ReadUInt8();
    }
}
