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
    [InlineData("kind: teleport", "unknown fault kind 'teleport'; expected one of: push, sensor_freeze, agent_nan, agent_out_of_range, serial_corrupt, serial_drop, serial_delay, servo_silent, clock_jitter, driver_restart, broker_restart")]
    [InlineData("kind: serial_corrupt, probability: 1.5", "a probability above 0, at most 1")]
    [InlineData("kind: serial_drop, probability: 0.1, direction: sideways", "expected one of: both, instructions, replies; got 'sideways'")]
    [InlineData("kind: clock_jitter", "max_ms")]
    [InlineData("kind: push, joint: cart, force: 1, expect: panic", "expected one of: none, safe_mode, non_finite, limited, overrun; got 'panic'")]
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

    [Theory]
    [InlineData("- { kind: driver_restart, at_s: 1, duration_s: 0.5 }", "a driver_restart fault needs rig.ros2_driver")]
    [InlineData("- { kind: broker_restart, at_s: 1, duration_s: 0.5 }", "a broker_restart fault needs rig.mqtt_broker: true")]
    public void A_process_fault_without_its_rig_part_is_refused_before_anything_starts(string fault, string expected)
    {
        var path = Scenario("norig.yaml", $"scenario: norig\nrobot: ROBOTS/cartpole.sim.yaml\nduration_s: 3\nfaults:\n  {fault}\n");
        var (code, output, error) = Rlr("hil", "run", path);
        Assert.True(code == ExitCodes.BadInput, output + error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void A_serial_fault_on_a_robot_without_a_bus_or_on_an_unknown_servo_fails_with_the_reason()
    {
        var noBus = Scenario("nobus.yaml", """
            scenario: nobus
            robot: ROBOTS/cartpole.sim.yaml
            duration_s: 1
            faults: [ { kind: serial_drop, probability: 0.5, at_s: 0.5, duration_s: 0.1 } ]
            """);
        var (code, output, _) = Rlr("hil", "run", noBus);
        Assert.Equal(ExitCodes.TaskFailed, code);
        Assert.Contains("the robot has 0 dynamixel buses", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));

        var noServo = Scenario("noservo.yaml", """
            scenario: noservo
            robot: ROBOTS/arm2.dxl-sim.yaml
            duration_s: 1
            faults: [ { kind: servo_silent, servo: wrist, at_s: 0.5, duration_s: 0.1 } ]
            """);
        (code, output, _) = Rlr("hil", "run", noServo);
        Assert.Equal(ExitCodes.TaskFailed, code);
        Assert.Contains("bus 'arm_bus' has no servo for joint 'wrist'", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
    }

    [Fact]
    public void A_scenario_on_real_servos_with_the_simulated_clock_fails_before_anything_moves()
    {
        // hil/README.md's lab set-up with the clock left at its default: the rig must say so, not race real servos.
        var path = Scenario("lab.yaml", """
            scenario: lab
            robot: ROBOTS/arm6.dxl.yaml
            duration_s: 1
            """);
        var (code, output, _) = Rlr("hil", "run", path);
        Assert.Equal(ExitCodes.TaskFailed, code);
        var text = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        Assert.Contains("'arm_bus' drives servos on /dev/ttyUSB0, which run on real time: use the wall clock", text);
    }

    [Fact]
    public void A_servo_silent_too_long_lets_the_arm_fall_and_the_rig_says_so()
    {
        // The same rig as the shipped scenario, with the elbow silent for 1 s: the filter holds the arm safe (zero effort)
        // the whole time, so it falls under gravity; tracking and recovery must fail, while nothing unsafe was commanded.
        var path = Scenario("long-silence.yaml", """
            scenario: long-silence
            robot: ROBOTS/arm2.dxl-sim.yaml
            controller: lqr
            duration_s: 4
            faults: [ { kind: servo_silent, servo: elbow, at_s: 2.0, duration_s: 1.0 } ]
            criteria:
              tracking: [ { interface: shoulder/position, goal: 0.8, bound: 0.3, from_s: 1.5 } ]
              safe_within_s: 0.005
              recover_within_s: 0.5
              recovery: { tolerance: { shoulder/position: 0.03 } }
            """);
        var (code, output, _) = Rlr("hil", "run", path);
        Assert.Equal(ExitCodes.TaskFailed, code);
        var text = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        Assert.Contains("✗ tracking shoulder/position", text);
        Assert.Contains("✓ safe after servo_silent at 2 s: reacted after 0 ms", text);
        Assert.Contains("✓ no unsafe command at the actuators", text);
        Assert.Matches(@"serial proxy on 'arm_bus': \d+ bytes forwarded, 0 corrupted, 0 dropped, [1-9]\d* status packets swallowed", text);
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
