using RlRobotics.Core.Control;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;

namespace RlRobotics.Hal.Tests;

/// <summary>A component whose state the test sets and which records every command written to it.</summary>
internal sealed class RecordingComponent : HardwareComponent
{
    private StateFrame? _state;
    private CommandFrame? _command;
    private int[] _stateIdx = Array.Empty<int>(), _cmdIdx = Array.Empty<int>();

    public RecordingComponent(string name, IReadOnlyList<string> states, IReadOnlyList<string> commands)
        : base(name, "recording", states, commands) => Values = new double[states.Count];

    /// <summary>Values the next read reports.</summary>
    public double[] Values { get; }
    public bool Stale { get; set; }
    public List<double[]> Written { get; } = new();
    public CallbackResult ConfigureResult { get; set; } = CallbackResult.Success;
    public HardwareResult ReadResult { get; set; } = HardwareResult.Ok;

    public override void Bind(StateFrame state, CommandFrame command)
    {
        (_state, _command) = (state, command);
        _stateIdx = StateInterfaces.Select(state.Require).ToArray();
        _cmdIdx = CommandInterfaces.Select(command.Require).ToArray();
    }

    protected override CallbackResult OnConfigure() => ConfigureResult;

    public override HardwareResult Read(in CycleTime time)
    {
        if (ReadResult != HardwareResult.Ok) return ReadResult;
        for (var i = 0; i < _stateIdx.Length; i++) _state!.Values[_stateIdx[i]] = Values[i];
        if (!Stale) StateStamp_ns = time.Now_ns;
        return HardwareResult.Ok;
    }

    public override HardwareResult Write(in CycleTime time)
    {
        Written.Add(_cmdIdx.Select(i => _command!.Values[i]).ToArray());
        return HardwareResult.Ok;
    }
}

/// <summary>A controller that writes whatever the test's function returns.</summary>
internal sealed class ScriptedController(string[] claims, Action<CommandFrame, CycleTime> script) : IController
{
    public string Kind => "scripted";
    public IReadOnlyList<string> ClaimedCommands => claims;
    public void Bind(StateFrame state, CommandFrame command) { }
    public void Start(StateFrame state) { }
    public void Update(StateFrame state, CommandFrame command, in CycleTime time) => script(command, time);
}

/// <summary>A simulated clock whose sleeps overshoot by a scripted stall at given cycles (a VM stall).</summary>
internal sealed class StallingClock(Dictionary<int, long> stallsBySleep) : IClock
{
    private readonly SimulatedClock _inner = new();
    private int _sleeps;
    public string Name => "stalling";
    public bool IsSimulated => true;
    public long Now_ns => _inner.Now_ns;
    public void SleepUntil(long deadline_ns)
    {
        _inner.SleepUntil(deadline_ns);
        if (stallsBySleep.TryGetValue(_sleeps++, out var stall)) _inner.Advance(stall);
    }
}

internal static class Robots
{
    /// <summary>One effort joint "j" with limits, soft limits, an effort rate limit and a position state.</summary>
    public const string EffortJoint = """
        robot: r
        rate_hz: 1000
        joints:
          - name: j
            kind: revolute
            limits: { position: [-1, 1], velocity: 2, effort: 5, effort_rate: 1000 }
            command_interfaces: [effort]
            state_interfaces: [position, velocity]
          - name: p
            kind: prismatic
            limits: { position: [0, 0.5], velocity: 0.2, acceleration: 4 }
            command_interfaces: [position, velocity]
            state_interfaces: [position, velocity]
        hardware:
          - { name: hw, type: recording, joints: [j, p] }
        safety: { watchdog_s: 0.005, soft_margin: 0.1, k_position: 10, k_velocity: 20 }
        agent: { controller: none }
        """;

    public static RobotSpec Load(string yaml) => RobotSpecLoader.Load(yaml, "t.yaml");
}
