using System.CommandLine;
using System.Text.Json;
using RlRobotics.Cli.Node;
using RlRobotics.Cli.Reports;
using RlRobotics.Control.Planning;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Components;
using RlRobotics.Sim.Components;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr plan</c>: one open-loop trajectory from the robot file's planning sections.</summary>
internal static class PlanCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var robot = CliOptions.Robot();
        var planner = new Option<string>("--planner") { Description = "Trajectory optimiser", DefaultValueFactory = _ => "ilqr" };
        planner.AcceptOnlyFromAmong(PlannerConfig.Planners.ToArray());
        var initial = CliOptions.Vector("--initial-state", "Start state in model order (default: the simulated robot's initial_state)");
        var iterations = new Option<int?>("--iterations") { Description = "Iteration budget (default: the robot file's initial_iterations)" };
        iterations.Validators.Add(r => { if (CliOptions.TryValue<int?>(r, out var v) && v is < 1 or > 100_000) r.AddError($"--iterations: expected 1 to 100000, got {v}"); });
        var seed = new Option<int>("--seed") { Description = "Seed of the sampling planners", DefaultValueFactory = _ => 0 };
        var outFile = new Option<string?>("--out") { Description = "Write the plan as JSON here", HelpName = "plan.json" };
        var plot = new Option<string?>("--plot") { Description = "Write an SVG plot of states and controls here", HelpName = "plan.svg" };
        var command = new Command("plan", "Solve one open-loop trajectory with iLQR, CEM, MPPI or random shooting and write it (JSON, SVG)")
        {
            robot, planner, initial, iterations, seed, outFile, plot,
        };
        command.SetAction(parse => Run(parse.GetValue(robot)!, parse.GetValue(planner)!, parse.GetValue(initial) is { Length: > 0 } x ? x : null,
            parse.GetValue(iterations), parse.GetValue(seed), parse.GetValue(outFile), parse.GetValue(plot), output, error));
        return command;
    }

    private static int Run(string robotFile, string plannerName, double[]? initial, int? iterations, int seed, string? outFile, string? plotFile,
        TextWriter output, TextWriter error)
    {
        PlannerSetup setup;
        double[] x0;
        try
        {
            var spec = RobotSpecLoader.LoadFile(robotFile);
            var components = RobotNode.DefaultRegistry().CreateAll(spec, seed, initial);
            var model = RobotNode.AgentModel(spec, components)
                        ?? throw new SpecException(new SpecError(spec.SourcePath, 0, 0, "agent.model", "planning needs a dynamics model: add agent.model or a simulated component"));
            var read = PlannerConfig.Read(spec, spec.Agent.Node, model, plannerName, lockstep: true, seed);
            spec.Agent.Node.Diagnostics.ThrowIfAny();
            setup = read!;
            x0 = initial ?? components.OfType<SimulatedSystem>().FirstOrDefault()?.TrueState.ToArray() ?? new double[model.StateSize];
            if (x0.Length != model.StateSize)
                throw new ArgumentException($"--initial-state: expected {model.StateSize} numbers [{string.Join(", ", model.StateNames)}], got {x0.Length}");
        }
        catch (SpecException ex)
        {
            error.WriteLine($"rlr plan: {robotFile} is not a valid robot description; nothing was planned.");
            foreach (var e in ex.Errors) error.WriteLine("  " + e);
            return ExitCodes.BadInput;
        }
        catch (ArgumentException ex)
        {
            error.WriteLine($"rlr plan: {ex.Message}");
            return ExitCodes.BadInput;
        }

        var planner = setup.CreatePlanner();
        try
        {
            var budget = iterations ?? setup.Mpc.InitialIterations;
            var status = planner.Solve(x0, budget);
            var plan = planner.Solution;
            var problem = setup.Problem;
            var model = problem.Model;
            var time = Enumerable.Range(0, problem.Steps + 1).Select(k => Math.Round(k * problem.Dt, 9)).ToArray();
            var states = model.StateNames.Select((name, i) => (name, Enumerable.Range(0, problem.Steps + 1).Select(k => plan.X[k * model.StateSize + i]).ToArray())).ToList();
            var controls = model.ControlNames.Select((name, j) => (name, Enumerable.Range(0, problem.Steps).Select(k => plan.U[k * model.ControlSize + j]).ToArray())).ToList();
            var goal = problem.Cost.Goal.ToArray();
            var final = plan.State(problem.Steps).ToArray();

            var console = RunCommand.Console(output);
            var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn("");
            table.HideHeaders();
            table.AddRow("planner", Markup.Escape($"{planner.Name} · {problem.Steps} steps × {problem.Dt} s · {problem.ControlMin.Length} control(s) in [{string.Join(", ", problem.ControlMin)}, {string.Join(", ", problem.ControlMax)}]"));
            table.AddRow("result", Markup.Escape($"{status} after {plan.Iterations} iterations · cost {plan.Cost:0.######} · {plan.SolveTime_s * 1000:0.###} ms"));
            table.AddRow("final state", Markup.Escape(string.Join("  ", model.StateNames.Select((n, i) => $"{n}={final[i]:0.####} (goal {goal[i]:0.####})"))));
            console.Write(table);

            if (outFile is not null)
            {
                var json = new Dictionary<string, object?>
                {
                    ["robot"] = robotFile, ["planner"] = planner.Name, ["status"] = status.ToString(), ["iterations"] = plan.Iterations,
                    ["cost"] = plan.Cost, ["solve_ms"] = plan.SolveTime_s * 1000, ["dt"] = problem.Dt, ["initial_state"] = x0,
                    ["time"] = time,
                    ["states"] = states.ToDictionary(s => s.name, s => s.Item2),
                    ["controls"] = controls.ToDictionary(c => c.name, c => c.Item2),
                    ["gains"] = plan.K,
                    ["cost_history"] = planner is IlqrSolver ilqr ? ilqr.CostHistory.ToArray() : Array.Empty<double>(),
                };
                File.WriteAllText(outFile, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
                console.MarkupLine($"plan written to [cyan]{Markup.Escape(outFile)}[/]");
            }
            if (plotFile is not null)
            {
                var series = states.Select(s => (s.name, s.Item2, false)).Concat(controls.Select(c => (c.name, c.Item2, true))).ToList();
                File.WriteAllText(plotFile, PlotSvg.Panels($"{planner.Name} plan · {Path.GetFileName(robotFile)} · cost {plan.Cost:0.####}", time, series));
                console.MarkupLine($"plot written to [cyan]{Markup.Escape(plotFile)}[/]");
            }
            return status == SolveStatus.Diverged ? ExitCodes.TaskFailed : ExitCodes.Success;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"rlr plan: could not write the output: {ex.Message}");
            return ExitCodes.TaskFailed;
        }
        finally
        {
            (planner as IDisposable)?.Dispose();
        }
    }
}
