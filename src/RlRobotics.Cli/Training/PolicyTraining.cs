using System.Globalization;
using System.Text;
using System.Text.Json;
using RlRobotics.Cli.Node;
using RlRobotics.Cli.Reports;
using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Spec;
using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Envs;
using RlRobotics.Learning.Policies;
using RlRobotics.Learning.Rl;

namespace RlRobotics.Cli.Training;

/// <summary>What <c>rlr train ppo|ppo-lag|ppo-pid|cpo|a2c|reinforce</c> was asked for; null means the robot file's <c>agent.rl</c>.</summary>
internal sealed record PolicyTrainingOptions(string RobotPath, OnPolicyAlgorithm Algorithm, long? Steps, int? Envs, int Seed, string OutDir,
    bool? Shield, double? CostLimit, int EvalEpisodes = 20, int CheckpointEvery = 10, int EnvThreads = 1);

/// <summary>The end of a training run: the deterministic policy's evaluation and where the time went.</summary>
internal sealed record PolicyTrainingSummary(string Algorithm, int Seed, long Steps, int Iterations, double Seconds, double CollectSeconds, double LearnSeconds,
    double StepsPerSecond, double EvalReturn, double EvalReturnStd, double EvalCost, double? CostLimit, double FinalReturn, double FinalCost,
    double MaxCostOvershoot, long Violations, long ShieldInterventions, long ShieldInfeasible, bool Shielded, string PolicyPath);

/// <summary>
/// One on-policy training run from a robot file: the task from <c>task</c>, the hyper-parameters from <c>agent.rl</c>
/// with the command line on top, the model of the robot's simulated component. Writes <c>metrics.csv</c> (one row per
/// iteration, bit-identical from the seed), <c>curves.svg</c>, <c>checkpoints/</c>, the deployable <c>policy.rlpolicy</c>
/// and <c>summary.json</c>.
/// </summary>
internal sealed class PolicyTraining
{
    private readonly PolicyTrainingOptions _options;

    public PolicyTraining(PolicyTrainingOptions options) => _options = options;

    public OnPolicyTrainer? Trainer { get; private set; }
    private IDynamicsModel? _model;

    /// <summary>Builds everything from the robot file (throws <see cref="SpecException"/> or <see cref="ArgumentException"/> for bad input).</summary>
    public OnPolicyTrainer Prepare()
    {
        var spec = RobotSpecLoader.LoadFile(_options.RobotPath);
        var settings = OnPolicySettings.Read(spec, _options.Algorithm);
        var (task, model) = TaskOf(spec);
        var shield = _options.Shield ?? task.Constraints.Count > 0;
        var options = settings with
        {
            Algorithm = _options.Algorithm,
            Seed = _options.Seed,
            TotalSteps = _options.Steps ?? settings.TotalSteps,
            Envs = _options.Envs ?? settings.Envs,
            CostLimit = _options.CostLimit ?? settings.CostLimit,
        };
        _model = model;
        return Trainer = new OnPolicyTrainer(task, model, options, shield, Blas.Default, _options.EnvThreads);
    }

    /// <summary>The robot file's learning task on the model of its simulated component (or <c>agent.model</c>).</summary>
    public static (EnvTask Task, IDynamicsModel Model) TaskOf(RobotSpec spec)
    {
        var components = RobotNode.DefaultRegistry().CreateAll(spec, 0, null);
        var model = RobotNode.AgentModel(spec, components)
            ?? throw new ArgumentException("training needs a model of the robot: add agent.model or a simulated component (type: sim)");
        return (EnvTaskReader.Read(spec, model), model);
    }

    /// <summary>Trains, writing the artefacts as it goes; returns the summary.</summary>
    public PolicyTrainingSummary Run(Action<IterationMetrics>? onIteration = null)
    {
        var trainer = Trainer ?? Prepare();
        var task = trainer.Env.Task;
        var shield = trainer.Env.Shielded;
        var dir = _options.OutDir;
        Directory.CreateDirectory(Path.Combine(dir, "checkpoints"));
        var info = new Dictionary<string, string>
        {
            ["robot"] = Path.GetFileName(_options.RobotPath),
            ["seed"] = _options.Seed.ToString(CultureInfo.InvariantCulture),
        };
        var overshoot = 0.0;
        using (var csv = new StreamWriter(Path.Combine(dir, "metrics.csv"), false, new UTF8Encoding(false)))
        {
            csv.WriteLine(IterationMetrics.CsvHeader);
            trainer.Run(m =>
            {
                csv.WriteLine(m.CsvRow());
                if (double.IsFinite(trainer.CostLimit) && double.IsFinite(m.EpisodeCost)) overshoot = Math.Max(overshoot, m.EpisodeCost - trainer.CostLimit);
                if (_options.CheckpointEvery > 0 && m.Iteration % _options.CheckpointEvery == 0)
                    DeployablePolicy.ToCheckpoint(trainer, Info(info, m)).Save(Path.Combine(dir, "checkpoints", $"iteration_{m.Iteration:D5}.rlpolicy"));
                onIteration?.Invoke(m);
            });
        }
        var history = trainer.History;
        var last = history[^1];
        var policyPath = Path.Combine(dir, "policy.rlpolicy");
        var artefact = DeployablePolicy.ToCheckpoint(trainer, Info(info, last));
        artefact.Save(policyPath);
        File.WriteAllText(Path.Combine(dir, "curves.svg"), Curves(trainer));

        var eval = PolicyEvaluation.Run(task, _model!, DeployablePolicy.FromCheckpoint(artefact), _options.EvalEpisodes, _options.Seed + 1_000_003, shield);
        var tail = history.Skip(history.Count - Math.Max(1, history.Count / 10)).Where(h => h.Episodes > 0).ToList();
        double collect = history.Sum(h => h.CollectSeconds), learn = history.Sum(h => h.LearnSeconds);
        var summary = new PolicyTrainingSummary(trainer.Options.Algorithm.ToString(), _options.Seed, last.Steps, history.Count, collect + learn, collect, learn,
            last.Steps / Math.Max(1e-9, collect + learn), eval.MeanReturn, eval.StdReturn, eval.MeanCost,
            double.IsFinite(trainer.CostLimit) ? trainer.CostLimit : null,
            tail.Count > 0 ? tail.Average(h => h.EpisodeReturn) : double.NaN, tail.Count > 0 ? tail.Average(h => h.EpisodeCost) : double.NaN,
            overshoot, trainer.Env.Violations, trainer.Env.ShieldInterventions, trainer.Env.ShieldInfeasible, shield, policyPath);
        File.WriteAllText(Path.Combine(dir, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
        return summary;
    }

    private static Dictionary<string, string> Info(Dictionary<string, string> info, IterationMetrics m) => new(info)
    {
        ["steps"] = m.Steps.ToString(CultureInfo.InvariantCulture),
        ["iteration"] = m.Iteration.ToString(CultureInfo.InvariantCulture),
    };

    // Return, episode cost, λ, KL, entropy and shield interventions against environment steps.
    private static string Curves(OnPolicyTrainer trainer)
    {
        var h = trainer.History;
        var steps = h.Select(m => (double)m.Steps).ToList();
        double[] Of(Func<IterationMetrics, double> f)
        {
            var values = h.Select(f).ToArray();
            for (var i = 0; i < values.Length; i++) if (!double.IsFinite(values[i])) values[i] = i > 0 ? values[i - 1] : 0;
            return values;
        }
        var series = new List<(string, double[], bool)> { ("episode return", Of(m => m.EpisodeReturn), false) };
        if (trainer.Env.Task.HasCost) series.Add(($"episode cost (limit {trainer.CostLimit:0.##})", Of(m => m.EpisodeCost), false));
        if (trainer.Options.Constrained && trainer.Options.Algorithm != OnPolicyAlgorithm.Cpo) series.Add(("λ", Of(m => m.Lambda), false));
        series.Add(("KL", Of(m => m.Kl), false));
        series.Add(("entropy", Of(m => m.Entropy), false));
        if (trainer.Env.Shielded) series.Add(("shield interventions per iteration", Of(m => m.ShieldInterventions), true));
        return PlotSvg.Panels($"{trainer.Options.Algorithm} on {trainer.Env.Task.ObservationSize}-observation task · seed {trainer.Options.Seed}", steps, series, "steps");
    }
}
