using System.Text.Json;
using static RlRobotics.Cli.Tests.RunCommandTests;

namespace RlRobotics.Cli.Tests.Launch;

/// <summary><c>rlr run … --ros-args …</c>: what a launch file's node is started with reaches the node, and bad input is refused.</summary>
public class RunWithRosArgsTests
{
    [Theory]
    [InlineData("use_sim:=true", "clock sim")]
    [InlineData("use_sim:=false", "clock wall")]
    [InlineData("controller:=pd", "controller pd")]
    [InlineData("robot:=robots/pendulum.sim.yaml", "robots/pendulum.sim.yaml: robot pendulum")]
    public void Parameters_override_the_options(string rule, string expected)
    {
        var (code, output, error) = Rlr("run", "--check", "--robot", "robots/cartpole.sim.yaml", "--clock", "sim", "--controller", "lqr",
            "--ros-args", "-p", rule);
        Assert.True(code == 0, error);
        Assert.Contains(expected, output);
        Assert.Contains("nothing was started", output);
    }

    [Fact]
    public void A_run_started_with_parameters_runs_what_they_say()
    {
        var report = Path.Combine(Path.GetTempPath(), $"rlr-ros-{Guid.NewGuid():N}.json");
        try
        {
            var (code, _, error) = Rlr("run", "--duration", "1", "--quiet", "--report", report,
                "--ros-args", "-p", "robot:=robots/pendulum.sim.yaml", "-p", "use_sim:=true", "-p", "controller:=lqr", "--log-level", "info");
            Assert.True(code != ExitCodes.BadInput, error);   // 1 s is too short for the pendulum's task to succeed; it ran
            Assert.Contains("note: --log-level info is ignored", error);
            using var doc = JsonDocument.Parse(File.ReadAllText(report));
            var r = doc.RootElement;
            Assert.Equal(("pendulum", "lqr", "sim"), (r.GetProperty("robot").GetString(), r.GetProperty("controller").GetString(), r.GetProperty("clock").GetString()));
            Assert.Equal(500, r.GetProperty("loop").GetProperty("cycles").GetInt64());   // 1 s at the pendulum's 500 Hz
        }
        finally { File.Delete(report); }
    }

    [Theory]
    [InlineData("robots/arm6.dxl.yaml", "wall")]          // real servos: real time
    [InlineData("robots/cartpole.ros2-sim.yaml", "wall")] // a ROS 2 driver: real time
    [InlineData("robots/arm2.dxl-sim.yaml", "sim")]       // a servo double moves on the loop's clock
    [InlineData("robots/cartpole.sim.yaml", "sim")]
    public void Hardware_outside_the_process_runs_on_the_wall_clock_and_simulations_on_either(string robot, string clock)
    {
        var (code, output, error) = Rlr("run", "--check", "--robot", robot, "--clock", clock);
        Assert.True(code == 0, error);
        Assert.Contains($"clock {clock}", output);
    }

    [Fact]
    public void Node_name_namespace_and_remaps_rename_the_ros2_node_and_its_topics()
    {
        var (code, output, error) = Rlr("run", "--check", "--robot", "robots/cartpole.ros2-sim.yaml", "--clock", "wall",
            "--ros-args", "-r", "__node:=arm", "-r", "__ns:=/robot2", "-r", "joint_states:=/driver/states", "-r", "/joint_states:=states", "--");
        Assert.True(code == 0, error);
        Assert.Contains("ROS 2 node /robot2/arm: state /driver/states, commands /robot2/forward_command_controller/commands, " +
                        "publishes /robot2/states and /diagnostics", output);
    }

    [Fact]
    public void Remaps_on_a_robot_without_ros2_hardware_are_noted_not_refused()
    {
        var (code, _, error) = Rlr("run", "--check", "--ros-args", "-r", "__node:=rlr");
        Assert.Equal(0, code);
        Assert.Contains("has no ROS 2 hardware (type: ros2-topics), so rlr is no ROS 2 node", error);
    }

    [Theory]
    [InlineData(new[] { "run", "--ros-args", "-r", "nonsense" }, "rlr: --ros-args: -r nonsense: expected from:=to")]
    [InlineData(new[] { "run", "--ros-args", "--frobnicate" }, "unknown ROS argument '--frobnicate'")]
    [InlineData(new[] { "run", "--ros-args", "-p", "contoller:=lqr" }, "unknown ROS parameter 'contoller' (-p contoller:=lqr); rlr run understands robot, controller, use_sim, use_sim_time")]
    [InlineData(new[] { "run", "--ros-args", "-p", "controller:=magic" }, "ROS parameter controller (-p controller:=magic): expected one of hold, pd, lqr")]
    [InlineData(new[] { "run", "--ros-args", "-p", "use_sim:=1" }, "ROS parameter use_sim (-p use_sim:=1): expected true")]
    [InlineData(new[] { "run", "--ros-args", "-p", "robot:=[a]" }, "ROS parameter robot (-p robot:=[a]): expected the robot file's path")]
    [InlineData(new[] { "run", "--ros-args", "-p", "robot:=robots/none.yaml" }, "robots/none.yaml: file not found")]
    [InlineData(new[] { "run", "--duration", "0", "--ros-args", "-p", "use_sim:=true" }, "needs --clock wall (use_sim:=false)")]
    [InlineData(new[] { "run", "--robot", "robots/cartpole.ros2-sim.yaml", "--clock", "wall", "--ros-args", "-r", "/diagnostics:=/cartpole/joint_states" },
        "the node's diagnostics topic after remapping: '/cartpole/joint_states' is the driver's state topic")]
    // The simulated clock runs as fast as the CPU allows: real servos or a ROS 2 driver would see a loop racing ahead of them.
    [InlineData(new[] { "run", "--robot", "robots/arm6.dxl.yaml" },
        "the simulated clock runs as fast as the CPU allows, but 'arm_bus' drives servos on /dev/ttyUSB0, which run on real time: use the wall clock (rlr run --clock wall")]
    [InlineData(new[] { "run", "--robot", "robots/cartpole.ros2-sim.yaml", "--clock", "wall", "--ros-args", "-p", "use_sim:=true" },
        "but 'cartpole_driver' follows a ROS 2 driver's /cartpole/joint_states, which run on real time")]
    [InlineData(new[] { "doctor", "--ros-args", "-r", "__node:=x" }, "--ros-args are understood by 'rlr run' (the robot node) only")]
    public void Bad_ros_args_exit_2_with_a_clear_message(string[] args, string expected)
    {
        // rlr run gets --check too: should the ROS arguments slip through, still nothing moves.
        var (code, output, error) = Rlr(args[0] == "run" ? ["run", "--check", .. args[1..]] : args);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("nothing was started", output);
    }
}
