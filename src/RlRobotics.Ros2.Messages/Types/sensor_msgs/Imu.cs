using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.sensor_msgs;

/// <summary><c>sensor_msgs/msg/Imu</c>: IMU sample: orientation quaternion, angular velocity (rad/s), linear acceleration (m/s²), each with a row-major 3×3 covariance.</summary>
public sealed class Imu : IRosMessage<Imu>
{
    public const int OrientationCovarianceLength = 9;
    public const int AngularVelocityCovarianceLength = 9;
    public const int LinearAccelerationCovarianceLength = 9;

    public static MessageSchema Schema { get; } = BuiltinTypes.Message("sensor_msgs/msg/Imu");

    public std_msgs.Header Header { get; set; } = new();
    public geometry_msgs.Quaternion Orientation { get; set; } = new();
    public double[] OrientationCovariance { get; set; } = new double[OrientationCovarianceLength];
    public geometry_msgs.Vector3 AngularVelocity { get; set; } = new();
    public double[] AngularVelocityCovariance { get; set; } = new double[AngularVelocityCovarianceLength];
    public geometry_msgs.Vector3 LinearAcceleration { get; set; } = new();
    public double[] LinearAccelerationCovariance { get; set; } = new double[LinearAccelerationCovarianceLength];

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        Header.WriteTo(writer);
        Orientation.WriteTo(writer);
        CdrFieldChecks.FixedLength(OrientationCovariance, OrientationCovarianceLength, "sensor_msgs/msg/Imu.orientation_covariance");
        writer.WriteFloat64s(OrientationCovariance);
        AngularVelocity.WriteTo(writer);
        CdrFieldChecks.FixedLength(AngularVelocityCovariance, AngularVelocityCovarianceLength, "sensor_msgs/msg/Imu.angular_velocity_covariance");
        writer.WriteFloat64s(AngularVelocityCovariance);
        LinearAcceleration.WriteTo(writer);
        CdrFieldChecks.FixedLength(LinearAccelerationCovariance, LinearAccelerationCovarianceLength, "sensor_msgs/msg/Imu.linear_acceleration_covariance");
        writer.WriteFloat64s(LinearAccelerationCovariance);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Header.ReadFrom(ref reader);
        Orientation.ReadFrom(ref reader);
        if (OrientationCovariance.Length != OrientationCovarianceLength) OrientationCovariance = new double[OrientationCovarianceLength];
        reader.ReadFloat64s(OrientationCovariance);
        AngularVelocity.ReadFrom(ref reader);
        if (AngularVelocityCovariance.Length != AngularVelocityCovarianceLength) AngularVelocityCovariance = new double[AngularVelocityCovarianceLength];
        reader.ReadFloat64s(AngularVelocityCovariance);
        LinearAcceleration.ReadFrom(ref reader);
        if (LinearAccelerationCovariance.Length != LinearAccelerationCovarianceLength) LinearAccelerationCovariance = new double[LinearAccelerationCovarianceLength];
        reader.ReadFloat64s(LinearAccelerationCovariance);
    }
}
