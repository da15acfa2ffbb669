using RlRobotics.Learning.Nn;

namespace RlRobotics.Learning.Dynamics;

/// <summary>Shape of a probabilistic ensemble dynamics model (PETS; defaults follow mbrl-lib's Gaussian MLP ensemble).</summary>
public sealed record EnsembleOptions
{
    /// <summary>Ensemble members E (bootstrapped).</summary>
    public int Members { get; init; } = 5;

    /// <summary>Hidden layer widths.</summary>
    public int[] Hidden { get; init; } = { 200, 200, 200 };

    public Activation Activation { get; init; } = Activation.Silu;

    /// <summary>The model's time step, s: it predicts x(t + dt) − x(t) under a control held for dt.</summary>
    public double Dt_s { get; init; } = 0.02;

    /// <summary>Initial upper and lower log-variance bounds (learnable), in normalised target units.</summary>
    public float MaxLogVar { get; init; } = 0.5f;
    public float MinLogVar { get; init; } = -10f;

    public void Validate()
    {
        if (Members < 1) throw new ArgumentException("members must be at least 1");
        if (Hidden.Length == 0 || Hidden.Any(h => h < 1)) throw new ArgumentException("hidden needs at least one layer width ≥ 1");
        if (!(Dt_s > 0)) throw new ArgumentException("dt must be above 0");
        if (!(MaxLogVar > MinLogVar)) throw new ArgumentException("max_logvar must be above min_logvar");
    }
}

/// <summary>How <see cref="EnsembleTrainer"/> fits the ensemble.</summary>
public sealed record EnsembleTrainingOptions
{
    /// <summary>Upper bound on passes over the data per fit.</summary>
    public int MaxEpochs { get; init; } = 50;

    /// <summary>Rows per member per gradient step.</summary>
    public int BatchSize { get; init; } = 256;

    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 5e-5;

    /// <summary>Share of the data held out for validation and early stopping.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Stop after this many epochs without a validation improvement of at least 1 %.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Each member trains on its own resample (with replacement) of the training rows.</summary>
    public bool Bootstrap { get; init; } = true;

    /// <summary>Global gradient-norm clip; 0 disables.</summary>
    public double ClipNorm { get; init; }

    /// <summary>Weight of the log-variance bound penalty c (Σ ℓ_max − Σ ℓ_min).</summary>
    public float BoundWeight { get; init; } = 0.01f;

    public int Seed { get; init; }

    public void Validate()
    {
        if (MaxEpochs < 1 || BatchSize < 1 || Patience < 1) throw new ArgumentException("epochs, batch size and patience must be at least 1");
        if (!(LearningRate > 0) || WeightDecay < 0 || ClipNorm < 0) throw new ArgumentException("learning rate must be above 0; weight decay and clip at least 0");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw new ArgumentException("validation fraction must be in [0, 1)");
    }
}
