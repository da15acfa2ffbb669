using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.trajectory_msgs;

/// <summary><c>trajectory_msgs/msg/JointTrajectoryPoint</c>: One trajectory point: positions (rad or m), velocities, accelerations, efforts, and the time from the trajectory start.</summary>
public sealed class JointTrajectoryPoint : IRosMessage<JointTrajectoryPoint>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("trajectory_msgs/msg/JointTrajectoryPoint");

    public List<double> Positions { get; set; } = [];
    public List<double> Velocities { get; set; } = [];
    public List<double> Accelerations { get; set; } = [];
    public List<double> Effort { get; set; } = [];
    public builtin_interfaces.Duration TimeFromStart { get; set; } = new();

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        writer.WriteSequence(Positions);
        writer.WriteSequence(Velocities);
        writer.WriteSequence(Accelerations);
        writer.WriteSequence(Effort);
        TimeFromStart.WriteTo(writer);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        reader.ReadSequence(Positions);
        reader.ReadSequence(Velocities);
        reader.ReadSequence(Accelerations);
        reader.ReadSequence(Effort);
        TimeFromStart.ReadFrom(ref reader);
    }
}
