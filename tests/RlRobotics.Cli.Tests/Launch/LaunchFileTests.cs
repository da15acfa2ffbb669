using RlRobotics.Cli.Launch;
using static RlRobotics.Cli.Tests.RunCommandTests;

namespace RlRobotics.Cli.Tests.Launch;

/// <summary>The shipped launch files, and the checker that validates them (<c>rlr launch check</c>).</summary>
public class LaunchFileTests
{
    static string LaunchDir => Path.Combine(Root(), "launch");

    [Fact]
    public void Every_robot_description_has_a_launch_file()
    {
        var robots = Directory.GetFiles(Path.Combine(Root(), "robots"), "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)).Order().ToList();
        var launches = Directory.GetFiles(LaunchDir, "*.launch.xml").Select(f => Path.GetFileName(f)[..^".launch.xml".Length]).Order().ToList();
        Assert.NotEmpty(robots);
        Assert.Equal(robots, launches);
    }

    public static TheoryData<string> LaunchFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Root(), "launch"), "*.launch.xml").Order()) data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(LaunchFiles))]
    public void Every_launch_file_validates(string name)
    {
        var report = LaunchFileCheck.Check(Path.Combine(LaunchDir, name));
        Assert.True(report.Ok, string.Join("\n", report.Problems));
        // It starts the robot file of its own name, through rlr's parser and node builder.
        var robot = name[..^".launch.xml".Length] + ".yaml";
        Assert.Contains(report.Commands, c => c.Contains($"rlr run --check: {Path.Combine(LaunchDir, "..", "robots", robot)}: robot ", StringComparison.Ordinal));
        Assert.All(report.Commands, c => Assert.Contains("/../rlr ", c));
    }

    [Fact]
    public void The_ros2_launch_file_names_the_node_and_starts_the_simulated_driver()
    {
        var report = LaunchFileCheck.Check(Path.Combine(LaunchDir, "cartpole.ros2-sim.launch.xml"));
        Assert.True(report.Ok, string.Join("\n", report.Problems));
        Assert.Contains(report.Commands, c => c.Contains("rlr sim serve --robot ") && c.EndsWith("--ros2 --namespace /cartpole"));
        // launch_ros writes the params under the fully qualified node name when it has both name and namespace.
        Assert.Contains(report.Commands, c => c.Contains("--ros-args -r __node:=rlr_cartpole -r __ns:=/cartpole --params-file </cartpole/rlr_cartpole: robot:=")
                                              && c.Contains("ROS 2 node /cartpole/rlr_cartpole: state /cartpole/joint_states"));
    }

    [Fact]
    public void Rlr_launch_check_validates_the_launch_folder()
    {
        var (code, output, error) = Rlr("launch", "check", "launch");
        Assert.True(code == 0, error + output);
        Assert.Contains($"{Directory.GetFiles(LaunchDir, "*.launch.xml").Length} launch file(s) valid", output);
        Assert.Equal(2, Rlr("launch", "check", "no/such/folder").Code);
    }

    static LaunchFileReport CheckText(string xml)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"rlr-launch-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var file = Path.Combine(dir, "test.launch.xml");
            File.WriteAllText(file, xml.Replace("ROOT", Root()));
            return LaunchFileCheck.Check(file);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    const string Args = """
        <arg name="robot" default="ROOT/robots/cartpole.ros2-sim.yaml"/>
        <arg name="use_sim" default="false"/>
        """;

    [Fact]
    public void An_executable_with_ros_args_validates_and_reaches_rlr()
    {
        var report = CheckText($"""
            <launch>
              {Args}
              <arg name="ns" default="robot2"/>
              <executable cmd="ROOT/rlr run --robot $(var robot) --duration 0 --ros-args -r __ns:=/$(var ns) -p use_sim:=$(var use_sim)" if="true"/>
            </launch>
            """);
        Assert.True(report.Ok, string.Join("\n", report.Problems));
        Assert.Contains("clock wall, until Ctrl+C; ROS 2 node /robot2/rlr_cartpole: state /robot2/joint_states", Assert.Single(report.Commands));
    }

    [Fact]
    public void A_node_with_name_namespace_params_and_remaps_is_built_as_launch_ros_builds_it()
    {
        var report = CheckText($"""
            <launch>
              {Args}
              <node exec="ROOT/rlr" name="arm" namespace="left" args="run --duration 2" ros_args="--log-level info">
                <param name="robot" value="$(var robot)"/>
                <param name="use_sim" value="$(var use_sim)"/>
                <remap from="joint_states" to="/drv/states"/>
                <env name="ROS_DOMAIN_ID" value="3"/>
              </node>
            </launch>
            """);
        Assert.True(report.Ok, string.Join("\n", report.Problems));
        var command = Assert.Single(report.Commands);
        Assert.Contains("rlr run --duration 2 --ros-args --log-level info --ros-args -r __node:=arm -r __ns:=/left " +
                        "--params-file </left/arm: robot:=", command);
        Assert.Contains("--params-file </left/arm: use_sim:=false> -r joint_states:=/drv/states", command);
        Assert.Contains("ROS 2 node /left/arm: state /drv/states, commands /left/forward_command_controller/commands", command);
    }

    [Theory]
    [InlineData("<launch><arg name=\"x\" default=\"1\"></launch>", "test.launch.xml:1: not well-formed XML")]
    [InlineData("<launchfile/>", "the root element is <launchfile>; expected <launch>")]
    [InlineData("<launch>ARGS<arg name=\"unused\" default=\"1\"/>NODE</launch>", "<arg name=\"unused\"> is declared but never used (as $(var unused))")]
    [InlineData("<launch>ARGS<executable cmd=\"ROOT/rlr run --robot $(var robot) --seed $(var seed) --ros-args -p use_sim:=$(var use_sim)\"/></launch>",
        "$(var seed) is used, but no <arg name=\"seed\"> declares it")]
    [InlineData("<launch>ARGS<arg name=\"d\"/><executable cmd=\"ROOT/rlr run --duration $(var d) --robot $(var robot) --ros-args -p use_sim:=$(var use_sim)\"/></launch>",
        "<arg name=\"d\"> has no default")]
    [InlineData("<launch><arg name=\"robot\" default=\"ROOT/robots/none.yaml\"/><arg name=\"use_sim\" default=\"true\"/>NODE</launch>",
        "param robot: ROOT/robots/none.yaml: file not found")]
    [InlineData("<launch>ARGS<executable cmd=\"ROOT/rlr run --robot ROOT/robots/none.yaml --robot $(var robot) --ros-args -p use_sim:=$(var use_sim)\"/></launch>",
        "--robot ROOT/robots/none.yaml: file not found")]
    [InlineData("<launch>ARGS<executable cmd=\"ROOT/rlr run --clock moon --robot $(var robot) --ros-args -p use_sim:=$(var use_sim)\"/></launch>",
        "rlr refuses the command line (exit 2)")]
    [InlineData("<launch>ARGS<node exec=\"ROOT/rlr\" args=\"run\" ros_args=\"-r nonsense\"><param name=\"robot\" value=\"$(var robot)\"/><param name=\"use_sim\" value=\"$(var use_sim)\"/></node></launch>",
        "rlr: --ros-args: -r nonsense: expected from:=to")]
    [InlineData("<launch>ARGS<node exec=\"ROOT/rlr\" args=\"run\"><param name=\"robot\" value=\"$(var robot)\"/><param name=\"sim\" value=\"$(var use_sim)\"/></node></launch>",
        "unknown ROS parameter 'sim'")]
    [InlineData("<launch>ARGS<node pkg=\"rlr\" exec=\"rlr\"><param name=\"robot\" value=\"$(var robot)\"/><param name=\"use_sim\" value=\"$(var use_sim)\"/></node></launch>",
        "rlr is not installed as a ROS package")]
    [InlineData("<launch>ARGS<executable cmd=\"/bin/echo $(var robot) $(var use_sim)\"/></launch>", "starts '/bin/echo'; expected the rlr launcher")]
    [InlineData("<launch>ARGS<executable cmd=\"ROOT/../rlr run --robot $(var robot) --ros-args -p use_sim:=$(var use_sim)\"/></launch>", "/../rlr: file not found")]
    [InlineData("<launch>ARGS<executable cmd=\"$(find-pkg-share rlr)/rlr run --robot $(var robot) --ros-args -p use_sim:=$(var use_sim)\"/></launch>",
        "$(find-pkg-share rlr) is not supported by rlr launch check")]
    [InlineData("<launch>ARGS<arg name=\"go\" default=\"maybe\"/><group if=\"$(var go)\">NODE</group></launch>", "if=\"$(var go)\" is 'maybe' with the defaults; expected true, false, 1 or 0")]
    [InlineData("<launch>ARGS<executable cmd=\"ROOT/rlr sim serve --frob $(var robot) $(var use_sim)\"/></launch>", "rlr refuses the command line")]
    [InlineData("<launch>ARGS<include file=\"x.launch.xml\"/>NODE</launch>", "<include> is not a tag rlr launch check knows")]
    [InlineData("<launch>ARGS</launch>", "$(var robot)")]   // nothing starts, so nothing uses the arguments either
    [InlineData("<launch/>", "starts nothing; expected a <node> or <executable> that runs rlr")]
    public void Bad_launch_files_are_reported_with_file_and_line(string body, string expected)
    {
        const string node = "<node exec=\"ROOT/rlr\" args=\"run\"><param name=\"robot\" value=\"$(var robot)\"/><param name=\"use_sim\" value=\"$(var use_sim)\"/></node>";
        var report = CheckText(body.Replace("ARGS", Args).Replace("NODE", node));
        Assert.False(report.Ok);
        Assert.Contains(report.Problems, p => p.Contains(expected.Replace("ROOT", Root()), StringComparison.Ordinal) && p.Contains("test.launch.xml"));
    }
}
