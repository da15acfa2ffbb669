namespace RlRobotics.Core.Spec;

/// <summary>How a joint moves.</summary>
public enum JointKind
{
    /// <summary>Rotates within position limits (rad).</summary>
    Revolute,
    /// <summary>Slides within position limits (m).</summary>
    Prismatic,
    /// <summary>Rotates without limits; positions wrap (rad).</summary>
    Continuous,
}

/// <summary>What "safe" means for a joint when the safety filter takes over (e-stop, stale state, component error).</summary>
public enum SafeBehavior
{
    /// <summary>Command the position the joint had when the safe state began (needs a position command interface).</summary>
    Hold,
    /// <summary>Command zero effort: the joint goes limp (needs an effort command interface).</summary>
    ZeroEffort,
    /// <summary>Command zero velocity (needs a velocity command interface).</summary>
    ZeroVelocity,
    /// <summary>Passive joint: nothing is commanded.</summary>
    None,
}

/// <summary>
/// Limits of one joint, in SI units of the joint kind: m, m/s, N for prismatic joints; rad, rad/s, N·m for
/// revolute and continuous ones. A null bound means "no limit".
/// </summary>
public sealed record JointLimits
{
    public double? PositionMin { get; init; }
    public double? PositionMax { get; init; }
    /// <summary>Largest |velocity| command and state, m/s or rad/s.</summary>
    public double? Velocity { get; init; }
    /// <summary>Largest |effort| command, N or N·m.</summary>
    public double? Effort { get; init; }
    /// <summary>Largest rate of change of an effort command, N/s or N·m/s.</summary>
    public double? EffortRate { get; init; }
    /// <summary>Largest rate of change of a velocity command (acceleration), m/s² or rad/s².</summary>
    public double? Acceleration { get; init; }
}

/// <summary>Soft position limits (ros2_control's <c>SoftJointLimits</c>): where the filter starts pushing back, and how hard.</summary>
/// <param name="Lower">Soft lower position limit.</param>
/// <param name="Upper">Soft upper position limit.</param>
/// <param name="KPosition">Velocity bound per unit of distance past the soft limit, 1/s.</param>
/// <param name="KVelocity">Effort bound per unit of velocity error, N·s/m or N·m·s/rad.</param>
public sealed record SoftLimits(double Lower, double Upper, double KPosition, double KVelocity);

/// <summary>One joint of the robot.</summary>
public sealed record JointSpec
{
    public required string Name { get; init; }
    public required JointKind Kind { get; init; }
    public required JointLimits Limits { get; init; }
    /// <summary>Soft limits derived from the position limits and the safety settings; null for continuous joints.</summary>
    public SoftLimits? Soft { get; init; }
    public required IReadOnlyList<InterfaceKind> CommandInterfaces { get; init; }
    public required IReadOnlyList<InterfaceKind> StateInterfaces { get; init; }
    public required SafeBehavior Safe { get; init; }

    public bool Commands(InterfaceKind kind) => CommandInterfaces.Contains(kind);
    public bool Reports(InterfaceKind kind) => StateInterfaces.Contains(kind);
}
