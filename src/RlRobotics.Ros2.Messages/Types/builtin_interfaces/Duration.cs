using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.builtin_interfaces;

/// <summary><c>builtin_interfaces/msg/Duration</c>: A span of ROS time: <c>sec</c> (s) plus <c>nanosec</c> (ns, 0 to 999 999 999).</summary>
public sealed class Duration : IRosMessage<Duration>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("builtin_interfaces/msg/Duration");

    public int Sec { get; set; }
    public uint Nanosec { get; set; }

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteInt32(Sec);
        writer.WriteUInt32(Nanosec);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Sec = reader.ReadInt32();
        Nanosec = reader.ReadUInt32();
    }
}
