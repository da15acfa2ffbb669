using RlRobotics.Core.Spec;
using RlRobotics.Learning.Nn;
using RlRobotics.Learning.Rl;

namespace RlRobotics.Cli.Training;

/// <summary>
/// The robot file's <c>agent.rl</c> section: the on-policy learners' hyper-parameters (every key of
/// <see cref="OnPolicyOptions"/> in snake case; defaults are CleanRL's and OmniSafe's). Checked whichever controller runs.
/// </summary>
internal static class OnPolicySettings
{
    /// <summary>Reads <c>agent.rl</c> over the defaults for <paramref name="algorithm"/>; throws <see cref="SpecException"/> with located errors.</summary>
    public static OnPolicyOptions Read(RobotSpec robot, OnPolicyAlgorithm algorithm = OnPolicyAlgorithm.Ppo)
    {
        var node = robot.Agent.Node["rl"];
        var diagnostics = robot.Agent.Node.Diagnostics;
        node.ExpectMapping(optional: true);
        var d = new OnPolicyOptions { Algorithm = algorithm };
        var nonNegative = (Func<double, bool>)(v => v >= 0);
        var unit = (Func<double, bool>)(v => v > 0 && v <= 1);
        var hidden = node.Doubles("hidden") ?? d.Hidden.Select(h => (double)h).ToArray();
        if (hidden.Length == 0 || hidden.Any(h => h < 1 || h > 4096 || h != Math.Floor(h))) node["hidden"].Error("expected a list of layer widths, whole numbers from 1 to 4096");
        var activation = node.String("activation", "tanh");
        if (!Activations.TryParse(activation, out var act)) node["activation"].Error($"unknown activation '{activation}'; expected tanh, relu, silu or elu");
        var options = d with
        {
            TotalSteps = (long)node.Double("total_steps", d.TotalSteps, v => v >= 1 && v <= 1e12, "a step count of at least 1"),
            Envs = node.Int("envs", d.Envs, 1, 4096),
            StepsPerEnv = node.Int("steps_per_env", d.StepsPerEnv, 1, 1_000_000),
            Epochs = node.Int("epochs", d.Epochs, 1, 1000),
            MinibatchSize = node.Int("minibatch", d.MinibatchSize, 1, 1_000_000),
            Gamma = node.Double("gamma", d.Gamma, unit, "a discount in (0, 1]"),
            GaeLambda = node.Double("gae_lambda", d.GaeLambda, v => v >= 0 && v <= 1, "a value in [0, 1]"),
            ClipRange = node.Double("clip", d.ClipRange, v => v > 0 && v < 10, "a clip range above 0"),
            ClipValueLoss = node.Bool("clip_value_loss", d.ClipValueLoss),
            EntropyCoefficient = node.Double("entropy_coef", d.EntropyCoefficient, nonNegative, "a coefficient of at least 0"),
            ValueCoefficient = node.Double("value_coef", d.ValueCoefficient, nonNegative, "a coefficient of at least 0"),
            MaxGradNorm = node.Double("max_grad_norm", d.MaxGradNorm, v => v > 0, "a norm above 0"),
            LearningRate = node.Double("learning_rate", d.LearningRate, v => v > 0 && v < 1, "a rate from 0 to 1"),
            Schedule = node.Enum<LearningRateSchedule>("schedule", d.Schedule),
            DesiredKl = node.Double("desired_kl", d.DesiredKl, v => v > 0, "a KL above 0"),
            TargetKl = node.Double("target_kl", d.TargetKl, nonNegative, "a KL of at least 0 (0: no early stop)"),
            Hidden = hidden.Select(h => (int)Math.Clamp(h, 1, 4096)).ToArray(),
            Activation = act,
            InitialLogStd = node.Double("initial_log_std", d.InitialLogStd, v => v >= -5 && v <= 2, "a log σ from −5 to 2"),
            NormaliseObservations = node.Bool("normalise_observations", d.NormaliseObservations),
            ScaleRewards = node.Bool("scale_rewards", d.ScaleRewards),
            NormaliseAdvantages = node.Bool("normalise_advantages", d.NormaliseAdvantages),
            LambdaInit = node.Double("lambda_init", d.LambdaInit, nonNegative, "a multiplier of at least 0"),
            LambdaLearningRate = node.Double("lambda_lr", d.LambdaLearningRate, v => v > 0, "a rate above 0"),
            LambdaMax = node.Double("lambda_max", d.LambdaMax, v => v > 0, "a bound above 0"),
            Kp = node.Double("kp", d.Kp, nonNegative, "a gain of at least 0"),
            Ki = node.Double("ki", d.Ki, nonNegative, "a gain of at least 0"),
            Kd = node.Double("kd", d.Kd, nonNegative, "a gain of at least 0"),
            DerivativeDelay = node.Int("d_delay", d.DerivativeDelay, 1, 10_000),
            PidEmaAlpha = node.Double("pid_ema_alpha", d.PidEmaAlpha, v => v >= 0 && v < 1, "a smoothing factor in [0, 1)"),
            CpoTargetKl = node.Double("cpo_target_kl", d.CpoTargetKl, v => v > 0, "a KL radius above 0"),
            CgIterations = node.Int("cg_iters", d.CgIterations, 1, 1000),
            CgDamping = node.Double("cg_damping", d.CgDamping, nonNegative, "a damping of at least 0"),
            LineSearchSteps = node.Int("line_search_steps", d.LineSearchSteps, 1, 1000),
            LineSearchDecay = node.Double("line_search_decay", d.LineSearchDecay, v => v > 0 && v < 1, "a decay in (0, 1)"),
            CriticEpochs = node.Int("critic_epochs", d.CriticEpochs, 1, 1000),
            CriticLearningRate = node.Double("critic_learning_rate", d.CriticLearningRate, v => v > 0 && v < 1, "a rate from 0 to 1"),
        };
        node.RejectUnknownKeys();
        diagnostics.ThrowIfAny();
        return options;
    }
}
