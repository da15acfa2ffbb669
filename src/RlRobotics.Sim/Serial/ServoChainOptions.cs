using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Sim.Models;

namespace RlRobotics.Sim.Serial;

/// <summary>What a <see cref="ServoChainDouble"/> simulates: the servos, the mechanism they move, its friction and time.</summary>
public sealed record ServoChainOptions
{
    /// <summary>The servos, with the same mounting (direction, offset, zero tick) the driver uses.</summary>
    public required IReadOnlyList<ServoSettings> Servos { get; init; }

    /// <summary>The mechanism the servos move (its joints named as the servos' joints); null: each servo turns its own rotor.</summary>
    public IMechanicalModel? Model { get; init; }

    /// <summary>Without a model: each rotor's inertia at the output, kg·m² (motor and gearbox reflected).</summary>
    public double RotorInertia_kgm2 { get; init; } = 0.01;

    /// <summary>Gearbox friction at each output: viscous N·m·s/rad and Coulomb N·m.</summary>
    public double Viscous { get; init; } = 0.02;
    public double Coulomb { get; init; } = 0.01;

    /// <summary>Initial state in model order (positions, velocities); zeros when null.</summary>
    public double[]? InitialState { get; init; }

    /// <summary>The clock motion is integrated on (the loop's clock in-process; the wall clock standalone).</summary>
    public IClock Clock { get; init; } = WallClock.Instance;

    /// <summary>Seed for the random faults.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// A bench chain: XM430-W350s with the given ids in position mode, joints <c>j1</c>, <c>j2</c> …, the horn's centre
    /// (tick 2048) at 0 rad, each turning its own rotor.
    /// </summary>
    public static IReadOnlyList<ServoSettings> PositionServos(IEnumerable<byte> ids) =>
        ids.Select((id, i) => new ServoSettings($"j{i + 1}", id, ServoModels.XM430W350, OperatingMode.Position, InterfaceKind.Position,
            new ServoScale(ServoModels.XM430W350, 1, 0, 2048))).ToList();

    /// <summary>
    /// Reads a dynamixel component's <c>simulation</c> mapping: <c>model</c> and <c>params</c> (as for <c>type: sim</c>;
    /// absent: independent rotors of <c>rotor_inertia</c>), <c>friction: { viscous, coulomb }</c> and <c>initial_state</c>.
    /// Problems go to the robot file's diagnostics.
    /// </summary>
    public static ServoChainOptions From(DynamixelSettings settings, ComponentContext context)
    {
        var node = settings.Simulation;
        IMechanicalModel? model = null;
        if (!node["model"].IsMissing)
            model = ModelFactory.Create(node.String("model"), node["model"], node["params"], context.Spec.Joints, Array.Empty<string>());
        else if (!node["params"].IsMissing)
            node["params"].Error("params need a model (e.g. model: arm2)");
        var inertia = node.Double("rotor_inertia", 0.01, v => v > 0, "an inertia above 0 kg·m²");
        var friction = node["friction"];
        friction.ExpectMapping(optional: true);
        var viscous = friction.Double("viscous", 0.02, v => v >= 0, "a coefficient of at least 0");
        var coulomb = friction.Double("coulomb", 0.01, v => v >= 0, "a torque of at least 0");
        friction.RejectUnknownKeys();
        var size = 2 * context.Spec.Joints.Count;
        var initial = context.InitialState ?? node.Doubles("initial_state", size);
        if (initial is not null && initial.Length != size)
            throw new ArgumentException($"--initial-state: expected {size} numbers (positions then velocities), got {initial.Length}");
        node.RejectUnknownKeys();
        return new ServoChainOptions
        {
            Servos = settings.Servos,
            Model = model,
            RotorInertia_kgm2 = inertia,
            Viscous = viscous,
            Coulomb = coulomb,
            InitialState = initial,
            Clock = context.LoopClock,
            Seed = context.Seed,
        };
    }
}
