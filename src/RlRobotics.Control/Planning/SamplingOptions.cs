using RlRobotics.Core.Dynamics;

namespace RlRobotics.Control.Planning;

/// <summary>
/// Settings of the sampling planners (random shooting, CEM, MPPI). Defaults follow PETS' CEM
/// (500 samples, 50 elites, 5 iterations, α = 0.1) and a moderate MPPI temperature.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Candidate control sequences per iteration.</summary>
    public int Samples { get; init; } = 500;

    /// <summary>Refinement iterations per solve (CEM refits, MPPI re-weights; random shooting draws again and keeps the best).</summary>
    public int Iterations { get; init; } = 5;

    /// <summary>CEM: the best this many samples refit the distribution.</summary>
    public int Elites { get; init; } = 50;

    /// <summary>CEM: weight of the old mean and deviation in each refit (μ ← α μ + (1 − α) μ_elite).</summary>
    public double Alpha { get; init; } = 0.1;

    /// <summary>Initial (CEM) or fixed (MPPI) sampling deviation, as a fraction of each control's half range.</summary>
    public double NoiseFraction { get; init; } = 0.5;

    /// <summary>Correlation β of consecutive noise samples in time (0 = white; 0.8 gives smooth perturbations).</summary>
    public double NoiseCorrelation { get; init; }

    /// <summary>MPPI: factor on the sampling deviation after each iteration of a solve (1 = fixed noise).</summary>
    public double NoiseDecay { get; init; } = 1.0;

    /// <summary>Passes of a [¼ ½ ¼] smoothing filter over the final plan's controls (0 = none).</summary>
    public int SmoothingPasses { get; init; }

    /// <summary>CEM stops refitting once every deviation is below this fraction of the half range.</summary>
    public double MinNoiseFraction { get; init; } = 0.01;

    /// <summary>MPPI temperature λ, in cost units: lower follows the best samples more greedily.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Threads in all (the planner's own included); 0 takes the processor count.</summary>
    public int Threads { get; init; }

    /// <summary>Compute time-varying LQR feedback gains along the final plan (needs the model's Jacobians).</summary>
    public bool Feedback { get; init; }

    /// <summary>
    /// Particles per candidate on a stochastic (learned ensemble) model; the candidate's cost is their mean. Ignored by
    /// deterministic models.
    /// </summary>
    public int Particles { get; init; } = 1;

    /// <summary>How particles move through an ensemble model (PETS's TS-1, TS-∞, or the deterministic mean).</summary>
    public ParticlePropagation Propagation { get; init; } = ParticlePropagation.TsInfinity;

    /// <summary>Seed of the sample noise.</summary>
    public int Seed { get; init; }

    public void Validate()
    {
        if (Samples < 2) throw new ArgumentOutOfRangeException(nameof(Samples), "at least 2 samples");
        if (Iterations < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), "at least 1 iteration");
        if (Elites < 1 || Elites > Samples) throw new ArgumentOutOfRangeException(nameof(Elites), "elites between 1 and the sample count");
        if (!(Alpha >= 0 && Alpha < 1)) throw new ArgumentOutOfRangeException(nameof(Alpha), "alpha in [0, 1)");
        if (!(NoiseFraction > 0)) throw new ArgumentOutOfRangeException(nameof(NoiseFraction), "noise above 0");
        if (!(NoiseCorrelation >= 0 && NoiseCorrelation < 1)) throw new ArgumentOutOfRangeException(nameof(NoiseCorrelation), "correlation in [0, 1)");
        if (!(NoiseDecay > 0 && NoiseDecay <= 1)) throw new ArgumentOutOfRangeException(nameof(NoiseDecay), "decay in (0, 1]");
        if (!(MinNoiseFraction >= 0)) throw new ArgumentOutOfRangeException(nameof(MinNoiseFraction), "min noise at least 0");
        if (!(Temperature > 0)) throw new ArgumentOutOfRangeException(nameof(Temperature), "temperature above 0");
        if (Particles < 1) throw new ArgumentOutOfRangeException(nameof(Particles), "at least 1 particle");
        if (Threads < 0) throw new ArgumentOutOfRangeException(nameof(Threads), "threads at least 0");
    }
}
