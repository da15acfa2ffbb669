namespace RlRobotics.Core.Spec;

/// <summary>
/// A hardware component entry: which driver (<see cref="Type"/>) serves which joints and sensors, with the
/// driver's own settings left as a <see cref="ConfigNode"/> so the driver validates them with locations.
/// </summary>
public sealed record ComponentSpec
{
    public required string Name { get; init; }
    /// <summary>The registry key, e.g. <c>sim</c>, <c>dynamixel</c>, <c>ros2-topics</c>.</summary>
    public required string Type { get; init; }
    public required IReadOnlyList<string> Joints { get; init; }
    public required IReadOnlyList<string> Sensors { get; init; }
    /// <summary>The <c>settings:</c> mapping, read by the component's factory.</summary>
    public required ConfigNode Settings { get; init; }
    /// <summary>Where the entry is, for errors raised later (unknown type, claim conflicts).</summary>
    public required ConfigNode Node { get; init; }
}
