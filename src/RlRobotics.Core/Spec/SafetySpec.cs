namespace RlRobotics.Core.Spec;

/// <summary>Safety-filter settings.</summary>
public sealed record SafetySpec
{
    /// <summary>Longest tolerated age of the state, s; older state makes every joint safe.</summary>
    public required double Watchdog_s { get; init; }
    /// <summary>Distance inside the hard position limits where the soft limits sit (m or rad).</summary>
    public required double SoftMargin { get; init; }
    /// <summary>ros2_control soft-limit gain from position error to velocity bound, 1/s.</summary>
    public required double KPosition { get; init; }
    /// <summary>ros2_control soft-limit gain from velocity error to effort bound.</summary>
    public required double KVelocity { get; init; }
}
