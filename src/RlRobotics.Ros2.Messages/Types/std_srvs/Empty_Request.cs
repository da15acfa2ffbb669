using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_srvs;

/// <summary><c>std_srvs/srv/Empty_Request</c>: the request of <see cref="Empty"/>.</summary>
public sealed class Empty_Request : IRosMessage<Empty_Request>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Service("std_srvs/srv/Empty").Request;

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
