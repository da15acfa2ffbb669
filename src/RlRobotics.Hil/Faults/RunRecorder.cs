using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;

namespace RlRobotics.Hil.Faults;

/// <summary>
/// Records a HIL run after every cycle into arrays sized for the whole run: time, every state and command value as it
/// went to the actuators, whether the filter held the robot safe, the filter's reaction counters, and every command that
/// was non-finite or beyond its joint's limits at the actuator. Allocates nothing per cycle.
/// </summary>
public sealed class RunRecorder : ICycleObserver
{
    readonly SafetyFilter _filter;
    readonly LoopStatistics _loop;
    readonly (int Index, double Min, double Max, string Name)[] _limits;
    readonly int _states, _commands;
    long _origin_ns;

    public RunRecorder(RobotSpec robot, SafetyFilter filter, LoopStatistics loop, StateFrame state, CommandFrame command, int capacity)
    {
        _filter = filter;
        _loop = loop;
        _states = state.Names.Count;
        _commands = command.Names.Count;
        StateNames = state.Names;
        CommandNames = command.Names;
        Time_s = new double[capacity];
        States = new double[capacity * _states];
        Commands = new double[capacity * _commands];
        Safe = new bool[capacity];
        NonFinite = new long[capacity];
        Limited = new long[capacity];
        Lateness_s = new double[capacity];
        Overruns = new long[capacity];
        var limits = new List<(int, double, double, string)>();
        foreach (var j in robot.Joints)
            foreach (var kind in j.CommandInterfaces)
            {
                var name = InterfaceName.Of(j.Name, kind);
                var (lo, hi) = kind switch
                {
                    InterfaceKind.Effort => (-(j.Limits.Effort ?? double.PositiveInfinity), j.Limits.Effort ?? double.PositiveInfinity),
                    InterfaceKind.Velocity => (-(j.Limits.Velocity ?? double.PositiveInfinity), j.Limits.Velocity ?? double.PositiveInfinity),
                    InterfaceKind.Position => (j.Limits.PositionMin ?? double.NegativeInfinity, j.Limits.PositionMax ?? double.PositiveInfinity),
                    _ => (double.NegativeInfinity, double.PositiveInfinity),
                };
                limits.Add((command.Require(name), lo, hi, name));
            }
        _limits = [.. limits];
    }

    public IReadOnlyList<string> StateNames { get; }
    public IReadOnlyList<string> CommandNames { get; }
    public int Count { get; private set; }
    /// <summary>Loop time of each cycle, s from the first one.</summary>
    public double[] Time_s { get; }
    /// <summary>Row-major: cycle × state interface.</summary>
    public double[] States { get; }
    /// <summary>Row-major: cycle × command interface, as written to the actuators.</summary>
    public double[] Commands { get; }
    public bool[] Safe { get; }
    /// <summary>The filter's non-finite replacements so far, per cycle.</summary>
    public long[] NonFinite { get; }
    /// <summary>The filter's position, velocity, effort and rate limitings so far, per cycle.</summary>
    public long[] Limited { get; }
    /// <summary>The cycle's wake-up lateness (s): how long after its scheduled time the loop woke.</summary>
    public double[] Lateness_s { get; }
    /// <summary>The loop's overruns (wake-ups a whole period late) so far, per cycle.</summary>
    public long[] Overruns { get; }
    /// <summary>Per command interface, the limits the recorder checks (−∞/+∞ where the joint has none).</summary>
    public IReadOnlyList<(int Index, double Min, double Max, string Name)> CommandLimits => _limits;
    public long UnsafeCommands { get; private set; }
    /// <summary>Whether the filter's e-stop is latched now (at the end of a run: how it ended).</summary>
    public bool EStopLatched => _filter.EStopLatched;
    public string? EStopReason => _filter.EStopReason;
    /// <summary>The first unsafe command seen (interface, value, time), for the report.</summary>
    public string? FirstUnsafe { get; private set; }

    public double State(int cycle, int index) => States[cycle * _states + index];

    public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time)
    {
        if (Count == Time_s.Length) return;
        var k = Count;
        if (k == 0) _origin_ns = time.Now_ns;
        Time_s[k] = (time.Now_ns - _origin_ns) * 1e-9;
        state.Values.AsSpan(0, _states).CopyTo(States.AsSpan(k * _states, _states));
        command.Values.AsSpan(0, _commands).CopyTo(Commands.AsSpan(k * _commands, _commands));
        Safe[k] = _filter.InSafeMode;
        var c = _filter.Counters;
        NonFinite[k] = c.NonFinite;
        Limited[k] = c.PositionLimited + c.VelocityLimited + c.EffortLimited + c.RateLimited;
        Lateness_s[k] = _loop.LastLateness_ns * 1e-9;
        Overruns[k] = _loop.Overruns;
        foreach (var (index, lo, hi, name) in _limits)
        {
            var v = command.Values[index];
            if (double.IsFinite(v) && v >= lo - 1e-9 && v <= hi + 1e-9) continue;
            if (UnsafeCommands++ == 0) FirstUnsafe = $"{name} = {v} at {Time_s[k]:0.###} s (limits [{lo}, {hi}])";
        }
        Count = k + 1;
    }
}
