using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.rmw_dds_common;

/// <summary><c>rmw_dds_common/msg/Gid</c>: A DDS global id: the 16-byte GUID (Jazzy layout; Humble uses 24 bytes, see <see cref="RosDistro"/>).</summary>
public sealed class Gid : IRosMessage<Gid>
{
    public const int DataLength = 16;

    public static MessageSchema Schema { get; } = BuiltinTypes.Message("rmw_dds_common/msg/Gid");

    public byte[] Data { get; set; } = new byte[DataLength];

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        CdrFieldChecks.FixedLength(Data, DataLength, "rmw_dds_common/msg/Gid.data");
        writer.WriteBytes(Data);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        if (Data.Length != DataLength) Data = new byte[DataLength];
        reader.ReadBytes(Data);
    }
}
