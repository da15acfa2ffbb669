using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Components;
using RlRobotics.Ros2.Rcl;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;
using RlRobotics.Ros2.Messages.Types.std_msgs;
using RlRobotics.Ros2.Messages.Types.trajectory_msgs;

namespace RlRobotics.Ros2.Hal;

/// <summary>
/// A robot driven through a ROS 2 driver's topics (<c>type: ros2-topics</c>), under the same lifecycle, watchdog and
/// safety filter as any other hardware:
/// <list type="bullet">
/// <item><b>state</b> comes from the driver's <c>sensor_msgs/JointState</c> (matched by joint name). Cyclone's receive thread
/// decodes each message into a seqlock-guarded slot; <see cref="Read"/> copies the newest into the state frame and stamps
/// it with the loop time at which it was first seen, so a driver that stops publishing makes the state stale and trips
/// the watchdog; when it comes back the state is fresh again;</item>
/// <item><b>commands</b> go out each cycle as <c>std_msgs/Float64MultiArray</c> (ros2_control's forward command controller:
/// one value per commanded joint, in the component's joint order) or as a one-point <c>trajectory_msgs/JointTrajectory</c>.</item>
/// </list>
/// <b>configure</b> joins the ROS graph and waits for the driver's first complete joint state; <b>deactivate</b> sends
/// zero for effort and velocity joints once. Read and write allocate nothing in steady state.
/// </summary>
public sealed class Ros2TopicsSystem : HardwareComponent
{
    public const string TypeName = "ros2-topics";

    readonly Ros2TopicsSettings _settings;
    readonly JointSpec[] _joints;
    readonly (JointSpec Joint, InterfaceKind Kind)[] _commanded;
    readonly Dictionary<string, int> _jointIndex;
    readonly double[] _slotPosition, _slotVelocity, _slotEffort; // written by the receive thread under the seqlock
    readonly double[] _position, _velocity, _effort;              // read side copy
    readonly int[] _statePosition, _stateVelocity, _stateEffort, _commandIndex;
    readonly Float64MultiArray _arrayCommand = new();
    readonly JointTrajectory _trajectoryCommand = new();
    long _sequence;      // seqlock: odd while the receive thread writes the slot
    long _lastSeen;
    long _incomplete;
    string? _receiveError;
    RosContext? _context;
    Node? _node;
    Publisher<Float64MultiArray>? _arrayPublisher;
    Publisher<JointTrajectory>? _trajectoryPublisher;
    Subscription<JointState>? _subscription;
    StateFrame? _state;
    CommandFrame? _command;

    /// <summary>The component of <paramref name="context"/>'s robot file.</summary>
    /// <param name="context">The robot file and this component's section of it.</param>
    /// <param name="ros">The node's ROS 2 command-line arguments (node name, namespace, topic remaps); null: none.</param>
    public Ros2TopicsSystem(ComponentContext context, RosArguments? ros = null)
        : base(context.Spec.Name, TypeName, StateNames(context), CommandNames(context))
    {
        var settings = Ros2TopicsSettings.From(context);
        // The command line remaps settings the robot file got right; the file's own errors are reported first.
        _settings = ros is not null && !context.Spec.Settings.Diagnostics.HasErrors ? settings.Remapped(ros) : settings;
        _joints = context.Spec.Joints.Select(j => context.Robot.Joint(j)!).ToArray();
        _commanded = _joints.Where(j => j.CommandInterfaces.Count > 0).Select(j => (j, j.CommandInterfaces[0])).ToArray();
        _jointIndex = _joints.Select((j, i) => (j.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var n = _joints.Length;
        (_slotPosition, _slotVelocity, _slotEffort) = (new double[n], new double[n], new double[n]);
        (_position, _velocity, _effort) = (new double[n], new double[n], new double[n]);
        (_statePosition, _stateVelocity, _stateEffort) = (new int[n], new int[n], new int[n]);
        _commandIndex = new int[_commanded.Length];
        for (var i = 0; i < _commanded.Length; i++) _arrayCommand.Data.Add(0);
        _trajectoryCommand.JointNames.AddRange(_commanded.Select(c => c.Joint.Name));
        var point = new JointTrajectoryPoint();
        foreach (var (_, kind) in _commanded) PointList(point, kind).Add(0); // one slot per commanded joint, in its interface's list
        _trajectoryCommand.Points.Add(point);
        var period = 1.0 / context.Robot.RateHz;
        point.TimeFromStart.Sec = 0;
        point.TimeFromStart.Nanosec = (uint)Math.Round(period * 1e9);
    }

    public Ros2TopicsSettings Settings => _settings;

    /// <summary>Joint states received from the driver.</summary>
    public long StatesReceived => _subscription?.Received ?? 0;

    /// <summary>Joint states dropped because they lacked one of our joints or a value.</summary>
    public long IncompleteStates => Interlocked.Read(ref _incomplete);

    /// <summary>Statistics of the state subscription while configured (received, malformed, rejected).</summary>
    public ISubscriptionStatistics? StateSubscription => _subscription;

    /// <summary>The fully qualified state and command topics.</summary>
    public string StateTopic => TopicNames.Resolve(_settings.StateTopic, _settings.Namespace, _settings.NodeName);

    /// <summary>The driver is another process on its own (real) time, whatever it drives.</summary>
    public override string? RealTimeOnly => $"'{Name}' follows a ROS 2 driver's {StateTopic}";
    public string CommandTopic => TopicNames.Resolve(_settings.CommandTopic, _settings.Namespace, _settings.NodeName);

    static IReadOnlyList<string> StateNames(ComponentContext c) =>
        c.Spec.Joints.SelectMany(j => c.Robot.Joint(j)!.StateInterfaces.Select(k => InterfaceName.Of(j, k))).ToList();

    static IReadOnlyList<string> CommandNames(ComponentContext c) =>
        c.Spec.Joints.SelectMany(j => c.Robot.Joint(j)!.CommandInterfaces.Take(1).Select(k => InterfaceName.Of(j, k))).ToList();

    static List<double> PointList(JointTrajectoryPoint p, InterfaceKind kind) => kind switch
    {
        InterfaceKind.Position => p.Positions,
        InterfaceKind.Velocity => p.Velocities,
        _ => p.Effort,
    };

    public override void Bind(StateFrame state, CommandFrame command)
    {
        (_state, _command) = (state, command);
        for (var i = 0; i < _joints.Length; i++)
        {
            _statePosition[i] = state.IndexOf(InterfaceName.Of(_joints[i].Name, InterfaceKind.Position));
            _stateVelocity[i] = state.IndexOf(InterfaceName.Of(_joints[i].Name, InterfaceKind.Velocity));
            _stateEffort[i] = state.IndexOf(InterfaceName.Of(_joints[i].Name, InterfaceKind.Effort));
        }
        for (var i = 0; i < _commanded.Length; i++) _commandIndex[i] = command.Require(InterfaceName.Of(_commanded[i].Joint.Name, _commanded[i].Kind));
    }

    // ---------------------------------------------------------------- lifecycle

    protected override CallbackResult OnConfigure()
    {
        LastError = null;
        try
        {
            _context = RosContextPool.Acquire(_settings.DomainId, _settings.Network);
            _node = _context.CreateNode(_settings.NodeName, _settings.Namespace);
            // Immediate delivery: the joint state is decoded into the slot on Cyclone's receive thread, with no executor
            // thread between the wire and the control loop.
            _subscription = _node.CreateSubscription<JointState>(_settings.StateTopic, OnJointState, _settings.StateQos, reuseMessage: true,
                delivery: Delivery.Immediate);
            if (_settings.CommandType == CommandMessage.Float64MultiArray)
                _arrayPublisher = _node.CreatePublisher<Float64MultiArray>(_settings.CommandTopic, _settings.CommandQos);
            else
                _trajectoryPublisher = _node.CreatePublisher<JointTrajectory>(_settings.CommandTopic, _settings.CommandQos);
        }
        catch (Exception ex) when (ex is Dds.DdsException or ArgumentException or InvalidOperationException)
        {
            LastError = $"'{Name}': cannot join the ROS 2 graph (domain {_settings.DomainId}): {ex.Message}";
            Leave();
            return CallbackResult.Failure;
        }
        // Wait for the driver's first complete state (not real time).
        var deadline = Environment.TickCount64 + (long)(_settings.ConnectTimeout_s * 1000);
        while (Interlocked.Read(ref _sequence) == 0 && Environment.TickCount64 < deadline) Thread.Sleep(5);
        if (Interlocked.Read(ref _sequence) == 0)
        {
            LastError = $"'{Name}': no complete sensor_msgs/JointState for joints [{string.Join(", ", _joints.Select(j => j.Name))}] " +
                        $"on {StateTopic} (domain {_settings.DomainId}) within {_settings.ConnectTimeout_s:0.###} s" +
                        (_receiveError is { } why ? $"; last problem: {why}" : "; is the driver running? 'rlr topic list' shows what is published");
            Leave();
            return CallbackResult.Failure;
        }
        return CallbackResult.Success;
    }

    protected override CallbackResult OnActivate() => CallbackResult.Success;

    protected override CallbackResult OnDeactivate()
    {
        // Leave the driver with zero effort and velocity rather than the last command.
        if (_command is not null)
        {
            for (var i = 0; i < _commanded.Length; i++)
            {
                if (_commanded[i].Kind != InterfaceKind.Position) _command.Values[_commandIndex[i]] = 0;
            }
            Publish();
        }
        return CallbackResult.Success;
    }

    protected override CallbackResult OnCleanup()
    {
        Leave();
        return CallbackResult.Success;
    }

    protected override void OnShutdown() => Leave();

    protected override CallbackResult OnError()
    {
        Leave();
        return CallbackResult.Success;
    }

    void Leave()
    {
        _node?.Dispose();
        _node = null;
        (_subscription, _arrayPublisher, _trajectoryPublisher) = (null, null, null);
        if (_context is not null) RosContextPool.Release(_context);
        _context = null;
        Interlocked.Exchange(ref _sequence, 0);
        _lastSeen = 0;
    }

    // ---------------------------------------------------------------- receive thread (a DDS listener)

    void OnJointState(JointState message)
    {
        var names = message.Name;
        // A partial state would mix fresh and stale joints: check first, and drop it whole (keeping the previous one).
        var found = 0;
        for (var k = 0; k < names.Count && k < message.Position.Count; k++)
        {
            if (_jointIndex.ContainsKey(names[k])) found++;
        }
        if (found < _joints.Length)
        {
            Interlocked.Increment(ref _incomplete);
            _receiveError = $"a JointState on {StateTopic} lacked a position for some of [{string.Join(", ", _joints.Select(j => j.Name))}]";
            return;
        }
        var seq = Interlocked.Read(ref _sequence);
        Interlocked.Exchange(ref _sequence, seq + 1); // odd: writing
        for (var k = 0; k < names.Count && k < message.Position.Count; k++)
        {
            if (!_jointIndex.TryGetValue(names[k], out var i)) continue;
            _slotPosition[i] = message.Position[k];
            _slotVelocity[i] = k < message.Velocity.Count ? message.Velocity[k] : 0;
            _slotEffort[i] = k < message.Effort.Count ? message.Effort[k] : 0;
        }
        Interlocked.Exchange(ref _sequence, seq + 2); // even again: a new complete state
    }

    // ---------------------------------------------------------------- real time

    public override HardwareResult Read(in CycleTime time)
    {
        if (_subscription is null) return HardwareResult.Error;
        var seq = Interlocked.Read(ref _sequence);
        if (seq == _lastSeen || (seq & 1) == 1) return HardwareResult.Ok; // nothing new: the stamp ages, the watchdog decides
        _slotPosition.AsSpan().CopyTo(_position);
        _slotVelocity.AsSpan().CopyTo(_velocity);
        _slotEffort.AsSpan().CopyTo(_effort);
        if (Interlocked.Read(ref _sequence) != seq) return HardwareResult.Ok; // torn: take it next cycle
        _lastSeen = seq;
        var state = _state!.Values;
        for (var i = 0; i < _joints.Length; i++)
        {
            if (_statePosition[i] >= 0) state[_statePosition[i]] = _position[i];
            if (_stateVelocity[i] >= 0) state[_stateVelocity[i]] = _velocity[i];
            if (_stateEffort[i] >= 0) state[_stateEffort[i]] = _effort[i];
        }
        StateStamp_ns = time.Now_ns;
        return HardwareResult.Ok;
    }

    public override HardwareResult Write(in CycleTime time)
    {
        if (_arrayPublisher is null && _trajectoryPublisher is null) return HardwareResult.Error;
        try
        {
            Publish();
            return HardwareResult.Ok;
        }
        catch (Dds.DdsException ex)
        {
            LastError = $"'{Name}': publishing on {CommandTopic} failed: {ex.Message}";
            return HardwareResult.Degraded;
        }
    }

    void Publish()
    {
        var command = _command!.Values;
        if (_arrayPublisher is { } array)
        {
            var data = _arrayCommand.Data;
            for (var i = 0; i < _commanded.Length; i++) data[i] = command[_commandIndex[i]];
            array.Publish(_arrayCommand);
        }
        else if (_trajectoryPublisher is { } trajectory)
        {
            var point = _trajectoryCommand.Points[0];
            int p = 0, v = 0, e = 0;
            for (var i = 0; i < _commanded.Length; i++)
            {
                var value = command[_commandIndex[i]];
                switch (_commanded[i].Kind)
                {
                    case InterfaceKind.Position: point.Positions[p++] = value; break;
                    case InterfaceKind.Velocity: point.Velocities[v++] = value; break;
                    default: point.Effort[e++] = value; break;
                }
            }
            trajectory.Publish(_trajectoryCommand);
        }
    }
}
