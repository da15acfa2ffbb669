using RlRobotics.Core.Control;
using RlRobotics.Core.Frames;
using RlRobotics.Hal.Components;
using RlRobotics.Hal.Loop;
using RlRobotics.Hil.Rig;
using RlRobotics.Hil.Scenarios;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Sim.Components;

namespace RlRobotics.Hil.Faults;

/// <summary>
/// Plays a scenario's fault schedule on the loop's own clock. It runs after every cycle (an <see cref="ICycleObserver"/>),
/// so a fault set at the end of cycle k acts from cycle k+1: sensor faults through the simulated hardware's fault
/// switches, pushes as an external force, agent faults through <see cref="FaultyController"/> wrapped around the node's
/// controller, serial faults through the <see cref="SerialFaultProxy"/> in front of a bus, clock jitter through the
/// <see cref="JitterClock"/> the node sleeps on, and process faults (driver, broker) through the <see cref="HilRig"/>,
/// off the loop thread. The driver and filter under test are the real ones, unmodified. Allocates nothing per cycle
/// between fault edges.
/// </summary>
public sealed class FaultInjector : ICycleObserver
{
    readonly Fault[] _faults;
    readonly bool[] _active;
    readonly long[] _startedAt_ns;
    readonly int[] _pushDof;   // per fault: the pushed joint's index in the simulated model (pushes only)
    readonly SerialFaultProxy?[] _proxy;   // per fault: the bus it acts on (serial faults only)
    readonly byte[] _servoId;   // per fault: the silent servo's id
    SimulatedSystem? _sim;
    JitterClock? _clock;
    long _origin_ns = long.MinValue;
    HilRig? _rig;

    public FaultInjector(IReadOnlyList<Fault> faults)
    {
        _faults = [.. faults];
        _active = new bool[_faults.Length];
        _startedAt_ns = Enumerable.Repeat(-1L, _faults.Length).ToArray();
        _pushDof = new int[_faults.Length];
        _proxy = new SerialFaultProxy?[_faults.Length];
        _servoId = new byte[_faults.Length];
    }

    /// <summary>Whether any fault acts on a serial bus (the runner then puts a proxy in front of every simulated bus).</summary>
    public bool NeedsSerialProxy => _faults.Any(f => IsSerial(f.Kind));

    static bool IsSerial(FaultKind kind) => kind is FaultKind.SerialCorrupt or FaultKind.SerialDrop or FaultKind.SerialDelay or FaultKind.ServoSilent;

    /// <summary>The agent fault in effect now (read by <see cref="FaultyController"/>), null when none.</summary>
    public Fault? AgentFault { get; private set; }

    /// <summary>When each fault actually started (loop time, ns; −1 if it never did): the first cycle it acted in.</summary>
    public IReadOnlyList<long> StartedAt_ns => _startedAt_ns;

    /// <summary>Wraps the node's controller so agent faults can replace its output.</summary>
    public IController Wrap(IController controller) => new FaultyController(controller, this);

    /// <summary>
    /// Connects to the rig: the simulated hardware (pushes, sensor faults), the serial proxies (serial faults), the
    /// jitter clock the node sleeps on and the rig's processes.
    /// </summary>
    public void Attach(IReadOnlyList<IHardwareComponent> components, JitterClock? clock = null, HilRig? rig = null)
    {
        _clock = clock;
        _rig = rig;
        _sim = components.OfType<SimulatedSystem>().FirstOrDefault();
        var buses = components.OfType<DynamixelSystem>().ToList();
        for (var i = 0; i < _faults.Length; i++)
        {
            var f = _faults[i];
            if (f.Kind is FaultKind.Push or FaultKind.SensorFreeze && _sim is null)
                throw new InvalidOperationException($"a {Fault.Name(f.Kind)} fault needs simulated hardware (type: sim) in the robot file");
            if (f.Kind == FaultKind.Push)
            {
                var dof = _sim!.Model.StateNames.Select(n => n.Split('/')[0]).Distinct().ToList().IndexOf(f.Joint!);
                if (dof < 0) throw new InvalidOperationException($"push: the simulated robot has no joint '{f.Joint}'");
                _pushDof[i] = dof;
            }
            if (IsSerial(f.Kind))
            {
                var bus = f.Bus is null ? buses.Count == 1 ? buses[0] : null : buses.FirstOrDefault(b => b.Name == f.Bus);
                if (bus is null)
                    throw new InvalidOperationException(f.Bus is null
                        ? $"{Fault.Name(f.Kind)}: the robot has {buses.Count} dynamixel buses; name one with bus:"
                        : $"{Fault.Name(f.Kind)}: the robot has no dynamixel bus '{f.Bus}'");
                _proxy[i] = bus.Simulation as SerialFaultProxy ?? throw new InvalidOperationException(
                    $"{Fault.Name(f.Kind)}: bus '{bus.Name}' has no fault proxy in front of it (serial faults need port: simulated; see hil/README.md)");
                if (f.Kind == FaultKind.ServoSilent)
                    _servoId[i] = bus.Settings.Servos.FirstOrDefault(s => s.Joint == f.Servo)?.Id
                                  ?? throw new InvalidOperationException($"servo_silent: bus '{bus.Name}' has no servo for joint '{f.Servo}'");
            }
            if (f.Kind == FaultKind.ClockJitter && clock is null) throw new InvalidOperationException("clock_jitter needs the rig's jitter clock");
            if (f.Kind is FaultKind.DriverRestart or FaultKind.BrokerRestart && rig is null)
                throw new InvalidOperationException($"{Fault.Name(f.Kind)} needs the rig's processes");
        }
    }

    public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time)
    {
        // Loop time counts from the first cycle (the wall clock's zero is the host's boot). Decide for the next cycle,
        // which starts one period later.
        if (_origin_ns == long.MinValue) _origin_ns = time.Now_ns;
        var now_ns = time.Now_ns - _origin_ns;
        var next_s = (now_ns + (long)(time.Period_s * 1e9)) * 1e-9;
        Fault? agent = null;
        for (var i = 0; i < _faults.Length; i++)
        {
            var f = _faults[i];
            var on = next_s >= f.At_s && next_s < f.End_s;
            if (on && !_active[i]) Begin(i, f, time);
            else if (!on && _active[i]) End(i, f);
            _active[i] = on;
            if (on && f.Kind is FaultKind.AgentNaN or FaultKind.AgentOutOfRange) agent = f;
        }
        AgentFault = agent;
    }

    void Begin(int i, Fault f, in CycleTime time)
    {
        _startedAt_ns[i] = time.Now_ns - _origin_ns + (long)(time.Period_s * 1e9);
        switch (f.Kind)
        {
            case FaultKind.SensorFreeze:
                _sim!.FreezeSensors = true;
                break;
            case FaultKind.Push:
                _sim!.Push(_pushDof[i], f.Force, _origin_ns + (long)(f.End_s * 1e9));
                break;
            default:
                Switch(i, f, on: true);
                break;
        }
    }

    void End(int i, Fault f)
    {
        if (f.Kind == FaultKind.SensorFreeze) _sim!.FreezeSensors = false;
        else Switch(i, f, on: false);
    }

    void Switch(int i, Fault f, bool on)
    {
        switch (f.Kind)
        {
            case FaultKind.SerialCorrupt:
                _proxy[i]!.Corrupt(f.Direction, on ? f.Probability : 0);
                break;
            case FaultKind.SerialDrop:
                _proxy[i]!.Drop(f.Direction, on ? f.Probability : 0);
                break;
            case FaultKind.SerialDelay:
                _proxy[i]!.Delay(f.Direction, on ? TimeSpan.FromMilliseconds(f.Delay_ms) : TimeSpan.Zero);
                break;
            case FaultKind.ServoSilent:
                _proxy[i]!.SetSilent(_servoId[i], on);
                break;
            case FaultKind.ClockJitter:
                _clock!.MaxLate_ns = on ? (long)(f.Delay_ms * 1e6) : 0;
                break;
            case FaultKind.DriverRestart:
                _rig!.Later(on ? _rig.KillDriver : _rig.StartDriver);
                break;
            case FaultKind.BrokerRestart:
                _rig!.Later(on ? _rig.StopBroker : _rig.StartBroker);
                break;
        }
    }
}

/// <summary>The node's controller, with its output replaced while an agent fault is in effect (NaN, or an out-of-range value).</summary>
public sealed class FaultyController(IController inner, FaultInjector faults) : IController
{
    int[] _claimed = [];

    public string Kind => inner.Kind;
    public IReadOnlyList<string> ClaimedCommands => inner.ClaimedCommands;

    public void Bind(StateFrame state, CommandFrame command)
    {
        inner.Bind(state, command);
        _claimed = ClaimedCommands.Select(command.Require).ToArray();
    }

    public void Start(StateFrame state) => inner.Start(state);

    public void Update(StateFrame state, CommandFrame command, in CycleTime time)
    {
        inner.Update(state, command, time);
        if (faults.AgentFault is not { } f) return;
        var value = f.Kind == FaultKind.AgentNaN ? double.NaN : f.Value;
        foreach (var i in _claimed) command.Values[i] = value;
    }
}
