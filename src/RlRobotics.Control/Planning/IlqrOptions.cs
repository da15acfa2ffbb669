namespace RlRobotics.Control.Planning;

/// <summary>
/// iLQR/DDP settings. Defaults follow Tassa's iLQG (regularisation schedule, 11 log-spaced step sizes) and the
/// stopping rule of benchmark B1.
/// </summary>
public sealed record IlqrOptions
{
    /// <summary>Iteration budget of a full solve.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>Stop when an accepted step lowers the cost by less than this fraction.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Also stop when the mean relative step |k| / (|u| + 1) falls below this while μ &lt; 1e-5 (Tassa's gradient test).</summary>
    public double GradientTolerance { get; init; } = 1e-4;

    /// <summary>Levenberg–Marquardt μ added to Q_uu: initial, floor (below it μ is 0), ceiling (give up).</summary>
    public double MuInitial { get; init; } = 1.0;
    public double MuMin { get; init; } = 1e-6;
    public double MuMax { get; init; } = 1e10;

    /// <summary>Δ₀ of Tassa's μ schedule: μ grows or shrinks by an accelerating factor starting at Δ₀.</summary>
    public double MuFactor { get; init; } = 1.6;

    /// <summary>Step sizes α tried in the line search: 10^linspace(0, log10(MinStep), LineSearchSteps).</summary>
    public int LineSearchSteps { get; init; } = 11;
    public double MinStep { get; init; } = 1e-3;

    /// <summary>Accept a step when actual / expected improvement exceeds this.</summary>
    public double AcceptRatio { get; init; }

    /// <summary>Handle control limits in the backward pass (box-QP). False clamps the unconstrained step instead (for comparison only).</summary>
    public bool BoxQp { get; init; } = true;

    /// <summary>Aim each periodic goal at the 2π-copy nearest the warm start's end state (MPC); off for B1.</summary>
    public bool AlignGoal { get; init; } = true;

    /// <summary>A rollout with any |x| beyond this is a divergence.</summary>
    public double DivergenceLimit { get; init; } = 1e8;

    public void Validate()
    {
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), "at least one iteration");
        if (!(Tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(Tolerance), "tolerance must be at least 0");
        if (!(MuMin > 0 && MuInitial >= 0 && MuMax > MuMin)) throw new ArgumentOutOfRangeException(nameof(MuMax), "need 0 < mu_min < mu_max and mu_initial ≥ 0");
        if (!(MuFactor > 1)) throw new ArgumentOutOfRangeException(nameof(MuFactor), "mu factor must be above 1");
        if (LineSearchSteps < 1) throw new ArgumentOutOfRangeException(nameof(LineSearchSteps), "at least one step size");
        if (!(MinStep > 0 && MinStep <= 1)) throw new ArgumentOutOfRangeException(nameof(MinStep), "min step in (0, 1]");
    }
}
