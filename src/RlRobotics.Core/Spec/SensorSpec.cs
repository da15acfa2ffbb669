namespace RlRobotics.Core.Spec;

/// <summary>
/// A sensor that is not a joint encoder, exporting named state interfaces <c>sensor/field</c>
/// (e.g. <c>base/x</c>, <c>imu/angular_velocity_z</c>).
/// </summary>
public sealed record SensorSpec
{
    public required string Name { get; init; }
    /// <summary>Free-form kind, for tools (<c>odometry</c>, <c>imu</c>, <c>force_torque</c>).</summary>
    public required string Kind { get; init; }
    /// <summary>The fields it reports; each is exported as the state interface <c>name/field</c>.</summary>
    public required IReadOnlyList<string> Fields { get; init; }

    public IEnumerable<string> InterfaceNames => Fields.Select(f => $"{Name}/{f}");
}
