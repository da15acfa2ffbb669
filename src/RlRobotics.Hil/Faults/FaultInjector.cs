using RlRobotics.Core.Control;
using RlRobotics.Core.Frames;
using RlRobotics.Hal.Components;
using RlRobotics.Hal.Loop;
using RlRobotics.Hil.Scenarios;
using RlRobotics.Sim.Components;

namespace RlRobotics.Hil.Faults;

/// <summary>
/// Plays a scenario's fault schedule on the loop's own clock. It runs after every cycle (an <see cref="ICycleObserver"/>),
/// so a fault set at the end of cycle k acts from cycle k+1: sensor faults through the simulated hardware's fault
/// switches, pushes as an external force, agent faults through <see cref="FaultyController"/> wrapped around the node's
/// controller. The driver and filter under test are the real ones, unmodified. Allocates nothing per cycle.
/// </summary>
public sealed class FaultInjector : ICycleObserver
{
    readonly Fault[] _faults;
    readonly bool[] _active;
    readonly long[] _startedAt_ns;
    readonly int[] _pushDof;   // per fault: the pushed joint's index in the simulated model (pushes only)
    SimulatedSystem? _sim;

    public FaultInjector(IReadOnlyList<Fault> faults)
    {
        _faults = [.. faults];
        _active = new bool[_faults.Length];
        _startedAt_ns = Enumerable.Repeat(-1L, _faults.Length).ToArray();
        _pushDof = new int[_faults.Length];
    }

    /// <summary>The agent fault in effect now (read by <see cref="FaultyController"/>), null when none.</summary>
    public Fault? AgentFault { get; private set; }

    /// <summary>When each fault actually started (loop time, ns; −1 if it never did): the first cycle it acted in.</summary>
    public IReadOnlyList<long> StartedAt_ns => _startedAt_ns;

    /// <summary>Wraps the node's controller so agent faults can replace its output.</summary>
    public IController Wrap(IController controller) => new FaultyController(controller, this);

    /// <summary>Connects to the rig's simulated hardware (needed by pushes and sensor faults).</summary>
    public void Attach(IEnumerable<IHardwareComponent> components)
    {
        _sim = components.OfType<SimulatedSystem>().FirstOrDefault();
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
        }
    }

    public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time)
    {
        // Decide for the next cycle, which starts one period later.
        var next_s = (time.Now_ns + (long)(time.Period_s * 1e9)) * 1e-9;
        Fault? agent = null;
        for (var i = 0; i < _faults.Length; i++)
        {
            var f = _faults[i];
            var on = next_s >= f.At_s && next_s < f.End_s;
            if (on && !_active[i]) Begin(i, f, time);
            else if (!on && _active[i]) End(f);
            _active[i] = on;
            if (on && f.Kind is FaultKind.AgentNaN or FaultKind.AgentOutOfRange) agent = f;
        }
        AgentFault = agent;
    }

    void Begin(int i, Fault f, in CycleTime time)
    {
        _startedAt_ns[i] = time.Now_ns + (long)(time.Period_s * 1e9);
        switch (f.Kind)
        {
            case FaultKind.SensorFreeze:
                _sim!.FreezeSensors = true;
                break;
            case FaultKind.Push:
                _sim!.Push(_pushDof[i], f.Force, (long)(f.End_s * 1e9));
                break;
        }
    }

    void End(Fault f)
    {
        if (f.Kind == FaultKind.SensorFreeze) _sim!.FreezeSensors = false;
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
