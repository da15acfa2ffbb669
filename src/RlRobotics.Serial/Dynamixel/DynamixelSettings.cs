using RlRobotics.Core.Spec;
using RlRobotics.Hal.Components;

namespace RlRobotics.Serial.Dynamixel;

/// <summary>Operating Mode (register 11) values.</summary>
public enum OperatingMode : byte
{
    /// <summary>Goal Current: the joint's effort command.</summary>
    Current = 0,
    /// <summary>Goal Velocity: the joint's velocity command.</summary>
    Velocity = 1,
    /// <summary>Goal Position within one turn (0 … 4095).</summary>
    Position = 3,
    /// <summary>Goal Position over ±256 turns.</summary>
    ExtendedPosition = 4,
    /// <summary>Goal Position with the current limited by Goal Current.</summary>
    CurrentPosition = 5,
}

/// <summary>How the state is read each cycle.</summary>
public enum ReadMethod
{
    /// <summary>Sync Read: one status packet per servo.</summary>
    Sync,
    /// <summary>Fast Sync Read: one status packet for the whole chain.</summary>
    FastSync,
}

/// <summary>One servo of a chain: which joint it moves and how its ticks map to the joint.</summary>
/// <param name="Joint">The robot joint.</param>
/// <param name="Id">Bus id, 0 … 252.</param>
/// <param name="Model">The servo model (checked against the ping at configure).</param>
/// <param name="Mode">Operating mode, from the joint's command interface unless given.</param>
/// <param name="Command">The joint's command interface, or null for a servo that is only read.</param>
/// <param name="Scale">Unit conversions for this servo.</param>
public sealed record ServoSettings(string Joint, byte Id, ServoModel Model, OperatingMode Mode, InterfaceKind? Command, ServoScale Scale);

/// <summary>
/// The <c>settings</c> of a <c>type: dynamixel</c> component, validated with locations:
/// <code>
/// port: /dev/ttyUSB0            # or 'simulated': rlr starts a servo-chain double on a pseudo-terminal
/// baud: 1000000
/// read: sync                    # or fast_sync
/// return_delay_us: 0            # written to every servo's Return Delay Time at configure
/// retries: 1
/// breaker: { failures: 3, break_s: 0.2 }   # failed transactions in a row; rest before one trial
/// adapter_latency_ms: 1         # the USB adapter's latency timer (1 in low-latency mode)
/// margin_ms: 1                  # added to every reply deadline
/// late_reply_ms: 20             # after a reply goes missing, send nothing until the line is quiet this long (0: off)
/// servos:
///   shoulder: { id: 1, model: XM430-W350, mode: current, direction: 1, offset: 0.0, zero: 2048 }
/// simulation: { model: arm2, params: {...} }   # only with port: simulated
/// </code>
/// </summary>
public sealed record DynamixelSettings
{
    /// <summary>The value of <c>port</c> that asks for a simulated bus.</summary>
    public const string SimulatedPort = "simulated";

    public required string Port { get; init; }
    public required int Baud { get; init; }
    public required ReadMethod Read { get; init; }
    public required double ReturnDelay_us { get; init; }
    public required DynamixelBusOptions Bus { get; init; }
    public required IReadOnlyList<ServoSettings> Servos { get; init; }
    /// <summary>The <c>simulation</c> mapping (for the servo-chain double); missing for real hardware.</summary>
    public required ConfigNode Simulation { get; init; }

    public bool Simulated => Port == SimulatedPort;

    /// <summary>Reads and validates <paramref name="context"/>'s settings; problems go to the robot file's diagnostics.</summary>
    public static DynamixelSettings From(ComponentContext context)
    {
        var spec = context.Spec;
        var s = spec.Settings;
        s.ExpectMapping();
        var port = s.String("port");
        var baud = s.Int("baud", 1_000_000, 9600, 10_500_000);
        var read = s.Enum<ReadMethod>("read", ReadMethod.Sync);
        var returnDelay = s.Double("return_delay_us", 0, v => v >= 0 && v <= 508 && v % 2 == 0, "an even number of µs from 0 to 508");
        var retries = s.Int("retries", 1, 0, 10);
        var latency = s.Double("adapter_latency_ms", 1, v => v >= 0 && v <= 50, "0 … 50 ms");
        var margin = s.Double("margin_ms", 1, v => v >= 0 && v <= 1000, "0 … 1000 ms");
        var late = s.Double("late_reply_ms", 20, v => v >= 0 && v <= 1000, "0 … 1000 ms (0 turns the guard off)");
        var breaker = s["breaker"];
        breaker.ExpectMapping(optional: true);
        var failures = breaker.Int("failures", 3, 1, 1000);
        var rest = breaker.Double("break_s", 0.2, v => v >= 0.001 && v <= 3600, "0.001 … 3600 s");
        breaker.RejectUnknownKeys();
        var simulation = s["simulation"];
        if (port == SimulatedPort) simulation.ExpectMapping();
        else if (!simulation.IsMissing) simulation.Error($"a simulation is only used with port: {SimulatedPort}");

        var servos = new List<ServoSettings>();
        var servoNode = s["servos"];
        if (servoNode.ExpectMapping())
        {
            var ids = new Dictionary<int, string>();
            foreach (var (joint, node) in servoNode.Entries())
            {
                if (!spec.Joints.Contains(joint))
                {
                    node.Error($"joint '{joint}' is not served by this component; it serves: {string.Join(", ", spec.Joints)}");
                    continue;
                }
                if (ReadServo(context, joint, node) is not { } servo) continue;
                if (!ids.TryAdd(servo.Id, joint)) node["id"].Error($"id {servo.Id} is already used by joint '{ids[servo.Id]}'");
                servos.Add(servo);
            }
            foreach (var joint in spec.Joints.Where(j => servos.All(x => x.Joint != j)))
                servoNode.Error($"joint '{joint}' has no servo; add '{joint}: {{ id: N, model: XM430-W350 }}'");
        }
        return new DynamixelSettings
        {
            Port = port,
            Baud = baud,
            Read = read,
            ReturnDelay_us = returnDelay,
            Bus = new DynamixelBusOptions
            {
                Retries = retries,
                BreakerFailures = failures,
                BreakDuration = TimeSpan.FromSeconds(double.IsNaN(rest) ? 0.2 : rest),
                ReturnDelay_us = double.IsNaN(returnDelay) ? 0 : returnDelay,
                AdapterLatency = TimeSpan.FromMilliseconds(double.IsNaN(latency) ? 1 : latency),
                Margin = TimeSpan.FromMilliseconds(double.IsNaN(margin) ? 1 : margin),
                LateReplyHorizon = TimeSpan.FromMilliseconds(double.IsNaN(late) ? 20 : late),
            },
            Servos = servos.OrderBy(x => spec.Joints.ToList().IndexOf(x.Joint)).ToList(),
            Simulation = simulation,
        };
    }

    private static ServoSettings? ReadServo(ComponentContext context, string jointName, ConfigNode node)
    {
        if (!node.ExpectMapping()) return null;
        var joint = context.Robot.Joint(jointName)!;
        var id = node.Int("id", -1, 0, 252);
        if (node["id"].IsMissing) node["id"].Error("missing; expected the servo's bus id (0 … 252)");
        var modelName = node.String("model", "XM430-W350");
        var model = ServoModels.Find(modelName);
        if (model is null) node["model"].Error($"unknown servo model '{modelName}'; known: {string.Join(", ", ServoModels.All.Select(m => m.Name))}");
        if (joint.CommandInterfaces.Count > 1)
            node.Error($"joint '{jointName}' lists {joint.CommandInterfaces.Count} command interfaces; a servo takes one (its operating mode)");
        InterfaceKind? command = joint.CommandInterfaces.Count > 0 ? joint.CommandInterfaces[0] : null;
        var fallback = command switch
        {
            InterfaceKind.Effort => OperatingMode.Current,
            InterfaceKind.Velocity => OperatingMode.Velocity,
            _ => joint.Kind == JointKind.Continuous ? OperatingMode.ExtendedPosition : OperatingMode.Position,
        };
        var mode = node.Enum<OperatingMode>("mode", fallback);
        var fits = command switch
        {
            InterfaceKind.Effort => mode == OperatingMode.Current,
            InterfaceKind.Velocity => mode == OperatingMode.Velocity,
            InterfaceKind.Position => mode is OperatingMode.Position or OperatingMode.ExtendedPosition or OperatingMode.CurrentPosition,
            _ => true,
        };
        if (!fits)
            node["mode"].Error($"mode '{ConfigNode.SnakeCase(mode.ToString())}' does not take the joint's {InterfaceName.Suffix(command!.Value)} command; " +
                               $"use {(command == InterfaceKind.Effort ? "current" : command == InterfaceKind.Velocity ? "velocity" : "position, extended_position or current_position")}");
        var direction = node.Int("direction", 1, -1, 1);
        if (direction == 0) node["direction"].Error("expected 1 or -1, got 0");
        var offset = node.Double("offset", 0.0, double.IsFinite, "an angle in rad");
        var zero = node.Int("zero", 2048, -1_048_575, 1_048_575);
        node.RejectUnknownKeys();
        if (model is null || id < 0 || direction == 0 || double.IsNaN(offset)) return null;
        return new ServoSettings(jointName, (byte)id, model, mode, command, new ServoScale(model, direction, offset, zero));
    }
}
