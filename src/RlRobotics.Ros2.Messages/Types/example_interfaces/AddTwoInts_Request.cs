using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.example_interfaces;

/// <summary><c>example_interfaces/srv/AddTwoInts_Request</c>: the request of <see cref="AddTwoInts"/>.</summary>
public sealed class AddTwoInts_Request : IRosMessage<AddTwoInts_Request>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Service("example_interfaces/srv/AddTwoInts").Request;

    public long A { get; set; }
    public long B { get; set; }

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteInt64(A);
        writer.WriteInt64(B);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        A = reader.ReadInt64();
        B = reader.ReadInt64();
    }
}
