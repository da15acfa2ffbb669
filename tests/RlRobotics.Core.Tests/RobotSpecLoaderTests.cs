using RlRobotics.Core.Spec;

namespace RlRobotics.Core.Tests;

public class RobotSpecLoaderTests
{
    internal const string Minimal = """
        robot: slider
        rate_hz: 500
        joints:
          - name: slide
            kind: prismatic
            limits: { position: [-1, 1], velocity: 2, effort: 10 }
            command_interfaces: [effort]
            state_interfaces: [position, velocity]
        hardware:
          - name: sim
            type: sim
            joints: [slide]
            settings: { model: pendulum }
        agent:
          controller: hold
        """;

    private static SpecError Single(string yaml)
    {
        var ex = Assert.Throws<SpecException>(() => RobotSpecLoader.Load(yaml, "robot.yaml"));
        Assert.Single(ex.Errors);
        return ex.Errors[0];
    }

    public static TheoryData<string> ShippedRobots() => new(Directory.GetFiles(Path.Combine(RepoRoot(), "robots"), "*.yaml"));

    internal static string RepoRoot() => RepositoryRoot.Find();

    [Theory]
    [MemberData(nameof(ShippedRobots))]
    public void Every_shipped_robot_file_is_valid(string path)
    {
        var spec = RobotSpecLoader.LoadFile(path);
        Assert.NotEmpty(spec.Joints);
        Assert.NotEmpty(spec.Components);
        Assert.True(spec.RateHz > 0);
    }

    [Fact]
    public void Minimal_file_loads_with_defaults()
    {
        var spec = RobotSpecLoader.Load(Minimal, "robot.yaml");
        var joint = Assert.Single(spec.Joints);
        Assert.Equal(JointKind.Prismatic, joint.Kind);
        Assert.Equal(SafeBehavior.ZeroEffort, joint.Safe);
        Assert.Equal(-1, joint.Limits.PositionMin);
        Assert.Equal(10, joint.Limits.Effort);
        Assert.Equal(5.0 / 500, spec.Safety.Watchdog_s, 12);
        Assert.Equal("hold", spec.Agent.Controller);
    }

    [Fact]
    public void Malformed_yaml_reports_line_and_column()
    {
        var e = Single("robot: x\njoints: [a, b\nrate_hz: 3\n");
        Assert.Equal("robot.yaml", e.File);
        Assert.Equal(2, e.Line); // the unclosed '['
        Assert.Contains("malformed YAML", e.Message);
    }

    [Fact]
    public void Bad_indentation_reports_its_line()
    {
        var e = Single("robot: x\nrate_hz: 100\n  joints: 3\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("malformed YAML", e.Message);
    }

    [Fact]
    public void Wrong_type_names_the_key_and_the_expectation()
    {
        var e = Single(Minimal.Replace("rate_hz: 500", "rate_hz: fast"));
        Assert.Equal((2, 10), (e.Line, e.Column));
        Assert.Equal("rate_hz", e.Path);
        Assert.Contains("expected a rate in Hz", e.Message);
        Assert.Contains("'fast'", e.Message);
    }

    [Fact]
    public void Quoted_number_is_refused_as_text()
    {
        var e = Single(Minimal.Replace("rate_hz: 500", "rate_hz: \"500\""));
        Assert.Contains("quoted text", e.Message);
    }

    [Fact]
    public void Unknown_key_suggests_the_closest_known_key()
    {
        var e = Single(Minimal.Replace("velocity: 2,", "velocty: 2, velocity: 2,"));
        Assert.Equal("joints[0].limits.velocty", e.Path);
        Assert.Equal(6, e.Line);
        Assert.Contains("did you mean 'velocity'", e.Message);
    }

    [Fact]
    public void Unknown_top_level_key_is_refused()
    {
        var e = Single(Minimal + "\ncontroler: lqr\n");
        Assert.Contains("unknown key 'controler'", e.Message);
    }

    [Fact]
    public void Missing_limits_are_refused()
    {
        var e = Single(Minimal.Replace("limits: { position: [-1, 1], velocity: 2, effort: 10 }", "limits: { position: [-1, 1], velocity: 2 }"));
        Assert.Equal("joints[0].limits.effort", e.Path);
        Assert.Contains("needed by the effort command interface", e.Message);
    }

    [Fact]
    public void Inverted_limits_are_refused_with_the_values()
    {
        var e = Single(Minimal.Replace("position: [-1, 1]", "position: [1, -1]"));
        Assert.Equal(6, e.Line);
        Assert.Contains("lower < upper", e.Message);
        Assert.Contains("[1, -1]", e.Message);
    }

    [Fact]
    public void Negative_velocity_limit_is_refused()
    {
        var e = Single(Minimal.Replace("velocity: 2,", "velocity: -2,"));
        Assert.Contains("above 0", e.Message);
    }

    [Fact]
    public void Unknown_interface_kind_is_refused()
    {
        var e = Single(Minimal.Replace("command_interfaces: [effort]", "command_interfaces: [effort, torque]"));
        Assert.Contains("expected one of: position, velocity, effort; got 'torque'", e.Message);
    }

    [Fact]
    public void Safe_behaviour_needs_its_command_interface()
    {
        var e = Single(Minimal.Replace("command_interfaces: [effort]", "command_interfaces: [effort]\n    safe: hold"));
        Assert.Contains("'hold' needs a 'position' command interface", e.Message);
    }

    [Fact]
    public void Two_components_claiming_one_joint_are_refused()
    {
        var yaml = Minimal.Replace("agent:", """
              - name: second
                type: sim
                joints: [slide]
            agent:
            """);
        var e = Single(yaml);
        Assert.Contains("already served by component 'sim'", e.Message);
        Assert.Contains("two claimants", e.Message);
    }

    [Fact]
    public void Component_naming_an_unknown_joint_is_refused()
    {
        var e = Single(Minimal.Replace("joints: [slide]", "joints: [slide, wrist]"));
        Assert.Contains("unknown joint 'wrist'", e.Message);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var ex = Assert.Throws<SpecException>(() => RobotSpecLoader.Load(
            Minimal.Replace("rate_hz: 500", "rate_hz: -3").Replace("position: [-1, 1]", "position: [2, 1]").Replace("kind: prismatic", "kind: hinge"), "r.yaml"));
        Assert.Equal(3, ex.Errors.Count);
        Assert.True(ex.Errors.Select(e => e.Line).SequenceEqual(ex.Errors.Select(e => e.Line).Order()));
    }

    [Fact]
    public void Task_goals_must_name_state_interfaces()
    {
        var e = Single(Minimal + "\ntask:\n  goal: { slide/positon: 0 }\n");
        Assert.Contains("unknown state interface 'slide/positon'", e.Message);
    }

    [Fact]
    public void Pi_expressions_are_numbers()
    {
        Assert.True(ConfigNode.TryParseNumber("pi", out var a)); Assert.Equal(Math.PI, a, 12);
        Assert.True(ConfigNode.TryParseNumber("-pi/2", out var b)); Assert.Equal(-Math.PI / 2, b, 12);
        Assert.True(ConfigNode.TryParseNumber("0.5*pi", out var c)); Assert.Equal(Math.PI / 2, c, 12);
        Assert.False(ConfigNode.TryParseNumber("pie", out _));
        Assert.False(ConfigNode.TryParseNumber("nan", out _));
        Assert.False(ConfigNode.TryParseNumber("1e999", out _));
    }

    [Fact]
    public void Error_renders_compiler_style()
    {
        Assert.Equal("r.yaml:3:7: joints[0].name: expected x", new SpecError("r.yaml", 3, 7, "joints[0].name", "expected x").ToString());
    }

    [Fact]
    public void Missing_file_is_a_spec_error()
    {
        var ex = Assert.Throws<SpecException>(() => RobotSpecLoader.LoadFile("/nonexistent/robot.yaml"));
        Assert.Contains("file not found", ex.Message);
    }
}
