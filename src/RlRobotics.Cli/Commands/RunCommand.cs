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
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr run</c>: the robot node.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
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

        var command = new Command("run", "Run the robot node: Read → controller → safety filter → Write at the robot's rate")
        {
            robot, controller, duration, clock, seed, initial, report, quiet, model, planner, policy, shield,
        };
        command.SetAction(parse =>
        {
            var clockName = parse.GetValue(clock)!;
            var seconds = parse.GetValue(duration);
            if (seconds == 0 && clockName == "sim")
            {
                error.WriteLine("rlr run: --duration 0 (until Ctrl+C) needs --clock wall; the simulated clock would never stop");
                return ExitCodes.BadInput;
            }
            return Run(new RunArguments(parse.GetValue(robot)!, parse.GetValue(controller), seconds == 0 ? null : seconds, clockName,
                parse.GetValue(seed), parse.GetValue(initial) is { Length: > 0 } init ? init : null, parse.GetValue(report), parse.GetValue(quiet),
                parse.GetValue(model), parse.GetValue(planner), parse.GetValue(policy), ShieldValue(parse.GetValue(shield))), output, error);
        });
        return command;
    }

    internal sealed record RunArguments(string Robot, string? Controller, double? Duration_s, string Clock, int Seed,
        double[]? InitialState, string? ReportPath, bool Quiet, string? ModelPath = null, string? Planner = null, string? PolicyPath = null, bool? Shield = null);

    /// <summary><c>--shield on|off</c>; absent: on when the robot file declares hard constraints.</summary>
    internal static Option<string?> Shield()
    {
        var shield = new Option<string?>("--shield") { Description = "Action shield on the task's hard constraints (default: on when task.shield declares any)", HelpName = "on|off" };
        shield.AcceptOnlyFromAmong("on", "off");
        return shield;
    }

    internal static bool? ShieldValue(string? text) => text switch { "on" => true, "off" => false, _ => null };

    internal static int Run(RunArguments args, TextWriter output, TextWriter error)
    {
        RobotNode node;
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
