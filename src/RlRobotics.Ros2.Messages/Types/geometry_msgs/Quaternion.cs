using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.geometry_msgs;

/// <summary><c>geometry_msgs/msg/Quaternion</c>: An orientation as a quaternion (x, y, z, w); the default is the identity (w = 1).</summary>
public sealed class Quaternion : IRosMessage<Quaternion>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("geometry_msgs/msg/Quaternion");

    public double X { get; set; }
    public double Y { get; set; }
    public double Z { get; set; }
    public double W { get; set; } = 1.0;

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteFloat64(X);
        writer.WriteFloat64(Y);
        writer.WriteFloat64(Z);
        writer.WriteFloat64(W);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        X = reader.ReadFloat64();
        Y = reader.ReadFloat64();
        Z = reader.ReadFloat64();
        W = reader.ReadFloat64();
    }
}
