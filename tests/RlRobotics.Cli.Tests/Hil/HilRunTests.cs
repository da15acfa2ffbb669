using System.Text.Json;
using System.Xml.Linq;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;
using RlRobotics.Hil.Faults;
using RlRobotics.Hil.Scenarios;

namespace RlRobotics.Cli.Tests.Hil;

/// <summary>
/// <c>rlr hil run</c>: the shipped scenarios pass against the doubles and report every fault's detection and recovery;
/// a scenario whose criteria are too tight fails with the reason; and the rig's own checks catch what they exist to catch.
/// </summary>
public sealed class HilRunTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rlr-hil-").FullName;

    static (int Code, string Out, string Err) Rlr(params string[] args) => RunCommandTests.Rlr(args);

    string Scenario(string name, string yaml)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, yaml.Replace("ROBOTS", Path.Combine(RunCommandTests.Root(), "robots")));
        return path;
    }

    [Fact]
    public void The_shipped_scenarios_pass_and_write_junit_and_json_with_detection_and_recovery_times()
    {
        var (junit, json) = (Path.Combine(_dir, "hil.xml"), Path.Combine(_dir, "hil.json"));
        var (code, output, error) = Rlr("hil", "run", "hil/scenarios/", "--junit", junit, "--json", json);
        Assert.True(code == ExitCodes.Success, error + output);
        var shipped = Directory.GetFiles(Path.Combine(RunCommandTests.Root(), "hil", "scenarios"), "*.yaml").Length;
        Assert.Contains($"{shipped} of {shipped} scenarios passed", output);

        var suite = XDocument.Load(junit).Root!.Element("testsuite")!;
        Assert.Equal(shipped.ToString(), suite.Attribute("tests")!.Value);
        Assert.Equal("0", suite.Attribute("failures")!.Value);
        Assert.Empty(suite.Elements("testcase").Elements("failure"));

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var faults = doc.RootElement.GetProperty("scenarios").EnumerateArray().SelectMany(s => s.GetProperty("faults").EnumerateArray()).ToList();
        // Every fault kind the runner supports is exercised, and every fault that calls for a reaction got one.
        Assert.Equal(["agent_nan", "agent_out_of_range", "push", "sensor_freeze"], faults.Select(f => f.GetProperty("kind").GetString()).Distinct().Order());
        foreach (var f in faults.Where(f => f.GetProperty("kind").GetString() != "push"))
            Assert.True(f.TryGetProperty("detected_s", out var d) && d.GetDouble() >= 0, f.ToString());
        var freeze = faults.Single(f => f.GetProperty("kind").GetString() == "sensor_freeze");
        Assert.InRange(freeze.GetProperty("detected_s").GetDouble(), 0.009, 0.0111); // the robot file's 10 ms watchdog, to the cycle
    }

    [Fact]
    public void Criteria_too_tight_fail_the_run_with_the_reason_in_the_console_and_the_junit_report()
    {
        var path = Scenario("too-tight.yaml", """
            scenario: too-tight
            robot: ROBOTS/cartpole.sim.yaml
            controller: lqr
            duration_s: 3
            initial_state: [0, 3.04, 0, 0]
            faults:
              - { kind: sensor_freeze, at_s: 1.0, duration_s: 0.03 }
            criteria:
              safe_within_s: 0.005
            """);
        var junit = Path.Combine(_dir, "tight.xml");
        var (code, output, _) = Rlr("hil", "run", path, "--junit", junit);
        Assert.Equal(ExitCodes.TaskFailed, code);
        var text = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        Assert.Contains("FAIL too-tight", text);
        Assert.Contains("reacted after 10 ms (bound 5 ms)", text);
        var failure = XDocument.Load(junit).Descendants("failure").Single();
        Assert.Contains("safe after sensor_freeze at 1 s: reacted after 10 ms (bound 5 ms)", failure.Attribute("message")!.Value);
    }

    [Fact]
    public void A_push_the_controller_cannot_absorb_fails_on_tracking_and_recovery()
    {
        var path = Scenario("shove.yaml", """
            scenario: shove
            robot: ROBOTS/cartpole.sim.yaml
            controller: lqr
            duration_s: 4
            initial_state: [0, pi, 0, 0]
            faults:
              - { kind: push, joint: cart, force: 10, at_s: 1.0, duration_s: 1.5 }
            criteria:
              tracking: [ { interface: pole/position, goal: pi, bound: 0.5 } ]
              recover_within_s: 1.0
              recovery: { tolerance: { pole/position: 0.05 } }
            """);
        var (code, output, _) = Rlr("hil", "run", path);
        Assert.Equal(ExitCodes.TaskFailed, code);
        var text = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        Assert.Contains("✗ tracking pole/position", text);
        Assert.Contains("✗ recovered from push at 1 s", text);
    }

    [Fact]
    public void The_recorder_catches_an_unsafe_command_at_the_actuator_whatever_the_filter_did()
    {
        // The criterion must be able to fail: feed the recorder a command beyond the cart's 10 N, and a NaN.
        var robot = RobotSpecLoader.LoadFile(Path.Combine(RunCommandTests.Root(), "robots", "cartpole.sim.yaml"));
        var state = new StateFrame(robot.Joints.SelectMany(j => j.StateInterfaces.Select(k => InterfaceName.Of(j.Name, k))).ToList());
        var command = new CommandFrame(robot.Joints.SelectMany(j => j.CommandInterfaces.Select(k => InterfaceName.Of(j.Name, k))).ToList());
        var recorder = new RunRecorder(robot, new SafetyFilter(robot, state, command), new LoopStatistics(), state, command, 8);
        var effort = command.Require("cart/effort");
        foreach (var (value, k) in new[] { (5.0, 0), (12.0, 1), (double.NaN, 2), (-10.0, 3) })
        {
            command.Values[effort] = value;
            recorder.OnCycle(state, command, new CycleTime(k * 1_000_000, 0.001, k));
        }
        Assert.Equal(2, recorder.UnsafeCommands);
        Assert.StartsWith("cart/effort = 12 at 0.001 s", recorder.FirstUnsafe);
    }

    [Theory]
    [InlineData("kind: teleport", "unknown fault kind 'teleport'; expected one of: push, sensor_freeze, agent_nan, agent_out_of_range")]
    [InlineData("kind: push, at_s: 9", "after the run ends")]
    [InlineData("kind: sensor_freeze, at_s: 1, duration_s: 0.1, extra: 1", "unknown key 'extra'")]
    public void A_bad_fault_is_a_located_error_and_nothing_runs(string fault, string expected)
    {
        var path = Scenario("bad.yaml", $$"""
            scenario: bad
            robot: ROBOTS/cartpole.sim.yaml
            duration_s: 3
            faults:
              - { {{fault}}{{(fault.Contains("duration_s") ? "" : ", duration_s: 0.1")}}{{(fault.Contains("at_s") ? "" : ", at_s: 1")}} }
            """);
        var (code, output, error) = Rlr("hil", "run", path);
        Assert.True(code == ExitCodes.BadInput, output + error);
        Assert.Contains("bad.yaml:5:", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Scenario_paths_are_relative_to_the_scenario_and_a_missing_robot_file_is_named()
    {
        var path = Scenario("lost.yaml", "scenario: lost\nrobot: nowhere/robot.yaml\nduration_s: 1\n");
        var (code, _, error) = Rlr("hil", "run", path);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"no such robot file: {Path.Combine(_dir, "nowhere", "robot.yaml")}", error);
        var loaded = ScenarioLoader.LoadFile(Path.Combine(RunCommandTests.Root(), "hil", "scenarios", "cartpole-push.yaml"));
        Assert.Equal(Path.Combine(RunCommandTests.Root(), "robots", "cartpole.sim.yaml"), loaded.Robot);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
