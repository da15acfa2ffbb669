using RlRobotics.Core.Spec;
using RlRobotics.Hil.Rig;

namespace RlRobotics.Hil.Scenarios;

/// <summary>
/// Reads <c>hil/scenarios/*.yaml</c>. Every problem is reported with file, line and column, and nothing is returned
/// unless the whole file is valid. Paths in a scenario are relative to the scenario file.
/// </summary>
/// <example>
/// <code>
/// scenario: cartpole-sensor-freeze
/// robot: ../../robots/cartpole.sim.yaml
/// controller: lqr
/// duration_s: 6
/// initial_state: [0, 3.04, 0, 0]
/// faults:
///   - { kind: sensor_freeze, at_s: 2.0, duration_s: 0.03 }
/// criteria:
///   tracking: [ { interface: pole/position, goal: pi, bound: 0.5 } ]
///   safe_within_s: 0.05
///   estop_latched: false
///   recover_within_s: 3.0
///   recovery: { tolerance: { pole/position: 0.05 }, hold_s: 0.5 }
/// </code>
/// </example>
public static class ScenarioLoader
{
    public static Scenario LoadFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new SpecException(new SpecError(path, 0, 0, "", "file not found"));
        return Load(File.ReadAllText(full), full);
    }

    /// <summary>Every <c>*.yaml</c> of a folder (sorted by name), or the one file named.</summary>
    public static IReadOnlyList<string> Find(string fileOrFolder)
    {
        if (Directory.Exists(fileOrFolder))
        {
            var files = Directory.GetFiles(fileOrFolder, "*.yaml").Concat(Directory.GetFiles(fileOrFolder, "*.yml")).Order(StringComparer.Ordinal).ToList();
            return files.Count > 0 ? files : throw new ArgumentException($"no *.yaml scenarios in {Path.GetFullPath(fileOrFolder)}");
        }
        return File.Exists(fileOrFolder) ? [fileOrFolder] : throw new ArgumentException($"no such scenario file or folder: {Path.GetFullPath(fileOrFolder)}");
    }

    public static Scenario Load(string yaml, string file)
    {
        var diagnostics = new Diagnostics(file);
        var root = ConfigNode.Parse(yaml, diagnostics);
        diagnostics.ThrowIfAny();
        if (!root.ExpectMapping()) diagnostics.ThrowIfAny();
        var dir = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";

        var name = root.String("scenario");
        var robotPath = root.String("robot");
        var robot = Path.GetFullPath(Path.Combine(dir, robotPath));
        if (robotPath.Length > 0 && !File.Exists(robot)) root["robot"].Error($"no such robot file: {robot}");
        var duration = root.Double("duration_s", v => v > 0 && v <= 3600, "seconds above 0 and at most 3600");
        var clock = root.String("clock", "sim");
        if (clock is not ("sim" or "wall")) root["clock"].Error($"expected sim or wall, got '{clock}'");
        double[]? initial = null;
        if (root.Has("initial_state")) initial = root["initial_state"].Items(required: true).Select(i => i.AsDouble()).ToArray();

        var faults = new List<Fault>();
        foreach (var f in root["faults"].Items())
            if (ReadFault(f, duration) is { } fault) faults.Add(fault);

        var (criteria, goals) = ReadCriteria(root["criteria"]);
        var description = root.String("description", "");
        var controller = root.Has("controller") ? root.String("controller") : null;
        var seed = root.Int("seed", 0, 0);
        var rig = ReadRig(root["rig"], dir);
        if (faults.Any(f => f.Kind == FaultKind.DriverRestart) && rig.Ros2Driver is null)
            root["faults"].Error("a driver_restart fault needs rig.ros2_driver (the robot file the driver serves)");
        if (faults.Any(f => f.Kind == FaultKind.BrokerRestart) && !rig.MqttBroker)
            root["faults"].Error("a broker_restart fault needs rig.mqtt_broker: true");
        if (criteria.NoLostTelemetry && !rig.MqttBroker) root["criteria"]["no_lost_telemetry"].Error("no_lost_telemetry needs rig.mqtt_broker: true");
        root.RejectUnknownKeys();
        diagnostics.ThrowIfAny();
        return new Scenario
        {
            Name = name,
            File = Path.GetFullPath(file),
            Description = description,
            Robot = robot,
            Controller = controller,
            Duration_s = duration,
            Clock = clock,
            Seed = seed,
            InitialState = initial,
            Faults = faults.OrderBy(f => f.At_s).ToList(),
            Criteria = criteria,
            Goals = goals,
            Rig = rig,
        };
    }

    static RigSpec ReadRig(ConfigNode node, string dir)
    {
        if (node.IsMissing || !node.ExpectMapping()) return new RigSpec();
        string? driver = null;
        if (node.Has("ros2_driver"))
        {
            var path = node.String("ros2_driver");
            driver = Path.GetFullPath(Path.Combine(dir, path));
            if (!File.Exists(driver)) node["ros2_driver"].Error($"no such robot file: {driver}");
        }
        var rig = new RigSpec
        {
            Ros2Driver = driver,
            Ros2Domain = node.Int("ros2_domain", 0, 0, 232),
            MqttBroker = node.Bool("mqtt_broker", false),
        };
        node.RejectUnknownKeys();
        return rig;
    }

    static Fault? ReadFault(ConfigNode node, double duration)
    {
        if (!node.ExpectMapping()) return null;
        var kindText = node.String("kind");
        var at = node.Double("at_s", v => v >= 0, "seconds, at least 0");
        var length = node.Double("duration_s", v => v > 0, "seconds above 0");
        if (at >= duration) node["at_s"].Error($"the fault starts at {at} s, after the run ends ({duration} s)");
        if (!Names.Kinds.TryGetValue(kindText, out var kind))
        {
            node["kind"].Error($"unknown fault kind '{kindText}'; expected one of: {string.Join(", ", Names.Kinds.Keys)}");
            return null;
        }
        var fault = new Fault(kind, at, length, node.Line);
        switch (kind)
        {
            case FaultKind.Push:
                fault = fault with { Joint = node.String("joint"), Force = node.Double("force") };
                break;
            case FaultKind.AgentOutOfRange:
                fault = fault with { Value = node.Double("value") };
                break;
            case FaultKind.SerialCorrupt or FaultKind.SerialDrop:
                fault = fault with { Probability = node.Double("probability", v => v is > 0 and <= 1, "a probability above 0, at most 1") };
                break;
            case FaultKind.SerialDelay:
                fault = fault with { Delay_ms = node.Double("delay_ms", v => v is > 0 and <= 1000, "milliseconds above 0, at most 1000") };
                break;
            case FaultKind.ServoSilent:
                fault = fault with { Servo = node.String("servo"), Direction = SerialDirection.Replies };
                break;
            case FaultKind.ClockJitter:
                fault = fault with { Delay_ms = node.Double("max_ms", v => v is > 0 and <= 1000, "milliseconds above 0, at most 1000") };
                break;
        }
        if (kind is FaultKind.SerialCorrupt or FaultKind.SerialDrop or FaultKind.SerialDelay or FaultKind.ServoSilent)
        {
            if (node.Has("bus")) fault = fault with { Bus = node.String("bus") };
            if (kind != FaultKind.ServoSilent && node.Has("direction"))
            {
                var direction = node.String("direction");
                if (Names.Directions.TryGetValue(direction, out var d)) fault = fault with { Direction = d };
                else node["direction"].Error($"expected one of: {string.Join(", ", Names.Directions.Keys)}; got '{direction}'");
            }
        }
        if (node.Has("expect"))
        {
            var expect = node.String("expect");
            if (Names.Reactions.TryGetValue(expect, out var r)) fault = fault with { Expect = r };
            else node["expect"].Error($"expected one of: {string.Join(", ", Names.Reactions.Keys)}; got '{expect}'");
        }
        node.RejectUnknownKeys();
        return fault;
    }

    static (Criteria, IReadOnlyDictionary<string, double>) ReadCriteria(ConfigNode node)
    {
        var goals = new Dictionary<string, double>();
        if (node.IsMissing || !node.ExpectMapping()) return (new Criteria(), goals);
        var tracking = new List<TrackingBound>();
        foreach (var t in node["tracking"].Items())
        {
            if (!t.ExpectMapping()) continue;
            var bound = new TrackingBound(t.String("interface"), t.Double("goal"), t.Double("bound", v => v > 0, "a bound above 0"),
                t.Double("from_s", 0, v => v >= 0, "seconds, at least 0"), t.NullableDouble("until_s", v => v > 0, "seconds above 0"));
            tracking.Add(bound);
            goals.TryAdd(bound.Interface, bound.Goal);
            t.RejectUnknownKeys();
        }
        var tolerance = new Dictionary<string, double>();
        var hold = 0.5;
        var recovery = node["recovery"];
        if (!recovery.IsMissing && recovery.ExpectMapping())
        {
            foreach (var (name, value) in recovery["tolerance"].Entries()) tolerance[name] = value.AsDouble("a tolerance above 0");
            foreach (var (name, value) in recovery["goals"].Entries()) goals[name] = value.AsDouble();
            hold = recovery.Double("hold_s", 0.5, v => v >= 0, "seconds, at least 0");
            recovery.RejectUnknownKeys();
        }
        foreach (var name in tolerance.Keys.Where(n => !goals.ContainsKey(n)))
            recovery["tolerance"][name].Error($"no goal for '{name}': add it to criteria.tracking or criteria.recovery.goals");
        var criteria = new Criteria
        {
            Tracking = tracking,
            SafeWithin_s = node.NullableDouble("safe_within_s", v => v > 0, "seconds above 0"),
            RecoverWithin_s = node.NullableDouble("recover_within_s", v => v > 0, "seconds above 0"),
            RecoveryTolerance = tolerance,
            RecoveryHold_s = hold,
            NoUnsafeCommands = node.Bool("no_unsafe_commands", true),
            NoLostTelemetry = node.Bool("no_lost_telemetry", false),
            EStopLatched = node.Has("estop_latched") ? node.Bool("estop_latched", false) : null,
        };
        node.RejectUnknownKeys();
        return (criteria, goals);
    }
}
