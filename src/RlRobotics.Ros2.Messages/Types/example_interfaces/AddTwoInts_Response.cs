using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.example_interfaces;

/// <summary><c>example_interfaces/srv/AddTwoInts_Response</c>: the response of <see cref="AddTwoInts"/>.</summary>
public sealed class AddTwoInts_Response : IRosMessage<AddTwoInts_Response>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Service("example_interfaces/srv/AddTwoInts").Response;

    public long Sum { get; set; }

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteInt64(Sum);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Sum = reader.ReadInt64();
    }
}
