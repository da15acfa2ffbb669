using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RlRobotics.Cli.Node;
using RlRobotics.Cli.Reports;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Learning.Checkpoints;
using RlRobotics.Learning.Dynamics;
using RlRobotics.Learning.Policies;
using RlRobotics.Ros2.Rcl;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr run</c>: the robot node.</summary>
internal static class RunCommand
{
    /// <summary>The ROS 2 parameters <c>rlr run</c> understands (<c>-p name:=value</c>, params files), each overriding an option.</summary>
    internal static readonly string[] RosParameterNames = ["robot", "controller", "use_sim", "use_sim_time"];

    /// <param name="output">Where the node reports.</param>
    /// <param name="error">Where problems go.</param>
    /// <param name="ros">The command line's ROS 2 arguments (<c>--ros-args</c>), null when it has none.</param>
    public static Command Create(TextWriter output, TextWriter error, RosArguments? ros = null)
    {
        var robot = CliOptions.Robot();
        var controller = new Option<string?>("--controller") { Description = "Controller (default: the robot file's agent.controller)" };
        controller.AcceptOnlyFromAmong(Control.ControllerFactory.Kinds.ToArray());
        var duration = new Option<double>("--duration") { Description = "Run length in seconds of loop time; 0 runs until Ctrl+C (wall clock only)", DefaultValueFactory = _ => 10.0, HelpName = "s" };
        duration.Validators.Add(r =>
        {
            if (CliOptions.TryValue<double>(r, out var v) && (!(v >= 0) || !double.IsFinite(v) || v > 86_400)) r.AddError($"--duration: expected seconds from 0 to 86400, got {v}");
        });
        var clock = new Option<string>("--clock") { Description = "sim: deterministic, as fast as the CPU allows; wall: real time", DefaultValueFactory = _ => "sim" };
        clock.AcceptOnlyFromAmong("sim", "wall");
        var seed = new Option<int>("--seed") { Description = "Seed for sensor noise and any other randomness", DefaultValueFactory = _ => 0 };
        var initial = CliOptions.Vector("--initial-state", "Initial state of the simulated robot, in model order (e.g. 0,2.94,0,0 for [p, θ, ṗ, θ̇])");
        var report = new Option<string?>("--report") { Description = "Write a JSON report here", HelpName = "out.json" };
        var quiet = new Option<bool>("--quiet") { Description = "No live status line" };
        var model = new Option<string?>("--model") { Description = "Learned dynamics checkpoint for mpc-learned (from 'rlr train mbrl')", HelpName = "model.ckpt" };
        var planner = new Option<string?>("--planner") { Description = "Planner for mpc-learned (default: agent.learned.planner)" };
        planner.AcceptOnlyFromAmong(Control.Planning.PlannerConfig.Planners.ToArray());
        var policy = new Option<string?>("--policy") { Description = "Trained policy for --controller policy (from 'rlr train ppo' …)", HelpName = "p.rlpolicy" };
        var shield = Shield();
        var check = new Option<bool>("--check")
        {
            Description = "Check the options (and any --ros-args) and the robot file, build the node, start nothing; exit 0 when all is well, 2 with what is wrong",
        };

        var command = new Command("run", "Run the robot node: Read → controller → safety filter → Write at the robot's rate")
        {
            robot, controller, duration, clock, seed, initial, report, quiet, model, planner, policy, shield, check,
        };
        command.SetAction(parse =>
        {
            var seconds = parse.GetValue(duration);
            var args = new RunArguments(parse.GetValue(robot)!, parse.GetValue(controller), seconds == 0 ? null : seconds, parse.GetValue(clock)!,
                parse.GetValue(seed), parse.GetValue(initial) is { Length: > 0 } init ? init : null, parse.GetValue(report), parse.GetValue(quiet),
                parse.GetValue(model), parse.GetValue(planner), parse.GetValue(policy), ShieldValue(parse.GetValue(shield)), ros);
            if (ros is not null)
            {
                if (WithRosParameters(args, ros, error) is not { } overridden) return ExitCodes.BadInput;
                args = overridden;
            }
            if (args.Duration_s is null && args.Clock == "sim")
            {
                error.WriteLine("rlr run: --duration 0 (until Ctrl+C) needs --clock wall (use_sim:=false); the simulated clock would never stop");
                return ExitCodes.BadInput;
            }
            return parse.GetValue(check) ? Check(args, output, error) : Run(args, output, error);
        });
        return command;
    }

    internal sealed record RunArguments(string Robot, string? Controller, double? Duration_s, string Clock, int Seed,
        double[]? InitialState, string? ReportPath, bool Quiet, string? ModelPath = null, string? Planner = null, string? PolicyPath = null, bool? Shield = null,
        RosArguments? Ros = null);

    /// <summary>
    /// The options after the ROS 2 parameters: <c>robot</c> (the robot file), <c>controller</c>, and <c>use_sim</c>
    /// (true: <c>--clock sim</c>, false: <c>--clock wall</c>) override the command line's. <c>use_sim_time</c> is
    /// accepted and ignored (rlr keeps its own loop clock), and so are the logging options and the enclave. An unknown
    /// parameter or a value of the wrong type is refused (a typo in a launch file would otherwise go unnoticed): null.
    /// </summary>
    internal static RunArguments? WithRosParameters(RunArguments args, RosArguments ros, TextWriter error)
    {
        var ok = true;
        void Refuse(RosParameter p, string expected)
        {
            error.WriteLine($"rlr run: ROS parameter {p.Name} ({p.Source}): {expected}, got '{p.Text}'");
            ok = false;
        }
        foreach (var p in ros.Parameters)
        {
            switch (p.Name)
            {
                case "robot":
                    if (p.Type != RosParameterType.String || p.Text.Length == 0) Refuse(p, "expected the robot file's path");
                    else args = args with { Robot = p.Text };
                    break;
                case "controller":
                    if (!Control.ControllerFactory.Kinds.Contains(p.Text)) Refuse(p, $"expected one of {string.Join(", ", Control.ControllerFactory.Kinds)}");
                    else args = args with { Controller = p.Text };
                    break;
                case "use_sim":
                    if (p.Type != RosParameterType.Bool) Refuse(p, "expected true (the simulated clock, --clock sim) or false (real time, --clock wall)");
                    else args = args with { Clock = RosArguments.IsTrue(p) ? "sim" : "wall" };
                    break;
                case "use_sim_time":
                    if (p.Type != RosParameterType.Bool) Refuse(p, "expected true or false");
                    break;
                default:
                    error.WriteLine($"rlr run: unknown ROS parameter '{p.Name}' ({p.Source}); rlr run understands {string.Join(", ", RosParameterNames)}");
                    ok = false;
                    break;
            }
        }
        if (!ok) return null;
        if (ros.Parameter("use_sim_time") is { } simTime && RosArguments.IsTrue(simTime))
            error.WriteLine("rlr run: note: use_sim_time is ignored: rlr does not follow /clock; its loop clock is --clock (or use_sim)");
        if (ros.Enclave is { } enclave) error.WriteLine($"rlr run: note: enclave {enclave} is ignored: rlr joins ROS 2 without SROS 2 security");
        if (ros.LogLevel is { } level) error.WriteLine($"rlr run: note: --log-level {level} is ignored: rlr has no ROS logger");
        return args;
    }

    /// <summary><c>--shield on|off</c>; absent: on when the robot file declares hard constraints.</summary>
    internal static Option<string?> Shield()
    {
        var shield = new Option<string?>("--shield") { Description = "Action shield on the task's hard constraints (default: on when task.shield declares any)", HelpName = "on|off" };
        shield.AcceptOnlyFromAmong("on", "off");
        return shield;
    }

    internal static bool? ShieldValue(string? text) => text switch { "on" => true, "off" => false, _ => null };

    /// <summary><c>rlr run --check</c>: everything <see cref="Run"/> does before it starts the hardware, then a one-line summary.</summary>
    internal static int Check(RunArguments args, TextWriter output, TextWriter error)
    {
        if (Build(args, error, out var node) is { } refused) return refused;
        using (node)
        {
            NoteUnusedRosNames(args, node, error);
            output.WriteLine($"rlr run --check: {args.Robot}: robot {node.Robot.Name}, controller {node.Controller.Kind}, clock {args.Clock}, " +
                             (args.Duration_s is { } d ? $"{d:0.###} s" : "until Ctrl+C") +
                             (RosSummary(node) is { } ros ? $"; {ros}" : "") + "; nothing was started");
        }
        return ExitCodes.Success;
    }

    // The node's names in the ROS graph after any remapping, e.g. "ROS 2 node /cartpole/rlr_cartpole: state /cartpole/joint_states, …".
    static string? RosSummary(RobotNode node)
    {
        var ros = node.Resources.Components.OfType<Ros2.Hal.Ros2TopicsSystem>().ToList();
        if (ros.Count == 0) return null;
        var names = ros.Select(c => $"ROS 2 node {(c.Settings.Namespace == "/" ? "" : c.Settings.Namespace)}/{c.Settings.NodeName}: " +
                                    $"state {c.StateTopic}, commands {c.CommandTopic}");
        if (node.Telemetry?.Settings is not { } t) return string.Join("; ", names);
        var published = new[] { t.JointStatesTopic, t.DiagnosticsTopic }.OfType<string>()
            .Select(topic => TopicNames.Resolve(topic, t.Namespace, t.NodeName + "_telemetry"));
        return string.Join("; ", names) + $", publishes {string.Join(" and ", published)}";
    }

    static void NoteUnusedRosNames(RunArguments args, RobotNode node, TextWriter error)
    {
        if (args.Ros is { Remaps.Count: > 0 } && !node.Resources.Components.OfType<Ros2.Hal.Ros2TopicsSystem>().Any())
            error.WriteLine($"rlr run: note: {args.Robot} has no ROS 2 hardware (type: ros2-topics), so rlr is no ROS 2 node: " +
                            "its -r remaps (__node, __ns, topics) have no effect");
    }

    internal static int Run(RunArguments args, TextWriter output, TextWriter error)
    {
        if (Build(args, error, out var node) is { } refused) return refused;
        NoteUnusedRosNames(args, node, error);
        return Drive(args, node, output, error);
    }

    // Loads the robot file and builds the node; null when it is built, else the exit code (the problem is written).
    static int? Build(RunArguments args, TextWriter error, out RobotNode node)
    {
        node = null!;
        try
        {
            var spec = RobotSpecLoader.LoadFile(args.Robot);
            Core.Dynamics.IDynamicsModel? learned = null;
            if (args.ModelPath is { } modelPath)
            {
                try { learned = EnsembleDynamicsModel.Load(modelPath); }
                catch (CheckpointException ex)
                {
                    error.WriteLine($"rlr run: {ex.Message}; nothing was started.");
                    return ExitCodes.BadInput;
                }
            }
            DeployablePolicy? trained = null;
            if (args.PolicyPath is { } policyPath)
            {
                try { trained = DeployablePolicy.Load(policyPath); }
                catch (CheckpointException ex)
                {
                    error.WriteLine($"rlr run: {policyPath}: {ex.Message}; nothing was started.");
                    return ExitCodes.BadInput;
                }
            }
            if ((args.Controller ?? spec.Agent.Controller) == Control.ControllerFactory.Policy && trained is null)
            {
                error.WriteLine("rlr run: --controller policy needs --policy file.rlpolicy (made by 'rlr train ppo' and friends); nothing was started.");
                return ExitCodes.BadInput;
            }
            if (args.Controller == Control.ControllerFactory.LearnedMpc && learned is null)
            {
                error.WriteLine("rlr run: --controller mpc-learned needs --model dir/model.ckpt (made by 'rlr train mbrl'); nothing was started.");
                return ExitCodes.BadInput;
            }
            node = RobotNode.Build(new NodeOptions
            {
                Robot = spec,
                Controller = args.Controller,
                Model = learned,
                Planner = args.Planner,
                Policy = trained,
                Shield = args.Shield,
                Clock = args.Clock == "wall" ? WallClock.Instance : new SimulatedClock(),
                Seed = args.Seed,
                InitialState = args.InitialState,
                Duration_s = args.Duration_s,
                ApplyRealtime = args.Clock == "wall",
                Ros = args.Ros,
            });
        }
        catch (SpecException ex)
        {
            error.WriteLine($"rlr run: {args.Robot} is not a valid robot description; nothing was started.");
            foreach (var e in ex.Errors) error.WriteLine("  " + e);
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is ArgumentException or ClaimConflictException)
        {
            error.WriteLine($"rlr run: {ex.Message}; nothing was started.");
            return ExitCodes.BadInput;
        }
        return null;
    }

    // Activates the built node, runs it to the end and reports.
    static int Drive(RunArguments args, RobotNode node, TextWriter output, TextWriter error)
    {
        using (node)
        {
            var refused = node.Activate();
            if (refused.Count > 0)
            {
                error.WriteLine("rlr run: hardware refused to start:");
                foreach (var r in refused) error.WriteLine("  " + r);
                return ExitCodes.TaskFailed;
            }

            var console = Console(output);
            console.MarkupLine($"[bold]rlr run[/] robot [cyan]{Markup.Escape(node.Robot.Name)}[/] · controller [cyan]{node.Controller.Kind}[/] · " +
                               $"clock [cyan]{args.Clock}[/] · {node.Robot.RateHz:0.#} Hz · " +
                               (args.Duration_s is { } d ? $"{d:0.###} s" : "until Ctrl+C"));
            if (node.Telemetry?.Describe() is { } telemetry) console.MarkupLine(Markup.Escape(telemetry));
            if (node.Fleet is { } fleet)
            {
                console.MarkupLine((fleet.Settings.Insecure ? "[bold red]" : "[default]") + Markup.Escape(fleet.Describe()) + "[/]");
                fleet.CommandHandled += c => console.MarkupLine(Markup.Escape(
                    $"remote {c.Command}: {(c.Accepted ? "accepted" : $"REFUSED ({c.Refusal})")} — {c.Detail}"));
            }

            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; node.Loop.Stop(); };
            System.Console.CancelKeyPress += onCancel;
            var wall = Stopwatch.StartNew();
            node.Loop.Start();
            var live = !args.Quiet && !System.Console.IsErrorRedirected && ReferenceEquals(error, System.Console.Error);
            while (!node.Loop.IsRunning && node.Loop.Statistics.Cycles == 0 && wall.ElapsedMilliseconds < 100) Thread.Sleep(1);
            while (node.Loop.IsRunning)
            {
                Thread.Sleep(live ? 200 : 50);
                if (live) error.Write("\r" + StatusLine(node) + "   ");
            }
            node.Loop.Join();
            wall.Stop();
            System.Console.CancelKeyPress -= onCancel;
            if (live) error.WriteLine("\r" + StatusLine(node) + "   ");

            var report = RunReport.From(node, wall.Elapsed.TotalSeconds);
            Summary.Write(console, report);
            if (node.Fleet is { } link)
            {
                link.Flush(TimeSpan.FromSeconds(2));
                var m = MqttReport.From(link);
                report = report with { Mqtt = m };
                console.MarkupLine(Markup.Escape($"MQTT: {m.StateSamples} state samples; {m.Enqueued} messages queued, {m.Delivered} acknowledged, " +
                                                 $"{m.Dropped} dropped, {m.Unsent} unsent; {m.Reconnects} reconnects; " +
                                                 $"commands {m.CommandsAccepted} accepted, {m.CommandsRefused.Values.Sum()} refused" +
                                                 (m.LastError is { } e ? $"; last error: {e}" : "")));
            }
            if (args.ReportPath is { } path)
            {
                try
                {
                    File.WriteAllText(path, report.ToJson());
                    console.MarkupLine($"report written to [cyan]{Markup.Escape(path)}[/]");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    error.WriteLine($"rlr run: could not write the report to {path}: {ex.Message}");
                    return ExitCodes.TaskFailed;
                }
            }
            return report.ExitCode;
        }
    }

    internal static IAnsiConsole Console(TextWriter output) =>
        ReferenceEquals(output, System.Console.Out)
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });

    private static string StatusLine(RobotNode node)
    {
        var stats = node.Loop.Statistics;
        var state = node.Resources.State;
        var shown = string.Join(" ", state.Names.Take(4).Select((n, i) => $"{n}={state.Values[i].ToString("+0.000;-0.000", CultureInfo.InvariantCulture)}"));
        var safety = node.Filter.EStopLatched ? "E-STOP" : node.Filter.InSafeMode ? "SAFE" : "ok";
        return $"t={stats.Cycles / node.Robot.RateHz,7:0.00}s  {shown}  late p99={stats.Lateness.Percentile_us(0.99)}µs overruns={stats.Overruns} safety={safety}";
    }
}
