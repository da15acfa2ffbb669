using RlRobotics.Core.Control;
using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;

namespace RlRobotics.Control.Controllers;

/// <summary>PD gains per joint.</summary>
/// <param name="Kp">Stiffness: N/m or N·m/rad for effort joints, 1/s for velocity joints.</param>
/// <param name="Kd">Damping: N·s/m or N·m·s/rad (effort joints only).</param>
public sealed record PdGains(double Kp, double Kd);

/// <summary>
/// Joint-space PD toward a goal, per the joint's command mode: position joints are commanded the goal
/// directly, velocity joints v = kp (q* − q), effort joints τ = kp (q* − q) − kd q̇. The goal is the task's
/// goal position, or — for the <c>hold</c> controller — where each joint was when the controller started.
/// </summary>
public sealed class PdController : IController, IGoalTarget
{
    private readonly Channel[] _channels;
    private readonly GoalMailbox _goals;
    private readonly double[] _goalScratch;
    private readonly bool _hold;

    private sealed class Channel
    {
        public required JointSpec Joint;
        public required InterfaceKind Mode;
        public required PdGains Gains;
        public required CommandShaper Shaper;
        public double Goal;
        public bool HasGoal;
        public int Command = -1, Position = -1, Velocity = -1;
    }

    public PdController(RobotSpec robot, IReadOnlyDictionary<string, PdGains> gains, bool hold)
    {
        _hold = hold;
        Kind = hold ? "hold" : "pd";
        _channels = robot.Joints.Where(j => j.CommandInterfaces.Count > 0).Select(j =>
        {
            var goal = robot.Task?.Term(InterfaceName.Of(j.Name, InterfaceKind.Position));
            return new Channel
            {
                Joint = j,
                Mode = j.CommandInterfaces[0],
                Gains = gains[j.Name],
                Shaper = new CommandShaper(j, j.CommandInterfaces[0]),
                Goal = goal?.Goal ?? 0,
                HasGoal = !hold && goal is not null,
            };
        }).ToArray();
        ClaimedCommands = _channels.Select(c => InterfaceName.Of(c.Joint.Name, c.Mode)).ToArray();
        _goals = new GoalMailbox(_channels.Select(c => InterfaceName.Of(c.Joint.Name, InterfaceKind.Position)).ToArray(), _channels.Select(c => c.Goal).ToArray());
        _goalScratch = new double[_channels.Length];
    }

    public IReadOnlyList<string> GoalInterfaces => _goals.Names;

    public double Goal(string interfaceName) => _goals.Get(interfaceName);

    public bool RequestGoal(string interfaceName, double value) => _goals.Request(interfaceName, value);

    public string Kind { get; }

    public IReadOnlyList<string> ClaimedCommands { get; }

    public void Bind(StateFrame state, CommandFrame command)
    {
        foreach (var c in _channels)
        {
            c.Command = command.Require(InterfaceName.Of(c.Joint.Name, c.Mode));
            c.Position = state.IndexOf(InterfaceName.Of(c.Joint.Name, InterfaceKind.Position));
            c.Velocity = state.IndexOf(InterfaceName.Of(c.Joint.Name, InterfaceKind.Velocity));
            if (c.Position < 0)
                throw new InvalidOperationException($"controller '{Kind}' needs the state interface {InterfaceName.Of(c.Joint.Name, InterfaceKind.Position)}");
        }
    }

    public void Start(StateFrame state)
    {
        foreach (var c in _channels)
        {
            if (!c.HasGoal) c.Goal = state.Values[c.Position];
            c.Shaper.Reset(c.Mode == InterfaceKind.Position ? state.Values[c.Position] : 0);
        }
        _goals.Reset(_channels.Select(c => c.Goal).ToArray());
    }

    public void Update(StateFrame state, CommandFrame command, in CycleTime time)
    {
        if (_goals.TryTake(_goalScratch))
            for (var i = 0; i < _channels.Length; i++) _channels[i].Goal = _goalScratch[i];
        var s = state.Values;
        foreach (var c in _channels)
        {
            var error = -Angles.Difference(s[c.Position], c.Goal, c.Joint.Kind == JointKind.Continuous);
            var velocity = c.Velocity >= 0 ? s[c.Velocity] : 0;
            var value = c.Mode switch
            {
                InterfaceKind.Position => s[c.Position] + error,
                InterfaceKind.Velocity => c.Gains.Kp * error,
                _ => c.Gains.Kp * error - c.Gains.Kd * velocity,
            };
            command.Values[c.Command] = c.Shaper.Shape(value, time.Period_s);
        }
    }

    public bool Holds => _hold;
}
