using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Cli.Tests.Launch;

/// <summary>The <c>--ros-args</c> block as launch files and ROS tooling pass it (rcl's rules).</summary>
public class RosArgumentsTests
{
    static (string[] Own, RosArguments Ros) Extract(params string[] args)
    {
        var (own, ros) = RosArguments.Extract(args);
        Assert.NotNull(ros);
        return (own, ros);
    }

    static string TempFile(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rlr-params-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Without_ros_args_the_command_line_is_untouched()
    {
        string[] args = ["run", "--robot", "robots/cartpole.sim.yaml", "--", "x"];
        var (own, ros) = RosArguments.Extract(args);
        Assert.Null(ros);
        Assert.Equal(args, own);
    }

    [Fact]
    public void Blocks_end_at_double_dash_or_the_end_and_may_repeat()
    {
        var (own, ros) = Extract("run", "--ros-args", "-r", "__node:=a", "--", "--duration", "3",
            "--ros-args", "-p", "use_sim:=true", "--ros-args", "--ros-args");
        Assert.Equal(new[] { "run", "--duration", "3" }, own);
        Assert.Equal("a", ros.NodeName("rlr"));
        Assert.Equal("true", Assert.Single(ros.Parameters).Text);
    }

    [Fact]
    public void A_double_dash_outside_a_block_stays_with_the_program()
    {
        var (own, _) = Extract("run", "--", "x", "--ros-args", "-r", "__ns:=/a");
        Assert.Equal(new[] { "run", "--", "x" }, own);
    }

    [Fact]
    public void Node_name_and_namespace_follow_the_first_rule_that_applies()
    {
        var (_, ros) = Extract("--ros-args", "-r", "other:__node:=wrong", "--remap", "__name:=first", "-r", "__node:=second", "-r", "__ns:=/robot1/left");
        Assert.Equal("first", ros.NodeName("rlr"));            // __name is rcl's old spelling of __node
        Assert.Equal("wrong", ros.NodeName("other"));          // a node-specific rule for a node of that name
        Assert.Equal("/robot1/left", ros.Namespace("rlr", "/"));
        Assert.Equal("/cartpole", Extract("--ros-args", "-r", "x:=y").Ros.Namespace("rlr", "/cartpole"));
    }

    [Theory]
    [InlineData("joint_states", "/ns/states")]                 // a relative rule, a relative name
    [InlineData("/ns/joint_states", "/ns/states")]             // the rule resolves in the node's namespace, then matches
    [InlineData("/other/joint_states", "/other/joint_states")] // same last token, another namespace: no match
    [InlineData("commands", "/ns/commands")]                   // no rule matches: resolved, unchanged
    [InlineData("~/status", "/abs/status")]                    // a private name resolves under the node
    public void Topic_rules_compare_fully_qualified_names_and_the_first_match_wins(string topic, string expected)
    {
        var (_, ros) = Extract("--ros-args", "-r", "joint_states:=states", "-r", "/ns/rlr/status:=/abs/status", "-r", "joint_states:=/late");
        Assert.Equal(expected, ros.RemapTopic(topic, "/ns", "rlr", "rlr"));
        Assert.True(ros.RemapsTopics);
    }

    [Fact]
    public void Node_specific_topic_rules_apply_to_that_node_only()
    {
        var (_, ros) = Extract("--ros-args", "-r", "driver:joint_states:=/x", "-r", "rlr:joint_states:=/y");
        Assert.Equal("/y", ros.RemapTopic("joint_states", "/", "renamed", "rlr"));
        Assert.False(Extract("--ros-args", "-r", "__ns:=/a").Ros.RemapsTopics);
    }

    [Theory]
    [InlineData("use_sim:=true", "true", RosParameterType.Bool)]
    [InlineData("use_sim:=False", "False", RosParameterType.Bool)]
    [InlineData("seed:=-3", "-3", RosParameterType.Integer)]
    [InlineData("rate:=2.5e2", "2.5e2", RosParameterType.Double)]
    [InlineData("robot:=robots/cartpole.sim.yaml", "robots/cartpole.sim.yaml", RosParameterType.String)]
    [InlineData("flag:='true'", "true", RosParameterType.String)]
    [InlineData("gains:=[1, 2]", "[1, 2]", RosParameterType.Array)]
    public void Parameter_values_are_typed_by_their_yaml(string rule, string text, RosParameterType type)
    {
        var p = Assert.Single(Extract("--ros-args", "--param", rule).Ros.Parameters);
        Assert.Equal((text, type, $"-p {rule}"), (p.Text, p.Type, p.Source));
    }

    [Fact]
    public void Params_files_apply_the_sections_for_this_node_in_order_and_a_later_value_wins()
    {
        var file = TempFile("""
            /**:
              ros__parameters:
                controller: pd
                nested: { a: { b: 1 } }
            /robot1/rlr:
              ros__parameters:
                use_sim: true
            /**/rlr:
              ros__parameters:
                seed: 3
            /*/rlr:
              ros__parameters:
                robot: from_wildcard.yaml
            rlr:
              ros__parameters:
                ignored: true   # /rlr: the root namespace, not /robot1
            other_node:
              ros__parameters:
                anything: 1
            """);
        try
        {
            var (_, ros) = Extract("--ros-args", "-p", "controller:=lqr", "--params-file", file, "-r", "__node:=rlr", "-r", "__ns:=/robot1", "-p", "seed:=4");
            Assert.Equal(new[] { "controller", "controller", "nested.a.b", "use_sim", "seed", "robot", "seed" }, ros.Parameters.Select(p => p.Name));
            Assert.Equal("pd", ros.Parameter("controller")!.Text);   // the file came after -p controller:=lqr
            Assert.Equal("4", ros.Parameter("seed")!.Text);          // -p seed:=4 came after the file
            Assert.True(RosArguments.IsTrue(ros.Parameter("use_sim")!));
            Assert.Equal(file + ":7:14", ros.Parameter("use_sim")!.Source);
            Assert.Equal(new[] { file }, ros.ParamsFiles);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Without_a_node_name_only_wildcard_sections_apply()
    {
        var file = TempFile("/**:\n  ros__parameters:\n    a: 1\nrlr:\n  ros__parameters:\n    b: 2\n/*:\n  ros__parameters:\n    c: 3\n");
        try
        {
            Assert.Equal(new[] { "a", "c" }, Extract("--ros-args", "--params-file", file).Ros.Parameters.Select(p => p.Name));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Logging_options_and_the_enclave_are_accepted()
    {
        var (own, ros) = Extract("run", "--ros-args", "--log-level", "rlr:=DEBUG", "-e", "/secure", "--disable-stdout-logs", "--log-config-file", "x.conf");
        Assert.Equal(new[] { "run" }, own);
        Assert.Equal(("rlr:=DEBUG", "/secure"), (ros.LogLevel, ros.Enclave));
    }

    [Theory]
    [InlineData(new[] { "-r", "joint_states" }, "-r joint_states: expected from:=to")]
    [InlineData(new[] { "-r", ":=x" }, "both sides of ':=' must be named")]
    [InlineData(new[] { "-r", "__ns:=robot1" }, "expected an absolute namespace such as /robot1")]
    [InlineData(new[] { "-r", "__node:=my-node" }, "invalid node name 'my-node'")]
    [InlineData(new[] { "-r", "__hostname:=x" }, "unknown special name '__hostname'; expected __node or __ns")]
    [InlineData(new[] { "-r", "a b:=c" }, "' ' is not allowed")]
    [InlineData(new[] { "-r" }, "-r expects from:=to")]
    [InlineData(new[] { "-r", "--" }, "-r expects from:=to")]
    [InlineData(new[] { "-p", "use_sim" }, "-p use_sim: expected name:=value")]
    [InlineData(new[] { "-p", "1x:=2" }, "'1x' is not a parameter name")]
    [InlineData(new[] { "-p", "x:=" }, "-p x:=: the value is missing")]
    [InlineData(new[] { "-p", "x:=[1," }, "the value is not valid YAML")]
    [InlineData(new[] { "-p", "x:={a: 1}" }, "expected a single value or a list")]
    [InlineData(new[] { "--params-file", "/nonexistent/p.yaml" }, "--params-file /nonexistent/p.yaml: file not found")]
    [InlineData(new[] { "--log-level", "loud" }, "--log-level loud: expected one of debug, info, warn, error, fatal, unset")]
    [InlineData(new[] { "--frobnicate" }, "unknown ROS argument '--frobnicate'")]
    [InlineData(new[] { "robots/x.yaml" }, "unexpected 'robots/x.yaml' among the ROS arguments")]
    public void Malformed_ros_args_are_refused_with_what_was_expected(string[] block, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => RosArguments.Extract(["run", "--ros-args", .. block]));
        Assert.Contains(expected, ex.Message);
    }

    [Theory]
    [InlineData("[1, 2]\n", "expected a mapping")]
    [InlineData("/**:\n  ros_parameters: {a: 1}\n", "unknown key 'ros_parameters'; did you mean 'ros__parameters'?")]
    [InlineData("/**:\n  ros__parameters: [1]\n", "expected a mapping")]
    [InlineData("/**: {ros__parameters: {a: 1}\n", "malformed YAML")]
    public void Malformed_params_files_are_refused_with_file_line_and_column(string yaml, string expected)
    {
        var file = TempFile(yaml);
        try
        {
            var ex = Assert.Throws<ArgumentException>(() => RosArguments.Extract(["--ros-args", "--params-file", file]));
            Assert.Contains($"--params-file {file}: expected '<node or /**>: ros__parameters: {{name: value}}':", ex.Message);
            Assert.Contains(expected, ex.Message);
            Assert.Contains(file + ":", ex.Message.Split('\n')[1]);
        }
        finally { File.Delete(file); }
    }
}
