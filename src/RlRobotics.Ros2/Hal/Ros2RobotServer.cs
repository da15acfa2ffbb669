using System.Diagnostics;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Components;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;
using RlRobotics.Ros2.Messages.Types.std_msgs;
using RlRobotics.Ros2.Messages.Types.trajectory_msgs;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Ros2.Hal;

/// <summary>
/// Serves hardware (normally simulated) over ROS 2 topics the way a ros2_control driver does: it publishes
/// <c>sensor_msgs/JointState</c> on <c>joint_states</c> every cycle and takes commands from
/// <c>forward_command_controller/commands</c> (<c>std_msgs/Float64MultiArray</c>, one value per commanded joint in the robot
/// file's joint order) and <c>joint_trajectory_controller/joint_trajectory</c> (the first point). A command older than
/// <see cref="CommandTimeout_s"/> is replaced by zero effort/velocity (the driver's own safety); a malformed or wrongly sized
/// command is counted and ignored. Runs its loop on the wall clock.
/// </summary>
public sealed class Ros2RobotServer : IDisposable
{
    readonly ResourceManager _resources;
    readonly RobotSpec _robot;
    readonly Node _node;
    readonly Publisher<JointState> _states;
    readonly JointState _stateMessage = new();
    readonly (int State, int Velocity, int Effort)[] _stateIndex;
    readonly (InterfaceKind Kind, int Index)[] _commands;
    readonly double[] _latest;
    readonly object _gate = new();
    long _latestAt = long.MinValue;
    long _badCommands;

    public Ros2RobotServer(ResourceManager resources, RobotSpec robot, RosContext context, string nodeNamespace)
    {
        _resources = resources;
        _robot = robot;
        _node = context.CreateNode("sim_" + Sanitize(robot.Name), nodeNamespace);
        var joints = robot.Joints.ToArray();
        _stateIndex = joints.Select(j => (
            resources.State.IndexOf(InterfaceName.Of(j.Name, InterfaceKind.Position)),
            resources.State.IndexOf(InterfaceName.Of(j.Name, InterfaceKind.Velocity)),
            resources.State.IndexOf(InterfaceName.Of(j.Name, InterfaceKind.Effort)))).ToArray();
        _commands = joints.Where(j => j.CommandInterfaces.Count > 0)
            .Select(j => (j.CommandInterfaces[0], resources.Command.Require(InterfaceName.Of(j.Name, j.CommandInterfaces[0])))).ToArray();
        _latest = new double[_commands.Length];
        _stateMessage.Name.AddRange(joints.Select(j => j.Name));
        foreach (var _ in joints)
        {
            _stateMessage.Position.Add(0);
            _stateMessage.Velocity.Add(0);
            _stateMessage.Effort.Add(0);
        }
        _states = _node.CreatePublisher<JointState>("joint_states");
        _node.CreateSubscription<Float64MultiArray>("forward_command_controller/commands", m => Accept(m.Data), reuseMessage: true);
        _node.CreateSubscription<JointTrajectory>("joint_trajectory_controller/joint_trajectory", OnTrajectory, reuseMessage: true);
    }

    /// <summary>Seconds after which a missing command counts as zero.</summary>
    public double CommandTimeout_s { get; init; } = 0.1;

    public Node Node => _node;
    public long Cycles { get; private set; }
    public long BadCommands => Interlocked.Read(ref _badCommands);
    public long CommandsReceived { get; private set; }

    static string Sanitize(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    void OnTrajectory(JointTrajectory t)
    {
        if (t.Points.Count == 0) { Interlocked.Increment(ref _badCommands); return; }
        var p = t.Points[0];
        var kind = _commands.Length > 0 ? _commands[0].Kind : InterfaceKind.Effort;
        Accept(kind switch { InterfaceKind.Position => p.Positions, InterfaceKind.Velocity => p.Velocities, _ => p.Effort });
    }

    void Accept(List<double> values)
    {
        var valid = values.Count == _commands.Length;
        for (var i = 0; valid && i < values.Count; i++) valid = double.IsFinite(values[i]);
        if (!valid)
        {
            Interlocked.Increment(ref _badCommands);
            return;
        }
        lock (_gate)
        {
            for (var i = 0; i < values.Count; i++) _latest[i] = values[i];
            _latestAt = Stopwatch.GetTimestamp();
            CommandsReceived++;
        }
    }

    /// <summary>Runs the loop at the robot's rate until cancelled or <paramref name="duration_s"/> (0: forever) has passed.</summary>
    public void Run(double duration_s, CancellationToken cancel)
    {
        using var executor = _node.SpinInBackground("ros2-sim-executor");
        var period = 1.0 / _robot.RateHz;
        var start = Stopwatch.GetTimestamp();
        var timeoutTicks = (long)(CommandTimeout_s * Stopwatch.Frequency);
        for (long cycle = 0; !cancel.IsCancellationRequested; cycle++)
        {
            var due = start + (long)(cycle * period * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < due)
            {
                var left = (due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
                if (left > 1) Thread.Sleep((int)left - 1);
                else Thread.SpinWait(50);
            }
            var now = Stopwatch.GetTimestamp();
            var elapsed_s = (double)(now - start) / Stopwatch.Frequency;
            if (duration_s > 0 && elapsed_s >= duration_s) break;
            var time = new CycleTime((long)(elapsed_s * 1e9), period, cycle);
            _resources.ReadAll(time);
            var state = _resources.State.Values;
            for (var j = 0; j < _stateIndex.Length; j++)
            {
                var (p, v, e) = _stateIndex[j];
                _stateMessage.Position[j] = p >= 0 ? state[p] : 0;
                _stateMessage.Velocity[j] = v >= 0 ? state[v] : 0;
                _stateMessage.Effort[j] = e >= 0 ? state[e] : 0;
            }
            var ns = (long)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
            _stateMessage.Header.Stamp.Sec = (int)(ns / 1_000_000_000);
            _stateMessage.Header.Stamp.Nanosec = (uint)(ns % 1_000_000_000);
            _states.Publish(_stateMessage);
            var command = _resources.Command.Values;
            lock (_gate)
            {
                var fresh = _latestAt != long.MinValue && now - _latestAt <= timeoutTicks;
                for (var i = 0; i < _commands.Length; i++)
                {
                    var (kind, index) = _commands[i];
                    command[index] = fresh ? _latest[i] : kind == InterfaceKind.Position ? command[index] : 0; // position joints hold
                }
            }
            _resources.WriteAll(time);
            Cycles = cycle + 1;
        }
    }

    public void Dispose() => _node.Dispose();
}
