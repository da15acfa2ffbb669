namespace RlRobotics.Cli.Tests;

public class BadInputTests
{
    private static string TempRobot(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rlr-bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string Cartpole() => File.ReadAllText(Path.Combine(RunCommandTests.Root(), "robots/cartpole.sim.yaml"));

    private static void AssertBadInput(string[] args, params string[] expected)
    {
        var report = Path.Combine(Path.GetTempPath(), $"rlr-bad-{Guid.NewGuid():N}.json");
        var (code, output, error) = RunCommandTests.Rlr(args.Append("--report").Append(report).ToArray());
        Assert.Equal(2, code);
        foreach (var e in expected) Assert.Contains(e, error);
        Assert.DoesNotContain("   at ", error);          // a message, never a stack trace
        Assert.DoesNotContain("cycles in", output);       // nothing ran
        Assert.False(File.Exists(report));
    }

    [Theory]
    [InlineData(new[] { "run", "--duration", "-1" }, "--duration: expected seconds from 0 to 86400")]
    [InlineData(new[] { "run", "--duration", "abc" }, "abc")]
    [InlineData(new[] { "run", "--clock", "moon" }, "moon")]
    [InlineData(new[] { "run", "--controller", "magic" }, "magic")]
    [InlineData(new[] { "run", "--initial-state", "0,x,0,0" }, "--initial-state: item 2 'x' is not a number")]
    [InlineData(new[] { "run", "--initial-state", "0,1" }, "--initial-state: expected 4 numbers [cart/position, pole/position, cart/velocity, pole/velocity], got 2")]
    [InlineData(new[] { "run", "--seed", "1.5" }, "1.5")]
    [InlineData(new[] { "run", "--frobnicate" }, "--frobnicate")]
    [InlineData(new[] { "run", "--duration", "0" }, "needs --clock wall")]
    [InlineData(new[] { "run", "--robot", "robots/none.yaml" }, "robots/none.yaml: file not found")]
    public void Bad_command_line_values_exit_2_with_a_precise_message(string[] args, string expected) => AssertBadInput(args, expected);

    [Fact]
    public void Malformed_yaml_exits_2_with_file_line_and_column()
    {
        var path = TempRobot(Cartpole().Replace("joints: [cart, pole]", "joints: [cart, pole"));
        AssertBadInput(new[] { "run", "--robot", path }, $"{path}:", "malformed YAML");
    }

    [Fact]
    public void Wrong_type_exits_2_naming_line_column_and_expectation()
    {
        var path = TempRobot(Cartpole().Replace("rate_hz: 1000", "rate_hz: [1000]"));
        AssertBadInput(new[] { "run", "--robot", path }, $"{path}:4:10: rate_hz: expected a rate in Hz above 0 and at most 20000, got a list");
    }

    [Fact]
    public void Unknown_key_exits_2()
    {
        var path = TempRobot(Cartpole().Replace("  watchdog_s: 0.01", "  watchdog: 0.01"));
        AssertBadInput(new[] { "run", "--robot", path }, "safety.watchdog: unknown key 'watchdog'; did you mean 'watchdog_s'?");
    }

    [Fact]
    public void Missing_and_inverted_limits_exit_2()
    {
        var path = TempRobot(Cartpole().Replace("position: [-2.0, 2.0], velocity: 5.0, effort: 10.0", "position: [2.0, -2.0], velocity: 5.0"));
        AssertBadInput(new[] { "run", "--robot", path }, "joints[0].limits.position: expected [lower, upper] with lower < upper", "joints[0].limits.effort: missing");
    }

    [Fact]
    public void Unknown_component_type_exits_2()
    {
        var path = TempRobot(Cartpole().Replace("type: sim", "type: ethercat"));
        AssertBadInput(new[] { "run", "--robot", path }, "hardware[0].type: unknown component type 'ethercat'; known types: dynamixel, ros2-topics, sim");
    }

    [Fact]
    public void Two_claimants_of_one_interface_exit_2()
    {
        var path = TempRobot(Cartpole().Replace("safety:", """
              - name: second
                type: sim
                joints: [cart]
                settings: { model: pendulum }

            safety:
            """));
        AssertBadInput(new[] { "run", "--robot", path }, "joint 'cart' is already served by component 'cartpole_sim'", "two claimants");
    }

    [Fact]
    public void Bad_agent_parameters_exit_2()
    {
        var path = TempRobot(Cartpole().Replace("q: [10, 100, 1, 10]", "q: [10, 100, 1]"));
        AssertBadInput(new[] { "run", "--robot", path }, "agent.lqr.q: expected 4 numbers, got 3");
    }
}
