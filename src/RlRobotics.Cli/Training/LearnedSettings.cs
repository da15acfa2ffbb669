using RlRobotics.Core.Spec;
using RlRobotics.Learning.Dynamics;
using RlRobotics.Learning.Nn;

namespace RlRobotics.Cli.Training;

/// <summary>
/// The robot file's <c>agent.learned</c> section as the trainer reads it: the ensemble's shape (<c>model</c>), how it is
/// fitted (<c>training</c>) and what an episode is (<c>episode</c>), and its <c>planner</c>. Its planner sections are read by
/// the controller factory. Checked whichever controller runs, so a typo is found before anything moves.
/// </summary>
internal sealed record LearnedSettings(string Planner, EnsembleOptions Model, EnsembleTrainingOptions Training, int EpisodeSteps, double[]? InitialState)
{
    private static readonly string[] PlannerKeys = { "planner", "cost", "mpc", "ilqr", "cem", "mppi", "random" };

    /// <summary>Reads <c>agent.learned</c> (defaults when absent); throws <see cref="SpecException"/> with located errors.</summary>
    public static LearnedSettings Read(RobotSpec robot)
    {
        var agent = robot.Agent.Node;
        var node = agent["learned"];
        var diagnostics = agent.Diagnostics;
        node.ExpectMapping(optional: true);
        foreach (var k in PlannerKeys) node.Has(k);
        var planner = Control.Planning.PlannerConfig.ReadLearnedPlanner(node);

        var m = node["model"];
        m.ExpectMapping(optional: true);
        var d = new EnsembleOptions();
        var hidden = m.Doubles("hidden") ?? d.Hidden.Select(h => (double)h).ToArray();
        if (hidden.Length == 0 || hidden.Any(h => h < 1 || h > 4096 || h != Math.Floor(h))) m["hidden"].Error("expected a list of layer widths, whole numbers from 1 to 4096");
        var activation = m.String("activation", "silu");
        if (!Activations.TryParse(activation, out var act)) m["activation"].Error($"unknown activation '{activation}'; expected tanh, relu, silu or elu");
        var model = new EnsembleOptions
        {
            Members = m.Int("members", d.Members, 1, 64),
            Hidden = hidden.Select(h => (int)Math.Clamp(h, 1, 4096)).ToArray(),
            Activation = act,
            Dt_s = m.Double("dt", d.Dt_s, v => v > 0 && v <= 10, "a step from 0 to 10 s"),
        };
        m.RejectUnknownKeys();

        var t = node["training"];
        t.ExpectMapping(optional: true);
        var dt = new EnsembleTrainingOptions();
        var training = new EnsembleTrainingOptions
        {
            MaxEpochs = t.Int("max_epochs", dt.MaxEpochs, 1, 100_000),
            BatchSize = t.Int("batch_size", dt.BatchSize, 1, 65_536),
            LearningRate = t.Double("learning_rate", dt.LearningRate, v => v > 0 && v < 1, "a rate from 0 to 1"),
            WeightDecay = t.Double("weight_decay", dt.WeightDecay, v => v >= 0 && v < 1, "a decay from 0 to 1"),
            ValidationFraction = t.Double("validation_fraction", dt.ValidationFraction, v => v >= 0 && v < 1, "a fraction in [0, 1)"),
            Patience = t.Int("patience", dt.Patience, 1, 10_000),
            ClipNorm = t.Double("clip_norm", 0, v => v >= 0, "a norm of at least 0 (0: off)"),
        };
        t.RejectUnknownKeys();

        var e = node["episode"];
        e.ExpectMapping(optional: true);
        var steps = e.Int("steps", 200, 1, 10_000_000);
        var initial = e.Doubles("initial_state");
        e.RejectUnknownKeys();
        node.RejectUnknownKeys();
        diagnostics.ThrowIfAny();
        return new LearnedSettings(planner, model, training, steps, initial);
    }
}
