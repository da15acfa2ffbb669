using System.CommandLine;
using System.Globalization;
using RlRobotics.Cli.Node;
using RlRobotics.Cli.Training;
using RlRobotics.Core.Spec;
using RlRobotics.Learning.Checkpoints;
using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Data;
using RlRobotics.Learning.Dynamics;
using RlRobotics.Learning.Rl;
using RlRobotics.Mqtt.Fleet;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr train</c>: model-based RL on the robot (<c>mbrl</c>), offline model fitting from logs (<c>model</c>) and the on-policy learners (<c>ppo</c>, <c>ppo-lag</c>, <c>ppo-pid</c>, <c>cpo</c>, <c>a2c</c>, <c>reinforce</c>).</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var train = new Command("train", "Learn: model-based RL, a dynamics model from recorded episodes, or a policy with (safe) on-policy RL");
        train.Subcommands.Add(Mbrl(output, error));
        train.Subcommands.Add(OfflineModel(output, error));
        foreach (var (name, algorithm, about) in OnPolicyAlgorithms) train.Subcommands.Add(OnPolicy(name, algorithm, about, output, error));
        return train;
    }

    private static bool IsBadInput(Exception ex) => ex is SpecException or ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException;

    // A robot file's located errors, or the one problem with the arguments or files; nothing was started.
    private static int RefuseInput(string command, string robotPath, Exception ex, TextWriter error)
    {
        if (ex is SpecException spec)
        {
            error.WriteLine($"{command}: {robotPath} is not a valid robot description; nothing was started.");
            foreach (var e in spec.Errors) error.WriteLine("  " + e);
        }
        else error.WriteLine($"{command}: {ex.Message}");
        return ExitCodes.BadInput;
    }

    internal static readonly (string Name, OnPolicyAlgorithm Algorithm, string About)[] OnPolicyAlgorithms =
    {
        ("ppo", OnPolicyAlgorithm.Ppo, "PPO with the clipped surrogate (CleanRL's continuous-control details)"),
        ("ppo-lag", OnPolicyAlgorithm.PpoLagrangian, "PPO-Lagrangian: a cost critic and λ by projected dual ascent"),
        ("ppo-pid", OnPolicyAlgorithm.PpoPid, "PPO with the PID Lagrangian (Stooke et al. 2020)"),
        ("cpo", OnPolicyAlgorithm.Cpo, "Constrained Policy Optimisation: KL trust region, conjugate gradient, line search"),
        ("a2c", OnPolicyAlgorithm.A2c, "Advantage actor-critic: GAE, one gradient step per batch"),
        ("reinforce", OnPolicyAlgorithm.Reinforce, "REINFORCE with a learned baseline"),
    };

    // rlr train ppo|ppo-lag|ppo-pid|cpo|a2c|reinforce: on-policy learning on the robot file's task, simulated.
    private static Command OnPolicy(string name, OnPolicyAlgorithm algorithm, string about, TextWriter output, TextWriter error)
    {
        var robot = CliOptions.Robot();
        var steps = new Option<long?>("--steps") { Description = "Environment steps, all copies together (default: agent.rl.total_steps)", HelpName = "n" };
        steps.Validators.Add(r => { if (CliOptions.TryValue<long?>(r, out var v) && v is < 1 or > 10_000_000_000) r.AddError($"--steps: expected 1 to 1e10, got {v}"); });
        var envs = new Option<int?>("--envs") { Description = "Parallel environment copies (default: agent.rl.envs)", HelpName = "k" };
        envs.Validators.Add(r => { if (CliOptions.TryValue<int?>(r, out var v) && v is < 1 or > 4096) r.AddError($"--envs: expected 1 to 4096, got {v}"); });
        var seed = new Option<int>("--seed") { Description = "Seed for weights, exploration, initial states and minibatches", DefaultValueFactory = _ => 0 };
        var outDir = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => $"out/{name}", HelpName = "dir" };
        var shield = RunCommand.Shield();
        var costLimit = new Option<double?>("--cost-limit") { Description = "Mean episode cost limit d (default: task.cost_limit)", HelpName = "d" };
        costLimit.Validators.Add(r => { if (CliOptions.TryValue<double?>(r, out var v) && v is { } d && !(d >= 0 && double.IsFinite(d))) r.AddError($"--cost-limit: expected a number of at least 0, got {d}"); });
        var evalEpisodes = new Option<int>("--eval-episodes") { Description = "Episodes of the deterministic policy evaluated at the end", DefaultValueFactory = _ => 20 };
        evalEpisodes.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 1 or > 100_000) r.AddError($"--eval-episodes: expected 1 to 100000, got {v}"); });
        var envThreads = new Option<int>("--env-threads") { Description = "Threads stepping the environment copies", DefaultValueFactory = _ => 1 };
        envThreads.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 1 or > 64) r.AddError($"--env-threads: expected 1 to 64, got {v}"); });
        var command = new Command(name, about) { robot, steps, envs, seed, outDir, shield, costLimit, evalEpisodes, envThreads };
        command.SetAction(parse => RunOnPolicy(new PolicyTrainingOptions(parse.GetValue(robot)!, algorithm, parse.GetValue(steps), parse.GetValue(envs),
            parse.GetValue(seed), parse.GetValue(outDir)!, RunCommand.ShieldValue(parse.GetValue(shield)), parse.GetValue(costLimit),
            parse.GetValue(evalEpisodes), EnvThreads: parse.GetValue(envThreads)), name, output, error));
        return command;
    }

    internal static int RunOnPolicy(PolicyTrainingOptions options, string name, TextWriter output, TextWriter error)
    {
        var console = RunCommand.Console(output);
        var run = new PolicyTraining(options);
        OnPolicyTrainer trainer;
        try { trainer = run.Prepare(); }
        catch (Exception ex) when (IsBadInput(ex)) { return RefuseInput($"rlr train {name}", options.RobotPath, ex, error); }
        LearningTelemetry? progress;
        try { progress = LearningTelemetry.For(RobotSpecLoader.LoadFile(options.RobotPath), name); }
        catch (Exception ex) when (IsBadInput(ex)) { return RefuseInput($"rlr train {name}", options.RobotPath, ex, error); }
        using var _ = progress;
        var o = trainer.Options;
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLine($"[bold]rlr train {name}[/] · robot [cyan]{Markup.Escape(options.RobotPath)}[/] · {o.TotalSteps:N0} steps · {o.Envs} envs × {o.StepsPerEnv} steps · " +
                           $"seed {o.Seed} · shield {(trainer.Env.Shielded ? "on" : "off")}" + (double.IsFinite(trainer.CostLimit) ? string.Create(inv, $" · cost limit {trainer.CostLimit:0.##}") : ""));
        var hasCost = trainer.Env.Task.HasCost;
        if (progress is not null) console.MarkupLine(Markup.Escape(progress.Describe()));
        void Report(IterationMetrics m) => progress?.Report("iteration", [
            ("iteration", m.Iteration), ("iterations", trainer.Iterations), ("steps", m.Steps), ("episodes", m.Episodes), ("return", m.EpisodeReturn),
            ("cost", hasCost ? m.EpisodeCost : double.NaN), ("lambda", m.Lambda), ("kl", m.Kl), ("entropy", m.Entropy),
            ("shield_interventions", m.ShieldInterventions), ("violations", m.Violations),
            ("steps_per_s", m.CollectSeconds + m.LearnSeconds > 0 ? o.BatchSize / (m.CollectSeconds + m.LearnSeconds) : double.NaN)]);
        string Line(IterationMetrics m)
        {
            var line = string.Create(inv, $"iter {m.Iteration,4}  steps {m.Steps,9}  return {m.EpisodeReturn,8:F1}");
            if (hasCost) line += string.Create(inv, $"  cost {m.EpisodeCost,7:F2}");
            if (o.Constrained && o.Algorithm != OnPolicyAlgorithm.Cpo) line += string.Create(inv, $"  λ {m.Lambda,6:F3}");
            if (o.Algorithm == OnPolicyAlgorithm.Cpo) line += $"  case {m.CpoCase} step {m.CpoStep,2}";
            line += string.Create(inv, $"  KL {m.Kl,7:F4}  entropy {m.Entropy,6:F2}");
            if (trainer.Env.Shielded) line += string.Create(inv, $"  shield {m.ShieldInterventions,5}  violations {m.Violations,4}");
            var seconds = m.CollectSeconds + m.LearnSeconds;
            return line + string.Create(inv, $"  {(seconds > 0 ? o.BatchSize / seconds : 0),8:F0} steps/s");
        }
        var interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var every = Math.Max(1, trainer.Iterations / 20);
        PolicyTrainingSummary summary;
        try
        {
            if (interactive)
            {
                summary = default!;
                AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask("training", maxValue: trainer.Iterations);
                        summary = run.Run(m =>
                        {
                            Report(m);
                            task.Increment(1);
                            task.Description = string.Create(inv, $"return {m.EpisodeReturn:F1} · cost {m.EpisodeCost:F1}");
                            if (m.Iteration % every == 0 || m.Iteration == trainer.Iterations) AnsiConsole.WriteLine(Line(m));
                        });
                    });
            }
            else summary = run.Run(m =>
            {
                Report(m);
                if (m.Iteration % every == 0 || m.Iteration == trainer.Iterations) output.WriteLine(Line(m));
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"rlr train {name}: {ex.Message}");
            return ExitCodes.BadInput;
        }
        console.MarkupLine(string.Create(inv, $"computation: {summary.StepsPerSecond:F0} steps/s (collection {summary.CollectSeconds:F2} s, learning {summary.LearnSeconds:F2} s)"));
        console.MarkupLine(string.Create(inv, $"deterministic policy over {options.EvalEpisodes} episodes: return {summary.EvalReturn:F1} ± {summary.EvalReturnStd:F1}") +
            (summary.CostLimit is { } d ? string.Create(inv, $", cost {summary.EvalCost:F2} (limit {d:0.##}); training's last 10 %: return {summary.FinalReturn:F1}, cost {summary.FinalCost:F2}; largest overshoot {summary.MaxCostOvershoot:F2}") : ""));
        console.MarkupLine(string.Create(inv, $"hard-constraint violations during training: {summary.Violations}") +
            (summary.Shielded ? string.Create(inv, $" · shield changed {summary.ShieldInterventions} actions ({summary.ShieldInfeasible} infeasible)") : ""));
        console.MarkupLine($"wrote [cyan]{Markup.Escape(summary.PolicyPath)}[/], metrics.csv, curves.svg, summary.json, checkpoints/");
        return ExitCodes.Success;
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
        LearningTelemetry? progress;
        try { progress = LearningTelemetry.For(RobotSpecLoader.LoadFile(options.RobotPath), "mbrl"); }
        catch (Exception ex) when (IsBadInput(ex)) { return RefuseInput("rlr train mbrl", options.RobotPath, ex, error); }
        using var _ = progress;
        if (progress is not null) console.MarkupLine(Markup.Escape(progress.Describe()));
        var table = new List<string>();
        void Line(EpisodeResult r)
        {
            progress?.Report("episode", [
                ("episode", r.Episode), ("episodes", options.Episodes), ("return", r.Return), ("success", r.Success ? 1 : 0),
                ("held_out_mse", r.HeldOutMse), ("held_out_nll", r.HeldOutNll), ("fit_epochs", r.FitEpochs), ("fit_s", r.FitSeconds),
                ("plan_ms_p50", r.PlanMsP50), ("transitions", r.Transitions)]);
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
        catch (Exception ex) when (IsBadInput(ex)) { return RefuseInput("rlr train mbrl", options.RobotPath, ex, error); }
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
