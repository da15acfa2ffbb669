using System.CommandLine;
using System.Globalization;
using RlRobotics.Cli.Training;
using RlRobotics.Core.Spec;
using RlRobotics.Learning.Checkpoints;
using RlRobotics.Learning.Policies;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr eval</c>: a trained policy's deterministic action over N simulated episodes of the robot file's task.</summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var robot = CliOptions.Robot();
        var policy = new Option<string>("--policy") { Description = "Trained policy (.rlpolicy)", Required = true, HelpName = "p.rlpolicy" };
        var episodes = new Option<int>("--episodes") { Description = "Episodes", DefaultValueFactory = _ => 100 };
        episodes.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 1 or > 100_000) r.AddError($"--episodes: expected 1 to 100000, got {v}"); });
        var seed = new Option<int>("--seed") { Description = "Seed for the initial states", DefaultValueFactory = _ => 0 };
        var shield = RunCommand.Shield();
        var command = new Command("eval", "Evaluate a trained policy over N episodes of the robot file's task (simulated)") { robot, policy, episodes, seed, shield };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(policy)!;
            try
            {
                var spec = RobotSpecLoader.LoadFile(parse.GetValue(robot)!);
                var (task, model) = PolicyTraining.TaskOf(spec);
                var trained = DeployablePolicy.Load(path);
                var shielded = RunCommand.ShieldValue(parse.GetValue(shield)) ?? task.Constraints.Count > 0;
                var r = PolicyEvaluation.Run(task, model, trained, parse.GetValue(episodes), parse.GetValue(seed), shielded);
                var inv = CultureInfo.InvariantCulture;
                output.WriteLine(string.Create(inv, $"{path} ({trained.Info.GetValueOrDefault("algorithm", "?")}, {trained.Info.GetValueOrDefault("steps", "?")} steps) on {spec.Name}, {r.Returns.Length} episodes, shield {(shielded ? "on" : "off")}:"));
                output.WriteLine(string.Create(inv, $"  return {r.MeanReturn:F2} ± {r.StdReturn:F2} (min {r.Returns.Min():F2}, max {r.Returns.Max():F2})"));
                if (task.HasCost)
                    output.WriteLine(string.Create(inv, $"  cost {r.MeanCost:F2} per episode") + (double.IsFinite(task.CostLimit) ? string.Create(inv, $" (limit {task.CostLimit:0.##}: {(r.MeanCost <= task.CostLimit ? "within" : "ABOVE")})") : ""));
                output.WriteLine(string.Create(inv, $"  hard-constraint violations {r.Violations}") + (shielded ? string.Create(inv, $", shield changed {r.ShieldInterventions} actions") : ""));
                return ExitCodes.Success;
            }
            catch (SpecException ex)
            {
                foreach (var e in ex.Errors) error.WriteLine("rlr eval: " + e);
                return ExitCodes.BadInput;
            }
            catch (CheckpointException ex)
            {
                error.WriteLine($"rlr eval: {path}: {ex.Message}");
                return ExitCodes.BadInput;
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"rlr eval: {ex.Message}");
                return ExitCodes.BadInput;
            }
        });
        return command;
    }
}
