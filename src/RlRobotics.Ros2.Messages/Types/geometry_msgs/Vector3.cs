using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.geometry_msgs;

/// <summary><c>geometry_msgs/msg/Vector3</c>: A 3-vector; units depend on use (m, m/s, rad/s, N, N·m).</summary>
public sealed class Vector3 : IRosMessage<Vector3>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("geometry_msgs/msg/Vector3");

    public double X { get; set; }
    public double Y { get; set; }
    public double Z { get; set; }

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteFloat64(X);
        writer.WriteFloat64(Y);
        writer.WriteFloat64(Z);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        X = reader.ReadFloat64();
        Y = reader.ReadFloat64();
        Z = reader.ReadFloat64();
    }
}
