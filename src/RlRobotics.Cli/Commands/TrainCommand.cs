using System.CommandLine;
using System.Globalization;
using RlRobotics.Cli.Node;
using RlRobotics.Cli.Training;
using RlRobotics.Core.Spec;
using RlRobotics.Learning.Checkpoints;
using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Data;
using RlRobotics.Learning.Dynamics;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr train</c>: model-based RL on the robot (<c>mbrl</c>) and offline model fitting from logs (<c>model</c>).</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var train = new Command("train", "Learn from the robot: model-based RL, or a dynamics model from recorded episodes");
        train.Subcommands.Add(Mbrl(output, error));
        train.Subcommands.Add(OfflineModel(output, error));
        return train;
    }

    private static Option<string> Out() => new("--out") { Description = "Output folder", DefaultValueFactory = _ => "out/mbrl", HelpName = "dir" };

    private static Command Mbrl(TextWriter output, TextWriter error)
    {
        var robot = CliOptions.Robot();
        var episodes = new Option<int>("--episodes") { Description = "Episodes, the first with random actions", DefaultValueFactory = _ => 15 };
        episodes.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && (v < 1 || v > 10_000)) r.AddError($"--episodes: expected 1 to 10000, got {v}"); });
        var planner = new Option<string?>("--planner") { Description = "Planner on the learned model (default: agent.learned.planner)" };
        planner.AcceptOnlyFromAmong(Control.Planning.PlannerConfig.Planners.ToArray());
        var seed = new Option<int>("--seed") { Description = "Seed for the model, the planner, exploration and sensor noise", DefaultValueFactory = _ => 0 };
        var outDir = Out();
        var stop = new Option<int?>("--stop-after") { Description = "Stop early after this many successful episodes in a row", HelpName = "n" };
        stop.Validators.Add(r => { if (CliOptions.TryValue<int?>(r, out var v) && v is < 1) r.AddError($"--stop-after: expected at least 1, got {v}"); });
        var command = new Command("mbrl", "Model-based RL: explore, fit a probabilistic ensemble, run MPC on it, repeat (PETS)") { robot, episodes, planner, seed, outDir, stop };
        command.SetAction(parse => RunMbrl(new MbrlOptions(parse.GetValue(robot)!, parse.GetValue(episodes), parse.GetValue(planner), parse.GetValue(seed),
            parse.GetValue(outDir)!, parse.GetValue(stop)), output, error));
        return command;
    }

    internal static int RunMbrl(MbrlOptions options, TextWriter output, TextWriter error)
    {
        var console = RunCommand.Console(output);
        var trainer = new MbrlTrainer(options);
        var interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        console.MarkupLine($"[bold]rlr train mbrl[/] · robot [cyan]{Markup.Escape(options.RobotPath)}[/] · {options.Episodes} episodes · seed {options.Seed} · BLAS [cyan]{Markup.Escape(Blas.Default.Name)}[/]");
        var table = new List<string>();
        void Line(EpisodeResult r)
        {
            var inv = CultureInfo.InvariantCulture;
            var text = string.Create(inv, $"episode {r.Episode,3}  {r.Controller,-11} return {r.Return,9:F2}  {(r.Success ? "SUCCESS" : "-      ")}  " +
                $"held-out MSE {(double.IsFinite(r.HeldOutMse) ? r.HeldOutMse.ToString("0.00e0", inv) : "   -   ")}  NLL {(double.IsFinite(r.HeldOutNll) ? r.HeldOutNll.ToString("F2", inv) : "  - ")}  " +
                $"fit {r.FitEpochs,3} epochs {r.FitSeconds,5:F1}s  plan {(double.IsFinite(r.PlanMsP50) ? r.PlanMsP50.ToString("F1", inv) : " - ")} ms/step  episode {r.EpisodeSeconds,5:F1}s");
            table.Add(text);
            if (!interactive) output.WriteLine(text);
        }
        try
        {
            if (interactive)
            {
                AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask("episodes", maxValue: options.Episodes);
                        ctx.Refresh();
                        trainer.Run(r => { Line(r); task.Increment(1); AnsiConsole.MarkupLine(Markup.Escape(table[^1])); },
                            phase => task.Description = Markup.Escape(phase));
                    });
            }
            else trainer.Run(Line);
        }
        catch (SpecException ex)
        {
            error.WriteLine($"rlr train mbrl: {options.RobotPath} is not a valid robot description; nothing was started.");
            foreach (var e in ex.Errors) error.WriteLine("  " + e);
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"rlr train mbrl: {ex.Message}");
            return ExitCodes.BadInput;
        }
        var (first, keeps) = trainer.SuccessEpisodes();
        var total = trainer.Results.Sum(r => r.EpisodeSeconds); // each episode's time includes the fit before it
        console.MarkupLine(first is null
            ? $"[yellow]no episode succeeded[/] in {options.Episodes}"
            : $"[green]first success at episode {first}[/]" + (keeps is null ? ", but the last episode failed" : $"; every episode from {keeps} on succeeded"));
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"wall time {total:F1} s · wrote {Markup.Escape(Path.Combine(options.OutDir, "model.ckpt"))}, metrics.csv, episodes.csv, learning_curve.svg"));
        return keeps is not null ? ExitCodes.Success : ExitCodes.TaskFailed;
    }

    // rlr train model: fit an ensemble offline to episodes recorded on the robot (or by 'train mbrl').
    private static Command OfflineModel(TextWriter output, TextWriter error)
    {
        var robot = CliOptions.Robot();
        var data = new Option<string>("--data") { Description = "Episode file (rlr-episodes v1 CSV)", Required = true, HelpName = "episodes.csv" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "Seed for the split, bootstrap and initial weights" };
        var outDir = Out();
        var command = new Command("model", "Fit a dynamics ensemble to recorded episodes (settings from agent.learned)") { robot, data, seed, outDir };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(data)!;
            try
            {
                var spec = RobotSpecLoader.LoadFile(parse.GetValue(robot)!);
                var settings = LearnedSettings.Read(spec);
                var file = EpisodeFile.Read(path);
                var components = RobotNode.DefaultRegistry().CreateAll(spec, 0, null);
                var names = RobotNode.AgentModel(spec, components);
                var periodic = file.States.Select(s => names is not null && names.StateNames.Contains(s) && names.IsPeriodic(names.StateNames.ToList().IndexOf(s))).ToArray();
                var model = new EnsembleDynamicsModel(file.States, file.Controls, periodic, settings.Model with { Dt_s = file.Dt_s }, Blas.Default, parse.GetValue(seed));
                var buffer = new ReplayBuffer(file.States.Count, file.Controls.Count, Math.Max(1, file.Rows.Count));
                var transitions = file.Load(buffer);
                var fit = new EnsembleTrainer(model, settings.Training with { Seed = parse.GetValue(seed) }).Fit(buffer);
                var dir = parse.GetValue(outDir)!;
                Directory.CreateDirectory(dir);
                var target = Path.Combine(dir, "model.ckpt");
                model.Save(target);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"fitted {model.Members} × {string.Join("-", settings.Model.Hidden)} to {transitions} transitions in {fit.Seconds:F1} s ({fit.Epochs} epochs, validation MSE {fit.ValidationMse:G3} normalised); wrote {target}"));
                return ExitCodes.Success;
            }
            catch (SpecException ex)
            {
                foreach (var e in ex.Errors) error.WriteLine("rlr train model: " + e);
                return ExitCodes.BadInput;
            }
            catch (Exception ex) when (ex is FormatException or IOException or ArgumentException or InvalidOperationException or CheckpointException)
            {
                error.WriteLine($"rlr train model: {ex.Message}");
                return ExitCodes.BadInput;
            }
        });
        return command;
    }
}
