using RlRobotics.Core.Spec;

namespace RlRobotics.Hil.Scenarios;

/// <summary>What a fault does to the rig. Each kind says which safety reaction counts as its detection.</summary>
public enum FaultKind
{
    /// <summary>An external force on a joint of the simulated robot (a disturbance: no detection expected, only recovery).</summary>
    Push,
    /// <summary>The sensors stop updating: values and time stamps freeze. Detected when the watchdog puts the robot in safe mode.</summary>
    SensorFreeze,
    /// <summary>The agent outputs NaN on every command it claims. Detected when the filter replaces a non-finite command.</summary>
    AgentNaN,
    /// <summary>The agent outputs a value beyond the joint's limits. Detected when the filter limits a command.</summary>
    AgentOutOfRange,
}

/// <summary>One scheduled fault: from <see cref="At_s"/> for <see cref="Duration_s"/> of loop time.</summary>
public sealed record Fault(FaultKind Kind, double At_s, double Duration_s, int Line)
{
    /// <summary>Push: the joint pushed and the generalized force (N or N·m).</summary>
    public string? Joint { get; init; }
    public double Force { get; init; }
    /// <summary>AgentOutOfRange: the value commanded.</summary>
    public double Value { get; init; }

    public double End_s => At_s + Duration_s;

    /// <summary>Whether the safety filter is expected to react (everything but a push).</summary>
    public bool ExpectsReaction => Kind != FaultKind.Push;

    public string Describe() => Kind switch
    {
        FaultKind.Push => $"push {Force:0.###} on {Joint} at {At_s:0.###} s for {Duration_s:0.###} s",
        FaultKind.AgentOutOfRange => $"agent outputs {Value:0.###} at {At_s:0.###} s for {Duration_s:0.###} s",
        _ => $"{Name(Kind)} at {At_s:0.###} s for {Duration_s:0.###} s",
    };

    public static string Name(FaultKind kind) => kind switch
    {
        FaultKind.Push => "push",
        FaultKind.SensorFreeze => "sensor_freeze",
        FaultKind.AgentNaN => "agent_nan",
        FaultKind.AgentOutOfRange => "agent_out_of_range",
        _ => kind.ToString(),
    };
}

/// <summary>A bound on |state − goal| from <see cref="From_s"/> until <see cref="Until_s"/> (the end of the run when null).</summary>
public sealed record TrackingBound(string Interface, double Goal, double Bound, double From_s, double? Until_s = null);

/// <summary>Pass criteria; absent ones are not checked.</summary>
public sealed record Criteria
{
    public IReadOnlyList<TrackingBound> Tracking { get; init; } = [];
    /// <summary>Every fault that expects a reaction gets it within this many seconds of loop time.</summary>
    public double? SafeWithin_s { get; init; }
    /// <summary>After every fault ends, the robot is back (out of safe mode, within <see cref="RecoveryTolerance"/>) within this.</summary>
    public double? RecoverWithin_s { get; init; }
    /// <summary>Interfaces and tolerances that define "back" after a fault (with the goals of <see cref="Tracking"/> or the task).</summary>
    public IReadOnlyDictionary<string, double> RecoveryTolerance { get; init; } = new Dictionary<string, double>();
    /// <summary>How long the robot must stay back to count as recovered.</summary>
    public double RecoveryHold_s { get; init; } = 0.5;
    /// <summary>Whether the e-stop must be latched at the end (a fault that must stop the robot until a person releases it), or must not be.</summary>
    public bool? EStopLatched { get; init; }
    /// <summary>No command reaching an actuator is non-finite or beyond its joint's limits (on unless switched off).</summary>
    public bool NoUnsafeCommands { get; init; } = true;
}

/// <summary>A HIL scenario: the robot file, controller, run, faults and the criteria that decide pass or fail.</summary>
public sealed record Scenario
{
    public required string Name { get; init; }
    public required string File { get; init; }
    public string Description { get; init; } = "";
    /// <summary>The robot file, absolute.</summary>
    public required string Robot { get; init; }
    public string? Controller { get; init; }
    public required double Duration_s { get; init; }
    /// <summary><c>sim</c> (deterministic, as fast as the CPU allows) or <c>wall</c> (real time).</summary>
    public string Clock { get; init; } = "sim";
    public int Seed { get; init; }
    public double[]? InitialState { get; init; }
    public IReadOnlyList<Fault> Faults { get; init; } = [];
    public Criteria Criteria { get; init; } = new();
    /// <summary>Goals by interface for recovery (from <c>criteria.recovery.goals</c>, else the tracking bounds).</summary>
    public IReadOnlyDictionary<string, double> Goals { get; init; } = new Dictionary<string, double>();
}
