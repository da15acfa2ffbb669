using RlRobotics.Core.Spec;
using RlRobotics.Hil.Rig;

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
    /// <summary>Bytes on a serial bus flipped at random (by the proxy between driver and device). Detected by safe mode.</summary>
    SerialCorrupt,
    /// <summary>Bytes on a serial bus lost at random. Detected by safe mode.</summary>
    SerialDrop,
    /// <summary>Every byte on a serial bus held back for a while. Detected by safe mode.</summary>
    SerialDelay,
    /// <summary>One servo's status packets never reach the driver (its data line cut). Detected by safe mode.</summary>
    ServoSilent,
    /// <summary>The loop wakes up late by a random amount each cycle (a loaded or badly configured host). Detected when the loop counts an overrun.</summary>
    ClockJitter,
    /// <summary>The ROS 2 driver process is killed, and started again when the fault ends. Detected by safe mode (stale joint states).</summary>
    DriverRestart,
    /// <summary>The MQTT broker stops (SIGTERM) and starts again when the fault ends. The loop must not notice; telemetry must not be lost.</summary>
    BrokerRestart,
}

/// <summary>What counts as the safety reaction to a fault.</summary>
public enum Reaction
{
    /// <summary>None expected: a disturbance the controller absorbs, or a fault below the loop (a broker restart).</summary>
    None,
    /// <summary>The filter puts every joint in its safe state (stale or missing state: the watchdog).</summary>
    SafeMode,
    /// <summary>The filter replaces a non-finite command.</summary>
    NonFinite,
    /// <summary>The filter limits a command.</summary>
    Limited,
    /// <summary>The loop counts an overrun (a wake-up a whole period late) and skips the period.</summary>
    Overrun,
}

/// <summary>One scheduled fault: from <see cref="At_s"/> for <see cref="Duration_s"/> of loop time.</summary>
public sealed record Fault(FaultKind Kind, double At_s, double Duration_s, int Line)
{
    /// <summary>Push: the joint pushed and the generalized force (N or N·m).</summary>
    public string? Joint { get; init; }
    public double Force { get; init; }
    /// <summary>AgentOutOfRange: the value commanded.</summary>
    public double Value { get; init; }
    /// <summary>SerialCorrupt, SerialDrop: the probability per byte.</summary>
    public double Probability { get; init; }
    /// <summary>SerialDelay: the delay per byte; ClockJitter: the most a wake-up is late (uniform from 0).</summary>
    public double Delay_ms { get; init; }
    /// <summary>Serial faults: which way they act (default both; silence acts on replies).</summary>
    public SerialDirection Direction { get; init; }
    /// <summary>Serial faults: the bus (a dynamixel component's name; null: the robot's only one).</summary>
    public string? Bus { get; init; }
    /// <summary>ServoSilent: the servo, by its joint's name.</summary>
    public string? Servo { get; init; }
    /// <summary>The reaction that counts as detection (the kind's default unless the scenario says <c>expect:</c>).</summary>
    public Reaction Expect { get; init; } = DefaultReaction(Kind);

    public double End_s => At_s + Duration_s;

    /// <summary>Whether the safety filter (or loop) is expected to react.</summary>
    public bool ExpectsReaction => Expect != Reaction.None;

    public static Reaction DefaultReaction(FaultKind kind) => kind switch
    {
        FaultKind.Push or FaultKind.BrokerRestart => Reaction.None,
        FaultKind.AgentNaN => Reaction.NonFinite,
        FaultKind.AgentOutOfRange => Reaction.Limited,
        FaultKind.ClockJitter => Reaction.Overrun,
        _ => Reaction.SafeMode,
    };

    public string Describe()
    {
        var when = $"at {At_s:0.###} s for {Duration_s:0.###} s";
        return Kind switch
        {
            FaultKind.Push => $"push {Force:0.###} on {Joint} {when}",
            FaultKind.AgentOutOfRange => $"agent outputs {Value:0.###} {when}",
            FaultKind.SerialCorrupt or FaultKind.SerialDrop => $"{Name(Kind)} p = {Probability:0.####} per byte ({Names.Of(Direction)}) {when}",
            FaultKind.SerialDelay => $"serial_delay {Delay_ms:0.###} ms per byte ({Names.Of(Direction)}) {when}",
            FaultKind.ServoSilent => $"servo {Servo} silent {when}",
            FaultKind.ClockJitter => $"clock jitter up to {Delay_ms:0.###} ms {when}",
            _ => $"{Name(Kind)} {when}",
        };
    }

    public static string Name(FaultKind kind) => Names.Kinds.First(k => k.Value == kind).Key;
}

/// <summary>The scenario file's names for fault kinds, reactions and directions.</summary>
public static class Names
{
    public static readonly IReadOnlyDictionary<string, FaultKind> Kinds = new Dictionary<string, FaultKind>
    {
        ["push"] = FaultKind.Push,
        ["sensor_freeze"] = FaultKind.SensorFreeze,
        ["agent_nan"] = FaultKind.AgentNaN,
        ["agent_out_of_range"] = FaultKind.AgentOutOfRange,
        ["serial_corrupt"] = FaultKind.SerialCorrupt,
        ["serial_drop"] = FaultKind.SerialDrop,
        ["serial_delay"] = FaultKind.SerialDelay,
        ["servo_silent"] = FaultKind.ServoSilent,
        ["clock_jitter"] = FaultKind.ClockJitter,
        ["driver_restart"] = FaultKind.DriverRestart,
        ["broker_restart"] = FaultKind.BrokerRestart,
    };

    public static readonly IReadOnlyDictionary<string, Reaction> Reactions = new Dictionary<string, Reaction>
    {
        ["none"] = Reaction.None,
        ["safe_mode"] = Reaction.SafeMode,
        ["non_finite"] = Reaction.NonFinite,
        ["limited"] = Reaction.Limited,
        ["overrun"] = Reaction.Overrun,
    };

    public static readonly IReadOnlyDictionary<string, SerialDirection> Directions = new Dictionary<string, SerialDirection>
    {
        ["both"] = SerialDirection.Both,
        ["instructions"] = SerialDirection.Instructions,
        ["replies"] = SerialDirection.Replies,
    };

    public static string Of(Reaction r) => Reactions.First(k => k.Value == r).Key;
    public static string Of(SerialDirection d) => Directions.First(k => k.Value == d).Key;
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
    /// <summary>Every QoS 1 state sample the fleet link published reached a persistent-session subscriber (needs <c>rig.mqtt_broker</c>).</summary>
    public bool NoLostTelemetry { get; init; }
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
    /// <summary>The rig's own processes: a ROS 2 driver, an MQTT broker.</summary>
    public RigSpec Rig { get; init; } = new();
}

/// <summary>
/// Processes the runner starts, watches and tears down around the node. <see cref="Ros2Driver"/>: the robot file
/// <c>rlr sim serve --ros2</c> serves (the driver a <c>ros2-topics</c> robot talks to). <see cref="MqttBroker"/>: a
/// mosquitto on a free loopback port with persistence, and the robot file's <c>mqtt:</c> section pointed at it.
/// </summary>
public sealed record RigSpec
{
    public string? Ros2Driver { get; init; }
    public int Ros2Domain { get; init; }
    public bool MqttBroker { get; init; }
}
