using RlRobotics.Core.Spec;
using RlRobotics.Hal.Components;
using RlRobotics.Ros2.Dds;

namespace RlRobotics.Ros2.Hal;

/// <summary>How commands are sent to the ROS 2 driver.</summary>
public enum CommandMessage
{
    /// <summary><c>std_msgs/Float64MultiArray</c>, one value per commanded joint in the component's joint order (ros2_control's forward command controller).</summary>
    Float64MultiArray,
    /// <summary><c>trajectory_msgs/JointTrajectory</c> with one point one control period ahead.</summary>
    JointTrajectory,
}

/// <summary>
/// The <c>settings</c> of a <c>type: ros2-topics</c> component:
/// <code>
/// domain_id: 0                 # default: ROS_DOMAIN_ID, else 0
/// network: default             # or loopback (simulated robots, tests): nothing leaves the machine
/// namespace: /cartpole         # the driver's namespace; topics below are relative to it
/// node: rlr_hardware           # our node's name in the ROS graph
/// state_topic: joint_states    # sensor_msgs/JointState from the driver
/// command_topic: forward_command_controller/commands
/// command_type: float64_multi_array   # or joint_trajectory
/// state_qos: sensor_data       # default | sensor_data
/// command_qos: default
/// connect_timeout_s: 5         # configure waits this long for the driver's first joint state
/// joint_states_topic: /joint_states   # what the node publishes while it runs ("off": nothing)
/// diagnostics_topic: /diagnostics     # diagnostic_msgs/DiagnosticArray: loop, safety, hardware ("off": nothing)
/// telemetry_hz: 50             # joint states per second
/// diagnostics_hz: 1            # diagnostic arrays per second
/// </code>
/// </summary>
public sealed record Ros2TopicsSettings
{
    public required uint DomainId { get; init; }
    public required DdsNetwork Network { get; init; }
    public required string Namespace { get; init; }
    public required string NodeName { get; init; }
    public required string StateTopic { get; init; }
    public required string CommandTopic { get; init; }
    public required CommandMessage CommandType { get; init; }
    public required QosProfile StateQos { get; init; }
    public required QosProfile CommandQos { get; init; }
    public required double ConnectTimeout_s { get; init; }
    /// <summary>Where the node publishes the robot's joint states while it runs; null: not at all.</summary>
    public string? JointStatesTopic { get; init; } = "/joint_states";
    /// <summary>Where the node publishes its diagnostics; null: not at all.</summary>
    public string? DiagnosticsTopic { get; init; } = "/diagnostics";
    public double TelemetryHz { get; init; } = 50;
    public double DiagnosticsHz { get; init; } = 1;

    /// <summary>True when the node publishes anything of its own.</summary>
    public bool PublishesTelemetry => JointStatesTopic is not null || DiagnosticsTopic is not null;

    public static Ros2TopicsSettings From(ComponentContext context)
    {
        var s = context.Spec.Settings;
        s.ExpectMapping(optional: true);
        var domain = s.Has("domain_id") ? (uint)s.Int("domain_id", 0, 0, 232) : SafeEnvironmentDomain(s);
        var settings = new Ros2TopicsSettings
        {
            DomainId = domain,
            Network = s.Enum<DdsNetwork>("network", DdsNetwork.Default),
            Namespace = s.String("namespace", "/"),
            NodeName = s.String("node", "rlr_hardware"),
            StateTopic = s.String("state_topic", "joint_states"),
            CommandTopic = s.String("command_topic", "forward_command_controller/commands"),
            CommandType = s.Enum<CommandMessage>("command_type", CommandMessage.Float64MultiArray),
            StateQos = Qos(s, "state_qos", "sensor_data"),
            CommandQos = Qos(s, "command_qos", "default"),
            ConnectTimeout_s = s.Double("connect_timeout_s", 5.0, v => v > 0 && v <= 600, "seconds, more than 0 and at most 600"),
            JointStatesTopic = Optional(s.String("joint_states_topic", "/joint_states")),
            DiagnosticsTopic = Optional(s.String("diagnostics_topic", "/diagnostics")),
            TelemetryHz = s.Double("telemetry_hz", 50, v => v > 0 && v <= 1000, "messages per second, more than 0 and at most 1000"),
            DiagnosticsHz = s.Double("diagnostics_hz", 1, v => v > 0 && v <= 100, "arrays per second, more than 0 and at most 100"),
        };
        s.RejectUnknownKeys();
        try
        {
            if (settings.Namespace != "/") Rcl.TopicNames.Validate("/" + settings.Namespace.Trim('/'));
        }
        catch (ArgumentException ex) { s["namespace"].Error(ex.Message); }
        try
        {
            Rcl.TopicNames.ValidateNodeName(settings.NodeName);
        }
        catch (ArgumentException ex) { s["node"].Error(ex.Message); }
        CheckTopic(s, "joint_states_topic", settings.JointStatesTopic, settings);
        CheckTopic(s, "diagnostics_topic", settings.DiagnosticsTopic, settings);
        return settings;
    }

    static string? Optional(string topic) => topic is "off" or "" ? null : topic;

    // A topic the node publishes must be a valid name, and never the driver's own state or command topic.
    static void CheckTopic(ConfigNode s, string key, string? topic, Ros2TopicsSettings settings)
    {
        if (topic is null) return;
        try
        {
            if (Collision(Rcl.TopicNames.Resolve(topic, settings.Namespace, settings.NodeName), settings) is { } problem) s[key].Error(problem);
        }
        catch (ArgumentException ex) { s[key].Error(ex.Message); }
    }

    static string? Collision(string full, Ros2TopicsSettings settings) =>
        full == Rcl.TopicNames.Resolve(settings.StateTopic, settings.Namespace, settings.NodeName)
            ? $"'{full}' is the driver's state topic; the node would publish onto its own input (name another topic, or 'off')"
            : full == Rcl.TopicNames.Resolve(settings.CommandTopic, settings.Namespace, settings.NodeName)
                ? $"'{full}' is the command topic (name another topic, or 'off')"
                : null;

    /// <summary>
    /// These settings under the node's ROS 2 command-line arguments (<c>--ros-args</c>, e.g. from a launch file):
    /// <c>-r __node:=</c> renames our node (the telemetry node follows as <c>&lt;node&gt;_telemetry</c>), <c>-r __ns:=</c>
    /// moves it and every relative topic, and topic rules rename the state, command, joint-states and diagnostics topics,
    /// each kept fully qualified. Node-specific rules (<c>node:from:=to</c>) name the node of the robot file.
    /// Throws <see cref="ArgumentException"/> when a published topic would land on the driver's state or command topic.
    /// </summary>
    public Ros2TopicsSettings Remapped(Rcl.RosArguments ros)
    {
        var node = ros.NodeName(NodeName);
        var ns = ros.Namespace(NodeName, Namespace);
        var telemetry = node + "_telemetry";
        var remapped = this with
        {
            NodeName = node,
            Namespace = ns,
            StateTopic = ros.RemapTopic(StateTopic, ns, node, NodeName),
            CommandTopic = ros.RemapTopic(CommandTopic, ns, node, NodeName),
            JointStatesTopic = JointStatesTopic is { } js ? ros.RemapTopic(js, ns, telemetry, NodeName) : null,
            DiagnosticsTopic = DiagnosticsTopic is { } diag ? ros.RemapTopic(diag, ns, telemetry, NodeName) : null,
        };
        foreach (var (topic, what) in new[] { (remapped.JointStatesTopic, "joint states"), (remapped.DiagnosticsTopic, "diagnostics") })
            if (topic is not null && Collision(topic, remapped) is { } problem)
                throw new ArgumentException($"--ros-args: the node's {what} topic after remapping: {problem}");
        return remapped;
    }

    static uint SafeEnvironmentDomain(ConfigNode s)
    {
        try
        {
            return DdsDomain.FromEnvironment();
        }
        catch (ArgumentException ex)
        {
            s.Error(ex.Message);
            return 0;
        }
    }

    static QosProfile Qos(ConfigNode s, string key, string fallback)
    {
        var name = s.String(key, fallback);
        try
        {
            return QosProfile.FromName(name);
        }
        catch (ArgumentException ex)
        {
            s[key].Error(ex.Message);
            return QosProfile.DefaultProfile;
        }
    }
}
