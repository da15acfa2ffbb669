using System.Globalization;
using RlRobotics.Core.Concurrency;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages.Types.diagnostic_msgs;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Ros2.Hal;

/// <summary>
/// The node's face in the ROS graph while <c>rlr run</c> drives a robot: <c>sensor_msgs/JointState</c> on
/// <c>/joint_states</c> (for robot_state_publisher, rviz, rosbag) and <c>diagnostic_msgs/DiagnosticArray</c> on
/// <c>/diagnostics</c> (loop rate and timing, safety interventions and events, each component's lifecycle).
/// <para>
/// The real-time side is <see cref="OnCycle"/>: every few cycles it copies the state frame into a triple buffer; it never
/// blocks and allocates nothing. A background thread takes the newest snapshot and publishes; a slow or absent DDS peer
/// can only delay that thread.
/// </para>
/// </summary>
public sealed class Ros2Telemetry : ICycleObserver, IDisposable
{
    sealed class Snapshot(int size)
    {
        public readonly double[] Values = new double[size];
        public long Time_ns;
        public long Cycle;
    }

    readonly Ros2TopicsSettings _settings;
    readonly string _robot;
    readonly double _rateHz;
    readonly string[] _jointNames;
    readonly int[] _position, _velocity, _effort;   // state-frame index per joint, -1 when absent
    readonly TripleBuffer<Snapshot> _snapshots;
    readonly int _decimation;
    readonly JointState _jointState = new();
    readonly ManualResetEventSlim _stop = new();
    int _countdown;
    TelemetrySources? _sources;
    RosContext? _context;
    Node? _node;
    Publisher<JointState>? _jointStates;
    Publisher<DiagnosticArray>? _diagnostics;
    Thread? _thread;
    long _lastCycle = -1;
    int _eventsReported;
    long _lastOverruns;
    (long Cycles, long Time_ns) _lastRate;

    public Ros2Telemetry(Ros2TopicsSettings settings, RobotSpec robot, StateFrame state)
    {
        _settings = settings;
        _robot = robot.Name;
        _rateHz = robot.RateHz;
        _jointNames = robot.Joints.Select(j => j.Name).ToArray();
        _position = _jointNames.Select(j => state.IndexOf(j + "/position")).ToArray();
        _velocity = _jointNames.Select(j => state.IndexOf(j + "/velocity")).ToArray();
        _effort = _jointNames.Select(j => state.IndexOf(j + "/effort")).ToArray();
        _snapshots = new TripleBuffer<Snapshot>(() => new Snapshot(state.Count));
        _decimation = Math.Max(1, (int)Math.Round(robot.RateHz / settings.TelemetryHz));
        _countdown = 1;

        // JointState lists sized once: publishing then allocates nothing. Effort is sent only when some joint reports it.
        _jointState.Name.AddRange(_jointNames);
        _jointState.Position.AddRange(new double[_jointNames.Length]);
        _jointState.Velocity.AddRange(new double[_jointNames.Length]);
        if (_effort.Any(i => i >= 0)) _jointState.Effort.AddRange(new double[_jointNames.Length]);
    }

    /// <summary>Joint states published so far.</summary>
    public long JointStatesPublished => _jointStates?.Published ?? 0;

    /// <summary>Diagnostic arrays published so far.</summary>
    public long DiagnosticsPublished => _diagnostics?.Published ?? 0;

    /// <summary>The last publishing failure, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>The ROS node that publishes (after <see cref="Start"/>).</summary>
    public Node? Node => _node;

    /// <summary>One line for the console, e.g. "ROS 2 node /cartpole/rlr_cartpole_telemetry (domain 0) publishes …"; null before <see cref="Start"/>.</summary>
    public string? Describe()
    {
        if (_node is null) return null;
        var topics = new List<string>();
        if (_jointStates is not null) topics.Add($"{_jointStates.TopicName} at {_settings.TelemetryHz:0.##} Hz");
        if (_diagnostics is not null) topics.Add($"{_diagnostics.TopicName} at {_settings.DiagnosticsHz:0.##} Hz");
        return $"ROS 2 node {_node.FullyQualifiedName} (domain {_node.Context.DomainId}) publishes {string.Join(", ", topics)}";
    }

    /// <summary>Connects the loop's counters, read by the diagnostics (the loop is built after its observers).</summary>
    public void Bind(TelemetrySources sources) => _sources = sources;

    // ---------------------------------------------------------------- real time

    public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time)
    {
        if (--_countdown > 0) return;
        _countdown = _decimation;
        var slot = _snapshots.WriteSlot;
        state.Values.AsSpan().CopyTo(slot.Values);
        slot.Time_ns = time.Now_ns;
        slot.Cycle = time.Cycle;
        _snapshots.Publish();
    }

    // ---------------------------------------------------------------- background

    /// <summary>Joins the ROS graph (node <c>&lt;node&gt;_telemetry</c> in the component's namespace) and starts publishing.</summary>
    /// <remarks>Without <paramref name="background"/>, nothing publishes until <see cref="PublishJointState"/> or <see cref="PublishDiagnostics"/> is called.</remarks>
    public void Start(bool background = true)
    {
        if (_node is not null) return;
        _context = RosContextPool.Acquire(_settings.DomainId, _settings.Network);
        _node = _context.CreateNode(_settings.NodeName + "_telemetry", _settings.Namespace);
        if (_settings.JointStatesTopic is { } js) _jointStates = _node.CreatePublisher<JointState>(js);
        if (_settings.DiagnosticsTopic is { } diag) _diagnostics = _node.CreatePublisher<DiagnosticArray>(diag);
        if (!background) return;
        _thread = new Thread(Run) { IsBackground = true, Name = "rlr-ros2-telemetry" };
        _thread.Start();
    }

    void Run()
    {
        var period = TimeSpan.FromSeconds(1 / _settings.TelemetryHz);
        var diagnosticsEvery = Math.Max(1, (int)Math.Round(_settings.TelemetryHz / _settings.DiagnosticsHz));
        for (var tick = 0; !_stop.Wait(period); tick++)
        {
            try
            {
                PublishJointState();
                if (tick % diagnosticsEvery == 0) PublishDiagnostics();
            }
            catch (Exception ex) when (ex is DdsException or InvalidOperationException)
            {
                LastError = $"telemetry: {ex.Message}";
            }
        }
    }

    /// <summary>Publishes the newest state once (the background thread's step; tests call it directly).</summary>
    public bool PublishJointState()
    {
        if (_jointStates is null || _snapshots.ReadLatest() is not { } s || s.Cycle == _lastCycle) return false;
        _lastCycle = s.Cycle;
        Stamp(_jointState.Header.Stamp);
        for (var i = 0; i < _jointNames.Length; i++)
        {
            _jointState.Position[i] = _position[i] >= 0 ? s.Values[_position[i]] : double.NaN;
            _jointState.Velocity[i] = _velocity[i] >= 0 ? s.Values[_velocity[i]] : double.NaN;
            if (_jointState.Effort.Count > 0) _jointState.Effort[i] = _effort[i] >= 0 ? s.Values[_effort[i]] : double.NaN;
        }
        _jointStates.Publish(_jointState);
        return true;
    }

    /// <summary>Publishes one diagnostic array (the background thread's step; tests call it directly).</summary>
    public bool PublishDiagnostics()
    {
        if (_diagnostics is null || _sources is not { } src) return false;
        var array = new DiagnosticArray();
        Stamp(array.Header.Stamp);
        array.Status.Add(LoopStatus(src));
        array.Status.Add(SafetyStatus(src.Filter));
        foreach (var component in src.Resources.Components) array.Status.Add(ComponentStatus(component));
        _diagnostics.Publish(array);
        return true;
    }

    DiagnosticStatus LoopStatus(TelemetrySources src)
    {
        var stats = src.Loop;
        var now = Environment.TickCount64 * 1_000_000L;
        var cycles = stats.Cycles;
        var rate = _lastRate.Time_ns == 0 || now == _lastRate.Time_ns ? 0 : (cycles - _lastRate.Cycles) * 1e9 / (now - _lastRate.Time_ns);
        _lastRate = (cycles, now);
        var overruns = stats.Overruns;
        var fault = src.ControllerFault();
        var (level, message) = fault is not null ? (DiagnosticStatus.ERROR, $"controller fault: {fault.Message}")
            : overruns > _lastOverruns ? (DiagnosticStatus.WARN, $"{overruns - _lastOverruns} overrun(s) since the last report")
            : (DiagnosticStatus.OK, "running");
        _lastOverruns = overruns;
        return Status(level, "control loop", message,
            ("rate_hz_target", Number(_rateHz)),
            ("rate_hz_measured", Number(rate)),
            ("cycles", Number(cycles)),
            ("overruns", Number(overruns)),
            ("skipped_periods", Number(stats.SkippedPeriods)),
            ("lateness_p50_us", Number(stats.Lateness.Percentile_us(0.5))),
            ("lateness_p99_us", Number(stats.Lateness.Percentile_us(0.99))),
            ("compute_p50_us", Number(stats.Compute.Percentile_us(0.5))),
            ("compute_p99_us", Number(stats.Compute.Percentile_us(0.99))),
            ("allocated_bytes_per_cycle", Number(stats.AllocatedBytesPerCycle)));
    }

    DiagnosticStatus SafetyStatus(SafetyFilter filter)
    {
        var c = filter.Counters;
        var (level, message) = filter.EStopLatched ? (DiagnosticStatus.ERROR, $"e-stop latched: {filter.EStopReason}")
            : filter.Held ? (DiagnosticStatus.WARN, "hold mode: every joint holds")
            : filter.InSafeMode ? (DiagnosticStatus.WARN, "safe mode: the state is stale (watchdog)")
            : (DiagnosticStatus.OK, "commands pass");
        var status = Status(level, "safety filter", message,
            ("interventions", Number(c.Interventions)),
            ("position_limited", Number(c.PositionLimited)),
            ("velocity_limited", Number(c.VelocityLimited)),
            ("effort_limited", Number(c.EffortLimited)),
            ("rate_limited", Number(c.RateLimited)),
            ("non_finite", Number(c.NonFinite)),
            ("watchdog_trips", Number(c.WatchdogTrips)),
            ("estops", Number(c.EStops)),
            ("safe_cycles", Number(c.SafeCycles)),
            ("events_dropped", Number(filter.EventsDropped)));
        // Events since the last report, oldest first, at most ten (the counters above have the totals).
        var events = filter.Events;
        var from = Math.Max(_eventsReported, events.Count - 10);
        for (var i = from; i < events.Count; i++)
            status.Values.Add(new KeyValue { Key = $"event {i + 1}", Value = $"{events[i].Kind} at {events[i].Time_ns * 1e-9:F3} s: {events[i].Detail}" });
        _eventsReported = events.Count;
        return status;
    }

    DiagnosticStatus ComponentStatus(IHardwareComponent component)
    {
        var level = component.State == LifecycleState.Active ? DiagnosticStatus.OK : DiagnosticStatus.WARN;
        var status = Status(level, $"hardware {component.Name}", component.LastError ?? component.State.ToString().ToLowerInvariant(),
            ("type", component.Type), ("lifecycle", component.State.ToString().ToLowerInvariant()));
        if (component is Ros2TopicsSystem ros) status.Values.Add(new KeyValue { Key = "incomplete_joint_states", Value = Number(ros.IncompleteStates) });
        return status;
    }

    DiagnosticStatus Status(byte level, string what, string message, params (string Key, string Value)[] values)
    {
        var status = new DiagnosticStatus { Level = level, Name = $"rlr/{_robot}: {what}", Message = message, HardwareId = _robot };
        foreach (var (key, value) in values) status.Values.Add(new KeyValue { Key = key, Value = value });
        return status;
    }

    static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    static void Stamp(Messages.Types.builtin_interfaces.Time stamp)
    {
        var ns = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        stamp.Sec = (int)(ns / 1_000_000_000);
        stamp.Nanosec = (uint)(ns % 1_000_000_000);
    }

    /// <summary>The settings it publishes by.</summary>
    public Ros2TopicsSettings Settings => _settings;

    public void Dispose()
    {
        _stop.Set();
        _thread?.Join();
        _thread = null;
        _node?.Dispose();
        _node = null;
        if (_context is not null) RosContextPool.Release(_context);
        _context = null;
    }
}
