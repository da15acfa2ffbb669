using System.Text.RegularExpressions;

namespace RlRobotics.Core.Spec;

/// <summary>
/// Reads and validates a robot description. Every problem is reported with file, line, column and what was
/// expected; nothing is returned unless the whole file is valid.
/// </summary>
public static partial class RobotSpecLoader
{
    /// <summary>Loads <paramref name="path"/>; throws <see cref="SpecException"/> listing every problem.</summary>
    public static RobotSpec LoadFile(string path)
    {
        if (!File.Exists(path))
            throw new SpecException(new SpecError(path, 0, 0, "", "file not found"));
        return Load(File.ReadAllText(path), path);
    }

    /// <summary>Parses YAML text; <paramref name="file"/> names it in error messages.</summary>
    public static RobotSpec Load(string yaml, string file)
    {
        var diagnostics = new Diagnostics(file);
        var root = ConfigNode.Parse(yaml, diagnostics);
        diagnostics.ThrowIfAny();
        if (!root.ExpectMapping())
            diagnostics.ThrowIfAny();

        var name = root.String("robot");
        if (name.Length > 0 && !NamePattern().IsMatch(name))
            root["robot"].Error($"expected a name of letters, digits, '_' or '-', got '{name}'");
        var rate = root.Double("rate_hz", v => v > 0 && v <= 20_000, "a rate in Hz above 0 and at most 20000");

        var safetyNode = root["safety"];
        safetyNode.ExpectMapping(optional: true);
        var safety = ReadSafety(safetyNode, double.IsNaN(rate) ? 100 : rate);

        var joints = ReadJoints(root["joints"], safety);
        var sensors = ReadSensors(root["sensors"]);
        var components = ReadComponents(root["hardware"], joints, sensors);
        var realtime = ReadRealtime(root["realtime"]);
        var agent = ReadAgent(root["agent"]);
        var task = ReadTask(root["task"], joints, sensors);
        var mqtt = root["mqtt"];
        mqtt.ExpectMapping(optional: true);
        root.RejectUnknownKeys();
        diagnostics.ThrowIfAny();

        return new RobotSpec
        {
            Name = name,
            SourcePath = file,
            RateHz = rate,
            Joints = joints,
            Sensors = sensors,
            Components = components,
            Safety = safety,
            Realtime = realtime,
            Agent = agent,
            Mqtt = mqtt.IsMissing ? null : mqtt,
            Task = task,
        };
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]*$")]
    private static partial Regex NamePattern();

    private static SafetySpec ReadSafety(ConfigNode node, double rateHz)
    {
        var spec = new SafetySpec
        {
            Watchdog_s = node.Double("watchdog_s", Math.Max(5.0 / rateHz, 0.005), v => v > 0 && v <= 10, "a period in seconds above 0 and at most 10"),
            SoftMargin = node.Double("soft_margin", 0.0, v => v >= 0, "a distance of at least 0"),
            KPosition = node.Double("k_position", 10.0, v => v > 0, "a gain above 0 (1/s)"),
            KVelocity = node.Double("k_velocity", 50.0, v => v > 0, "a gain above 0"),
        };
        node.RejectUnknownKeys();
        return spec;
    }

    private static List<JointSpec> ReadJoints(ConfigNode node, SafetySpec safety)
    {
        var joints = new List<JointSpec>();
        var items = node.Items(required: true);
        if (!node.IsMissing && node.IsSequence && items.Count == 0) node.Error("expected at least one joint");
        var seen = new Dictionary<string, ConfigNode>();
        foreach (var j in items)
        {
            if (!j.ExpectMapping()) continue;
            var name = j.String("name");
            if (name.Length > 0 && !NamePattern().IsMatch(name)) j["name"].Error($"expected a name of letters, digits, '_' or '-', got '{name}'");
            if (seen.TryGetValue(name, out var first)) j["name"].Error($"joint '{name}' is declared twice (first at line {first.Line})");
            else seen[name] = j;
            var kind = j.Enum<JointKind>("kind");
            var commands = ReadInterfaces(j, "command_interfaces");
            var states = ReadInterfaces(j, "state_interfaces");
            if (states.Count == 0 && !j["state_interfaces"].IsMissing) j["state_interfaces"].Error("expected at least one state interface");
            if (j["state_interfaces"].IsMissing) j["state_interfaces"].Error("missing; expected a list such as [position, velocity]");
            var limits = ReadLimits(j["limits"], kind, commands);
            var safe = j.Enum<SafeBehavior>("safe", DefaultSafe(commands));
            var needed = safe switch
            {
                SafeBehavior.Hold => InterfaceKind.Position,
                SafeBehavior.ZeroEffort => InterfaceKind.Effort,
                SafeBehavior.ZeroVelocity => InterfaceKind.Velocity,
                _ => (InterfaceKind?)null,
            };
            if (needed is { } n && !commands.Contains(n))
                j["safe"].Error($"'{ConfigNode.SnakeCase(safe.ToString())}' needs a '{InterfaceName.Suffix(n)}' command interface, which joint '{name}' does not have");
            if (safe == SafeBehavior.None && commands.Count > 0)
                j["safe"].Error($"joint '{name}' is commanded, so it needs a safe behaviour: hold, zero_effort or zero_velocity");
            if (safe == SafeBehavior.Hold && !states.Contains(InterfaceKind.Position))
                j["safe"].Error("'hold' needs a 'position' state interface to know where to hold");

            SoftLimits? soft = null;
            if (limits.PositionMin is { } lo && limits.PositionMax is { } hi)
            {
                if (2 * safety.SoftMargin >= hi - lo)
                    j["limits"].Error($"safety.soft_margin {safety.SoftMargin} leaves no room inside the position limits [{lo}, {hi}]");
                soft = new SoftLimits(lo + safety.SoftMargin, hi - safety.SoftMargin, safety.KPosition, safety.KVelocity);
            }
            j.RejectUnknownKeys();
            joints.Add(new JointSpec
            {
                Name = name, Kind = kind, Limits = limits, Soft = soft,
                CommandInterfaces = commands, StateInterfaces = states, Safe = safe,
            });
        }
        return joints;
    }

    private static SafeBehavior DefaultSafe(IReadOnlyList<InterfaceKind> commands) =>
        commands.Contains(InterfaceKind.Position) ? SafeBehavior.Hold
        : commands.Contains(InterfaceKind.Velocity) ? SafeBehavior.ZeroVelocity
        : commands.Contains(InterfaceKind.Effort) ? SafeBehavior.ZeroEffort
        : SafeBehavior.None;

    private static List<InterfaceKind> ReadInterfaces(ConfigNode joint, string key)
    {
        var list = new List<InterfaceKind>();
        foreach (var (value, node) in joint.Strings(key))
        {
            InterfaceKind? kind = value switch
            {
                "position" => InterfaceKind.Position,
                "velocity" => InterfaceKind.Velocity,
                "effort" => InterfaceKind.Effort,
                _ => null,
            };
            if (kind is null) { node.Error($"expected one of: position, velocity, effort; got '{value}'"); continue; }
            if (list.Contains(kind.Value)) { node.Error($"interface '{value}' is listed twice"); continue; }
            list.Add(kind.Value);
        }
        return list;
    }

    private static JointLimits ReadLimits(ConfigNode node, JointKind kind, IReadOnlyList<InterfaceKind> commands)
    {
        if (!node.ExpectMapping()) return new JointLimits();
        double? min = null, max = null;
        var position = node["position"];
        if (kind == JointKind.Continuous)
        {
            if (!position.IsMissing) position.Error("a continuous joint has no position limits; use kind: revolute for a limited joint");
        }
        else
        {
            var pair = node.Doubles("position", length: 2, required: true);
            if (pair is not null)
            {
                if (pair[0] >= pair[1]) position.Error($"expected [lower, upper] with lower < upper, got [{pair[0]}, {pair[1]}] (inverted or empty limits)");
                else (min, max) = (pair[0], pair[1]);
            }
        }
        var positive = (Func<double, bool>)(v => v > 0);
        var limits = new JointLimits
        {
            PositionMin = min,
            PositionMax = max,
            Velocity = node.Double("velocity", positive, "a velocity limit above 0 (m/s or rad/s)"),
            Effort = commands.Contains(InterfaceKind.Effort)
                ? node.Double("effort", positive, "an effort limit above 0 (N or N·m), needed by the effort command interface")
                : node.NullableDouble("effort", positive, "an effort limit above 0 (N or N·m)"),
            EffortRate = node.NullableDouble("effort_rate", positive, "an effort rate limit above 0 (N/s or N·m/s)"),
            Acceleration = node.NullableDouble("acceleration", positive, "an acceleration limit above 0 (m/s² or rad/s²)"),
        };
        node.RejectUnknownKeys();
        return limits;
    }

    private static List<SensorSpec> ReadSensors(ConfigNode node)
    {
        var sensors = new List<SensorSpec>();
        var seen = new HashSet<string>();
        foreach (var s in node.Items())
        {
            if (!s.ExpectMapping()) continue;
            var name = s.String("name");
            if (!seen.Add(name)) s["name"].Error($"sensor '{name}' is declared twice");
            var kind = s.String("kind");
            var fields = s.Strings("fields").Select(f => f.Value).ToList();
            if (fields.Count == 0) s["fields"].Error("expected a non-empty list of the fields the sensor reports");
            s.RejectUnknownKeys();
            sensors.Add(new SensorSpec { Name = name, Kind = kind, Fields = fields });
        }
        return sensors;
    }

    private static List<ComponentSpec> ReadComponents(ConfigNode node, List<JointSpec> joints, List<SensorSpec> sensors)
    {
        var components = new List<ComponentSpec>();
        var items = node.Items(required: true);
        if (!node.IsMissing && node.IsSequence && items.Count == 0) node.Error("expected at least one hardware component");
        var names = new HashSet<string>();
        var servedBy = new Dictionary<string, (string Component, ConfigNode Node)>();
        foreach (var c in items)
        {
            if (!c.ExpectMapping()) continue;
            var name = c.String("name");
            if (!names.Add(name)) c["name"].Error($"component '{name}' is declared twice");
            var type = c.String("type");
            var jointNames = new List<string>();
            foreach (var (jn, jnode) in c.Strings("joints"))
            {
                if (joints.All(j => j.Name != jn)) { jnode.Error($"unknown joint '{jn}'; declared joints: {string.Join(", ", joints.Select(j => j.Name))}"); continue; }
                // Two components serving one joint would both claim its command interfaces.
                if (servedBy.TryGetValue(jn, out var other))
                    jnode.Error($"joint '{jn}' is already served by component '{other.Component}' (line {other.Node.Line}); two claimants of {jn}'s interfaces");
                else servedBy[jn] = (name, jnode);
                jointNames.Add(jn);
            }
            var sensorNames = new List<string>();
            foreach (var (sn, snode) in c.Strings("sensors"))
            {
                if (sensors.All(s => s.Name != sn)) { snode.Error($"unknown sensor '{sn}'"); continue; }
                if (servedBy.TryGetValue("sensor:" + sn, out var other))
                    snode.Error($"sensor '{sn}' is already served by component '{other.Component}' (line {other.Node.Line})");
                else servedBy["sensor:" + sn] = (name, snode);
                sensorNames.Add(sn);
            }
            var settings = c["settings"];
            settings.ExpectMapping(optional: true);
            c.RejectUnknownKeys();
            components.Add(new ComponentSpec { Name = name, Type = type, Joints = jointNames, Sensors = sensorNames, Settings = settings, Node = c });
        }
        if (!node.IsMissing)
        {
            foreach (var j in joints.Where(j => j.Name.Length > 0 && !servedBy.ContainsKey(j.Name)))
                node.Error($"joint '{j.Name}' is not served by any hardware component");
        }
        return components;
    }

    private static RealtimeSpec ReadRealtime(ConfigNode node)
    {
        if (!node.ExpectMapping(optional: true)) return RealtimeSpec.None;
        var affinity = node.Doubles("cpu_affinity");
        if (affinity is not null && affinity.Any(a => a < 0 || a != Math.Floor(a) || a > 1023))
            node["cpu_affinity"].Error("expected a list of CPU numbers (whole numbers from 0 to 1023)");
        var spec = new RealtimeSpec
        {
            SchedFifoPriority = node.Int("sched_fifo_priority", 0, 0, 99),
            LockMemory = node.Bool("lock_memory", false),
            TimerSlack_ns = node.Int("timer_slack_ns", 0, 0, 1_000_000),
            CpuAffinity = affinity?.Select(a => (int)a).ToArray() ?? Array.Empty<int>(),
            Spin_us = node.Double("spin_us", 0.0, v => v >= 0 && v <= 1000, "a spin time from 0 to 1000 µs"),
        };
        node.RejectUnknownKeys();
        return spec;
    }

    private static AgentSpec ReadAgent(ConfigNode node)
    {
        if (!node.ExpectMapping())
            return new AgentSpec { Controller = "hold", Node = node };
        // The controller's own keys are checked by its factory, which rejects what it does not read.
        return new AgentSpec { Controller = node.String("controller"), Node = node };
    }

    private static TaskSpec? ReadTask(ConfigNode node, List<JointSpec> joints, List<SensorSpec> sensors)
    {
        if (!node.ExpectMapping(optional: true)) return null;
        var goals = node["goal"];
        var tolerances = node["tolerance"];
        var terms = new List<GoalTerm>();
        var stateNames = joints.SelectMany(j => j.StateInterfaces.Select(k => (Name: InterfaceName.Of(j.Name, k), Periodic: j.Kind == JointKind.Continuous && k == InterfaceKind.Position)))
            .Concat(sensors.SelectMany(s => s.InterfaceNames.Select(n => (Name: n, Periodic: false))))
            .ToDictionary(x => x.Name, x => x.Periodic);
        var goalValues = new Dictionary<string, double>();
        if (goals.ExpectMapping())
        {
            foreach (var (key, value) in goals.Entries())
            {
                if (!stateNames.ContainsKey(key)) { value.Error($"unknown state interface '{key}'; expected one of: {string.Join(", ", stateNames.Keys)}"); continue; }
                goalValues[key] = value.AsDouble();
            }
        }
        var toleranceValues = new Dictionary<string, double>();
        foreach (var (key, value) in tolerances.Entries())
        {
            if (!goalValues.ContainsKey(key)) { value.Error($"tolerance for '{key}', which has no goal"); continue; }
            var t = value.AsDouble("a tolerance above 0");
            if (!double.IsNaN(t) && t <= 0) value.Error($"expected a tolerance above 0, got {t}");
            toleranceValues[key] = t;
        }
        foreach (var (key, goal) in goalValues)
            terms.Add(new GoalTerm(key, goal, toleranceValues.TryGetValue(key, out var t) ? t : null, stateNames[key]));
        var hold = node.Double("hold_s", 1.0, v => v >= 0, "a time in seconds of at least 0");
        foreach (var key in TaskSpec.LearningKeys) node.Has(key); // read by the learning task's reader
        node.RejectUnknownKeys();
        return new TaskSpec { Terms = terms, Hold_s = hold, Node = node };
    }
}
