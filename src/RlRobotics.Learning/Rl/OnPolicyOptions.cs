namespace RlRobotics.Learning.Rl;

/// <summary>The on-policy algorithms, in the order the lecture notes build them up.</summary>
public enum OnPolicyAlgorithm
{
    /// <summary>REINFORCE with a learned baseline: Monte-Carlo returns (GAE λ = 1), one gradient step per batch.</summary>
    Reinforce,
    /// <summary>Advantage actor-critic: GAE advantages, one gradient step per batch, no ratio clipping.</summary>
    A2c,
    /// <summary>PPO with the clipped surrogate (Schulman et al. 2017).</summary>
    Ppo,
    /// <summary>PPO-Lagrangian: cost critic, λ by projected dual ascent on the mean episode cost.</summary>
    PpoLagrangian,
    /// <summary>PPO with the PID Lagrangian (Stooke, Achiam &amp; Abbeel 2020).</summary>
    PpoPid,
    /// <summary>Constrained Policy Optimisation (Achiam et al. 2017): KL trust region, linearised cost constraint.</summary>
    Cpo,
}

/// <summary>How the learning rate moves during training.</summary>
public enum LearningRateSchedule
{
    /// <summary>Fixed.</summary>
    Constant,
    /// <summary>Linear to 0 over the run (CleanRL).</summary>
    Linear,
    /// <summary>rsl_rl's adaptive KL rule: ÷1.5 above 2·desired KL, ×1.5 below desired/2, within [1e-5, 1e-2].</summary>
    AdaptiveKl,
}

/// <summary>
/// Every hyper-parameter of the on-policy learners, CleanRL-style: one record, each with its default and meaning.
/// Defaults are CleanRL's <c>ppo_continuous_action.py</c>; the Lagrangian and CPO defaults are OmniSafe's.
/// </summary>
public sealed record OnPolicyOptions
{
    public OnPolicyAlgorithm Algorithm { get; init; } = OnPolicyAlgorithm.Ppo;
    /// <summary>Total environment steps (all copies together).</summary>
    public long TotalSteps { get; init; } = 100_000;
    /// <summary>Parallel environment copies.</summary>
    public int Envs { get; init; } = 4;
    /// <summary>Steps per copy per iteration; the batch is Envs × StepsPerEnv.</summary>
    public int StepsPerEnv { get; init; } = 1024;
    /// <summary>Passes over the batch per iteration.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Minibatch size, transitions.</summary>
    public int MinibatchSize { get; init; } = 64;
    /// <summary>Discount γ (rewards and costs).</summary>
    public double Gamma { get; init; } = 0.99;
    /// <summary>GAE λ.</summary>
    public double GaeLambda { get; init; } = 0.95;
    /// <summary>Surrogate clip ε; also the value clip.</summary>
    public double ClipRange { get; init; } = 0.2;
    /// <summary>Clip the value loss around the old values (CleanRL's clip_vloss).</summary>
    public bool ClipValueLoss { get; init; } = true;
    public double EntropyCoefficient { get; init; }
    public double ValueCoefficient { get; init; } = 0.5;
    /// <summary>Global gradient-norm clip.</summary>
    public double MaxGradNorm { get; init; } = 0.5;
    public double LearningRate { get; init; } = 3e-4;
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Linear;
    /// <summary>Target KL for the adaptive schedule and for early stopping of the epochs (0: no early stop).</summary>
    public double DesiredKl { get; init; } = 0.01;
    /// <summary>Stop an iteration's epochs once the KL passes 1.5 × <see cref="TargetKl"/> (0: off).</summary>
    public double TargetKl { get; init; }
    public double AdamEpsilon { get; init; } = 1e-5;
    /// <summary>Hidden widths of actor and critics.</summary>
    public int[] Hidden { get; init; } = { 64, 64 };
    public Nn.Activation Activation { get; init; } = Nn.Activation.Tanh;
    /// <summary>Initial log σ of the state-independent Gaussian (in normalised action units: 0 ⇒ σ = 1 of the half-range).</summary>
    public double InitialLogStd { get; init; }
    /// <summary>Normalise observations with running statistics and clip them to ±<see cref="ObservationClip"/>.</summary>
    public bool NormaliseObservations { get; init; } = true;
    public double ObservationClip { get; init; } = 10;
    /// <summary>Scale rewards by the running std of the discounted return and clip to ±<see cref="RewardClip"/>.</summary>
    public bool ScaleRewards { get; init; } = true;
    public double RewardClip { get; init; } = 10;
    /// <summary>Standardise the reward advantages per minibatch (the cost advantages are only centred, as OmniSafe does).</summary>
    public bool NormaliseAdvantages { get; init; } = true;

    /// <summary>Episode cost limit d (mean undiscounted cost per episode); from the task's cost_limit when null.</summary>
    public double? CostLimit { get; init; }
    /// <summary>PPO-Lagrangian: initial λ, its learning rate and upper bound (OmniSafe: 0.001, 0.035 with Adam).</summary>
    public double LambdaInit { get; init; } = 0.001;
    public double LambdaLearningRate { get; init; } = 0.035;
    public double LambdaMax { get; init; } = 100;
    /// <summary>PID Lagrangian gains and smoothing (OmniSafe CPPOPID: 0.1, 0.01, 0.01, delay 10, EMA 0.95).</summary>
    public double Kp { get; init; } = 0.1;
    public double Ki { get; init; } = 0.01;
    public double Kd { get; init; } = 0.01;
    public int DerivativeDelay { get; init; } = 10;
    public double PidEmaAlpha { get; init; } = 0.95;
    /// <summary>CPO: KL radius δ, conjugate-gradient iterations and damping, line-search steps and decay, critic passes.</summary>
    public double CpoTargetKl { get; init; } = 0.01;
    public int CgIterations { get; init; } = 15;
    public double CgDamping { get; init; } = 0.1;
    public int LineSearchSteps { get; init; } = 15;
    public double LineSearchDecay { get; init; } = 0.8;
    public int CriticEpochs { get; init; } = 10;
    public double CriticLearningRate { get; init; } = 1e-3;

    public int Seed { get; init; }

    /// <summary>The batch, transitions per iteration.</summary>
    public int BatchSize => Envs * StepsPerEnv;

    /// <summary>Whether the algorithm learns a cost critic and uses the cost limit.</summary>
    public bool Constrained => Algorithm is OnPolicyAlgorithm.PpoLagrangian or OnPolicyAlgorithm.PpoPid or OnPolicyAlgorithm.Cpo;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (TotalSteps < 1) throw new ArgumentException("total steps must be at least 1");
        if (Envs < 1 || Envs > 4096) throw new ArgumentException($"envs must be 1 to 4096, got {Envs}");
        if (StepsPerEnv < 1) throw new ArgumentException("steps per env must be at least 1");
        if (Epochs < 1) throw new ArgumentException("epochs must be at least 1");
        if (MinibatchSize < 1) throw new ArgumentException("minibatch size must be at least 1");
        if (!(Gamma > 0 && Gamma <= 1) || !(GaeLambda >= 0 && GaeLambda <= 1)) throw new ArgumentException("gamma must be in (0, 1] and gae_lambda in [0, 1]");
        if (!(ClipRange > 0) || !(LearningRate > 0) || !(MaxGradNorm > 0)) throw new ArgumentException("clip, learning rate and max grad norm must be above 0");
        if (Hidden.Length == 0 || Hidden.Any(h => h < 1)) throw new ArgumentException("hidden widths must be at least 1");
        if (CostLimit is < 0) throw new ArgumentException("the cost limit must be at least 0");
        if (!(CpoTargetKl > 0) || CgIterations < 1 || LineSearchSteps < 1 || !(LineSearchDecay > 0 && LineSearchDecay < 1))
            throw new ArgumentException("CPO needs target_kl > 0, cg_iters ≥ 1, line-search steps ≥ 1 and a decay in (0, 1)");
    }

    /// <summary>The options with the algorithm's structural settings applied (REINFORCE and A2C take one full-batch step).</summary>
    public OnPolicyOptions Effective() => Algorithm switch
    {
        OnPolicyAlgorithm.Reinforce => this with { GaeLambda = 1.0, Epochs = 1, MinibatchSize = BatchSize },
        OnPolicyAlgorithm.A2c => this with { Epochs = 1, MinibatchSize = BatchSize },
        _ => this,
    };
}
