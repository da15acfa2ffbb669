using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Components;
using RlRobotics.Sim.Models;

namespace RlRobotics.Sim.Components;

/// <summary>
/// A simulated robot served as a hardware component (<c>type: sim</c>). Between two reads it integrates the
/// model with RK4 sub-steps over the real elapsed loop time, applying what a real drive would: each joint's
/// command mode (its first command interface: effort directly, velocity and position through the drive's own
/// servo loop), effort saturation at the joint's limit, Coulomb and viscous friction, actuation latency and
/// sensor noise. Faults can be injected for tests and HIL rigs (frozen sensors, failed reads, pushes).
/// </summary>
public sealed class SimulatedSystem : HardwareComponent
{
    public const string TypeName = "sim";

    private readonly IMechanicalModel _model;
    private readonly Rk4 _rk4;
    private readonly int _dof;
    private readonly double[] _x, _xNext, _noUse = Array.Empty<double>();
    private readonly JointDrive[] _drives;
    private readonly double[] _external;
    private readonly (int State, int Model)[] _outputs;
    private readonly double[] _outputNoise;
    private readonly Random _random;
    private readonly double _maxStep_s;
    private readonly int _latencyCycles;
    private long _simTime_ns = long.MinValue;
    private long _pushUntil_ns;
    private double _spareGaussian = double.NaN;

    /// <summary>The drive of one joint: command mode, servo gains, limits, friction, latency line.</summary>
    private sealed class JointDrive
    {
        public required string Joint;
        public InterfaceKind? Mode;
        public int CommandIndex = -1;
        public int EffortStateIndex = -1;
        public double EffortLimit = double.PositiveInfinity;
        public double Viscous, Coulomb;
        public double Kp, Kd, Kv;
        public required double[] Delay;   // latency line of commanded values
        public int DelayHead;
        public double Command;            // value in effect now
        public double Applied;            // last applied effort
    }

    public SimulatedSystem(ComponentContext context)
        : base(context.Spec.Name, TypeName, StateNames(context), CommandNames(context))
    {
        var spec = context.Spec;
        var robot = context.Robot;
        var s = spec.Settings;
        var kind = s.String("model");
        _model = ModelFactory.Create(kind, s["model"], s["params"], spec.Joints, spec.Sensors)
                 ?? new Pendulum(new PendulumParameters()); // placeholder; the factory already recorded the error
        _rk4 = new Rk4(new ServoPlant(this));
        _dof = _model.Joints.Count;
        _x = new double[_model.StateSize];
        _xNext = new double[_model.StateSize];
        _external = new double[_dof];

        var substeps = s.Int("substeps", 4, 1, 1000);
        _maxStep_s = robot.Period_s / substeps;
        var latency = s.Double("latency_s", 0.0, v => v >= 0 && v <= 1, "a latency from 0 to 1 s");
        _latencyCycles = (int)Math.Round(latency * robot.RateHz);

        var servo = s["servo"];
        servo.ExpectMapping(optional: true);
        var kp = servo.Double("kp", 100.0, v => v >= 0, "a gain of at least 0");
        var kd = servo.Double("kd", 10.0, v => v >= 0, "a gain of at least 0");
        var kv = servo.Double("kv", 5.0, v => v >= 0, "a gain of at least 0");
        servo.RejectUnknownKeys();

        var friction = s["friction"];
        var frictionByJoint = new Dictionary<string, (double Viscous, double Coulomb)>();
        foreach (var (joint, node) in friction.Entries())
        {
            if (!spec.Joints.Contains(joint)) { node.Error($"unknown joint '{joint}'; this component serves: {string.Join(", ", spec.Joints)}"); continue; }
            node.ExpectMapping();
            frictionByJoint[joint] = (node.Double("viscous", 0.0, v => v >= 0, "a coefficient of at least 0"),
                                      node.Double("coulomb", 0.0, v => v >= 0, "a force of at least 0"));
            node.RejectUnknownKeys();
        }

        _drives = new JointDrive[_dof];
        for (var i = 0; i < _dof; i++)
        {
            var joint = robot.Joint(spec.Joints[i])!;
            var (viscous, coulomb) = frictionByJoint.GetValueOrDefault(joint.Name);
            var actuated = _model.ActuatedJoints.Contains(i);
            if (!actuated && joint.CommandInterfaces.Count > 0)
                s["model"].Error($"joint '{joint.Name}' is passive in model '{kind}', so it cannot have command interfaces");
            _drives[i] = new JointDrive
            {
                Joint = joint.Name,
                Mode = actuated && joint.CommandInterfaces.Count > 0 ? joint.CommandInterfaces[0] : null,
                EffortLimit = joint.Limits.Effort ?? double.PositiveInfinity,
                Viscous = viscous, Coulomb = coulomb, Kp = kp, Kd = kd, Kv = kv,
                Delay = new double[_latencyCycles + 1],
            };
        }

        var noise = s["noise"];
        noise.ExpectMapping(optional: true);
        var positionStd = noise.Double("position_std", 0.0, v => v >= 0, "a standard deviation of at least 0");
        var velocityStd = noise.Double("velocity_std", 0.0, v => v >= 0, "a standard deviation of at least 0");
        var sensorStd = noise.Double("sensor_std", 0.0, v => v >= 0, "a standard deviation of at least 0");
        noise.RejectUnknownKeys();
        _random = new Random(unchecked(context.Seed * 7919 + StableHash(spec.Name)));

        var fromFile = s.Doubles("initial_state");
        var initial = context.InitialState ?? fromFile ?? new double[_model.StateSize];
        if (initial.Length != _model.StateSize)
        {
            var expected = $"expected {_model.StateSize} numbers [{string.Join(", ", _model.StateNames)}], got {initial.Length}";
            if (context.InitialState is not null) throw new ArgumentException($"--initial-state: {expected}");
            s["initial_state"].Error(expected);
        }
        else initial.CopyTo(_x, 0);

        // State outputs: each exported state interface comes from one model state (or the applied effort).
        var outputs = new List<(string Name, int Model, double Std)>();
        foreach (var name in StateInterfaces)
        {
            var m = _model.StateNames.ToList().IndexOf(name);
            if (m >= 0)
            {
                var std = name.EndsWith("/position", StringComparison.Ordinal) && m < _dof ? positionStd
                        : name.EndsWith("/velocity", StringComparison.Ordinal) && m < 2 * _dof ? velocityStd
                        : sensorStd;
                outputs.Add((name, m, std));
            }
            else if (!name.EndsWith("/effort", StringComparison.Ordinal))
            {
                s["model"].Error($"model '{kind}' does not provide state interface '{name}'; it provides: {string.Join(", ", _model.StateNames)} and joint efforts");
            }
        }
        _outputNames = outputs.Select(o => o.Name).ToArray();
        _outputs = outputs.Select(o => (-1, o.Model)).ToArray();
        _outputNoise = outputs.Select(o => o.Std).ToArray();
        Model = _model;
    }

    private readonly string[] _outputNames;

    /// <summary>The simulated mechanism.</summary>
    public IMechanicalModel Model { get; }

    /// <summary>Null: the physics steps on the loop's clock.</summary>
    public override string? RealTimeOnly => null;

    /// <summary>True state of the simulation (no noise), in model order.</summary>
    public ReadOnlySpan<double> TrueState => _x;

    /// <summary>Fault: the sensors stop updating (values and time stamp freeze).</summary>
    public bool FreezeSensors { get; set; }

    /// <summary>Fault: every read reports an error.</summary>
    public bool FailReads { get; set; }

    /// <summary>Applies an external generalized force on joint <paramref name="dof"/> until <paramref name="until_ns"/> (a push).</summary>
    public void Push(int dof, double force, long until_ns)
    {
        _external[dof] = force;
        _pushUntil_ns = until_ns;
    }

    private static IReadOnlyList<string> StateNames(ComponentContext c) =>
        c.Spec.Joints.SelectMany(j => c.Robot.Joint(j)!.StateInterfaces.Select(k => InterfaceName.Of(j, k)))
            .Concat(c.Spec.Sensors.SelectMany(sn => c.Robot.Sensors.First(x => x.Name == sn).InterfaceNames))
            .ToList();

    private static IReadOnlyList<string> CommandNames(ComponentContext c) =>
        c.Spec.Joints.SelectMany(j => c.Robot.Joint(j)!.CommandInterfaces.Select(k => InterfaceName.Of(j, k))).ToList();

    private static int StableHash(string s)
    {
        unchecked
        {
            var h = 17;
            foreach (var ch in s) h = h * 31 + ch;
            return h;
        }
    }

    public override void Bind(StateFrame state, CommandFrame command)
    {
        (_stateFrame, _commandFrame) = (state, command);
        for (var i = 0; i < _outputs.Length; i++) _outputs[i].State = state.Require(_outputNames[i]);
        foreach (var d in _drives)
        {
            if (d.Mode is { } mode) d.CommandIndex = command.Require(InterfaceName.Of(d.Joint, mode));
            d.EffortStateIndex = state.IndexOf(InterfaceName.Of(d.Joint, InterfaceKind.Effort));
        }
    }

    protected override CallbackResult OnActivate()
    {
        // A drive switched on holds still: position mode holds where the joint is, other modes command zero.
        for (var i = 0; i < _dof; i++)
        {
            var d = _drives[i];
            var hold = d.Mode == InterfaceKind.Position ? _x[i] : 0.0;
            Array.Fill(d.Delay, hold);
            d.Command = hold;
        }
        return CallbackResult.Success;
    }

    protected override CallbackResult OnDeactivate()
    {
        foreach (var d in _drives) d.Mode = d.Mode is null ? null : InterfaceKind.Effort;
        foreach (var d in _drives) { d.Command = 0; Array.Fill(d.Delay, 0.0); }
        return CallbackResult.Success;
    }

    public override HardwareResult Read(in CycleTime time)
    {
        if (FailReads)
        {
            LastError = $"simulated read failure on '{Name}'";
            return HardwareResult.Error;
        }
        Advance(time.Now_ns);
        if (FreezeSensors) return HardwareResult.Ok; // values and stamp stay as they were
        var state = _stateFrame!.Values;
        for (var i = 0; i < _outputs.Length; i++)
        {
            var (s, m) = _outputs[i];
            state[s] = _x[m] + (_outputNoise[i] > 0 ? _outputNoise[i] * Gaussian() : 0);
        }
        foreach (var d in _drives)
            if (d.EffortStateIndex >= 0) state[d.EffortStateIndex] = d.Applied;
        StateStamp_ns = time.Now_ns;
        return HardwareResult.Ok;
    }

    public override HardwareResult Write(in CycleTime time)
    {
        var command = _commandFrame!.Values;
        foreach (var d in _drives)
        {
            if (d.CommandIndex < 0) continue;
            // The latency line: what was written latencyCycles writes ago takes effect now.
            d.Delay[d.DelayHead] = command[d.CommandIndex];
            d.DelayHead = (d.DelayHead + 1) % d.Delay.Length;
            d.Command = d.Delay[d.DelayHead];
        }
        return HardwareResult.Ok;
    }

    private StateFrame? _stateFrame;
    private CommandFrame? _commandFrame;

    // Integrates from the last simulated time to now in equal RK4 sub-steps no longer than the maximum step.
    private void Advance(long now_ns)
    {
        if (_simTime_ns == long.MinValue) { _simTime_ns = now_ns; return; }
        var dt = (now_ns - _simTime_ns) * 1e-9;
        if (dt <= 0) return;
        var steps = (int)Math.Ceiling(dt / _maxStep_s - 1e-9);
        var h = dt / steps;
        for (var k = 0; k < steps; k++)
        {
            if (_pushUntil_ns != 0 && _simTime_ns + (long)(k * h * 1e9) >= _pushUntil_ns) { Array.Clear(_external); _pushUntil_ns = 0; }
            _rk4.Step(_x, _noUse, h, _xNext);
            _xNext.CopyTo(_x, 0);
        }
        _simTime_ns = now_ns;
    }

    // Generalized force on joint i from its drive, friction and any push, at state x.
    private double JointForce(int i, ReadOnlySpan<double> x)
    {
        var d = _drives[i];
        var q = x[i];
        var qd = x[_dof + i];
        double tau = d.Mode switch
        {
            InterfaceKind.Effort => d.Command,
            InterfaceKind.Velocity => d.Kv * (d.Command - qd),
            InterfaceKind.Position => d.Kp * (d.Command - q) - d.Kd * qd,
            _ => 0.0,
        };
        tau = Math.Clamp(tau, -d.EffortLimit, d.EffortLimit);
        d.Applied = tau;
        // Coulomb friction smoothed over ±0.01 (m/s or rad/s) so RK4 stays accurate.
        return tau - d.Viscous * qd - d.Coulomb * Math.Tanh(qd / 0.01) + _external[i];
    }

    /// <summary>The mechanism closed with its drives, as an autonomous system for the RK4 integrator.</summary>
    private sealed class ServoPlant(SimulatedSystem sim) : IDynamicsModel
    {
        public int StateSize => sim._model.StateSize;
        public int ControlSize => 0;
        public IReadOnlyList<string> StateNames => sim._model.StateNames;
        public IReadOnlyList<string> ControlNames => Array.Empty<string>();
        public bool IsPeriodic(int i) => sim._model.IsPeriodic(i);

        public void Derivative(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> xdot)
        {
            Span<double> tau = stackalloc double[sim._dof];
            for (var i = 0; i < sim._dof; i++) tau[i] = sim.JointForce(i, x);
            sim._model.DerivativeWithForces(x, tau, xdot);
        }

        public void Jacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> a, Span<double> b) =>
            throw new NotSupportedException("the closed-loop plant is only integrated, never linearised");
    }

    // Standard normal sample (Marsaglia polar method), seeded, allocation-free.
    private double Gaussian()
    {
        if (!double.IsNaN(_spareGaussian))
        {
            var spare = _spareGaussian;
            _spareGaussian = double.NaN;
            return spare;
        }
        double u, v, r;
        do
        {
            u = 2 * _random.NextDouble() - 1;
            v = 2 * _random.NextDouble() - 1;
            r = u * u + v * v;
        } while (r >= 1 || r == 0);
        var f = Math.Sqrt(-2 * Math.Log(r) / r);
        _spareGaussian = v * f;
        return u * f;
    }
}
