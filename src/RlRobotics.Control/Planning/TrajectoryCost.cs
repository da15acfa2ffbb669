namespace RlRobotics.Control.Planning;

/// <summary>
/// The planning cost J = Σₖ s·[½ eₖᵀ Q eₖ + ½ (uₖ − u*)ᵀ R (uₖ − u*) + Σ c(xₖ)] + ½ e_Nᵀ Q_f e_N + Σ c(x_N),
/// with e = x − x*, diagonal weights, and s the running scale (the step dt when the running cost is an integral,
/// as in benchmark B1). The state bounds c are penalties or relaxed barriers (<see cref="StateConstraint"/>).
/// Every Hessian is diagonal, which the solvers exploit.
/// </summary>
/// <remarks>
/// Angles: the error is a plain difference, so the cost is smooth for gradient solvers; MPC first moves the goal
/// of each periodic coordinate to the 2π-copy nearest the plan (<see cref="AlignGoal"/>). Sampling planners need
/// no gradients and may set <see cref="WrapAngles"/> to measure angle errors on the circle instead.
/// Not thread-safe to mutate; evaluation is read-only and safe from several threads.
/// </remarks>
public sealed class TrajectoryCost
{
    private readonly double[] _goal, _baseGoal, _uGoal, _q, _r, _qf;
    private readonly bool[] _periodic;
    private readonly StateConstraint[] _constraints;

    /// <param name="goal">x*, in the model's state order.</param>
    /// <param name="controlGoal">u*, the control that holds x* (zero for an upright pole, gravity compensation for an arm).</param>
    /// <param name="q">Diagonal of Q.</param>
    /// <param name="r">Diagonal of R.</param>
    /// <param name="qf">Diagonal of Q_f.</param>
    /// <param name="runningScale">s: the plan step dt when the running cost approximates an integral, else 1.</param>
    /// <param name="periodic">Which state coordinates are angles.</param>
    /// <param name="constraints">State bounds.</param>
    public TrajectoryCost(double[] goal, double[] controlGoal, double[] q, double[] r, double[] qf, double runningScale,
        bool[] periodic, IReadOnlyList<StateConstraint>? constraints = null)
    {
        if (q.Length != goal.Length || qf.Length != goal.Length || periodic.Length != goal.Length)
            throw new ArgumentException("goal, q, qf and periodic must have one entry per state");
        if (r.Length != controlGoal.Length) throw new ArgumentException("r and the control goal must have one entry per control");
        _goal = (double[])goal.Clone();
        _baseGoal = (double[])goal.Clone();
        _uGoal = (double[])controlGoal.Clone();
        _q = (double[])q.Clone();
        _r = (double[])r.Clone();
        _qf = (double[])qf.Clone();
        _periodic = (bool[])periodic.Clone();
        RunningScale = runningScale;
        _constraints = constraints?.ToArray() ?? Array.Empty<StateConstraint>();
    }

    public int StateSize => _goal.Length;
    public int ControlSize => _uGoal.Length;
    public double RunningScale { get; }
    public ReadOnlySpan<double> Goal => _goal;
    public ReadOnlySpan<double> ControlGoal => _uGoal;
    public IReadOnlyList<StateConstraint> Constraints => _constraints;

    /// <summary>Measure periodic errors on the circle, wrapped to [−π, π) (not smooth at ±π; for sampling planners only).</summary>
    public bool WrapAngles { get; set; }

    /// <summary>
    /// Moves the goal of every periodic coordinate to the copy x*ᵢ + 2πk nearest <paramref name="reference"/>ᵢ,
    /// so a plan ending near −π aims for −π rather than swinging a whole turn to +π.
    /// </summary>
    public void AlignGoal(ReadOnlySpan<double> reference)
    {
        for (var i = 0; i < _goal.Length; i++)
        {
            if (!_periodic[i]) continue;
            var turns = Math.Round((reference[i] - _baseGoal[i]) / (2 * Math.PI));
            _goal[i] = _baseGoal[i] + 2 * Math.PI * turns;
        }
    }

    /// <summary>Running cost ℓ(x, u), already multiplied by the running scale.</summary>
    public double Running(ReadOnlySpan<double> x, ReadOnlySpan<double> u)
    {
        double v = 0;
        for (var i = 0; i < _q.Length; i++) { var e = Error(x, i); v += _q[i] * e * e; }
        for (var j = 0; j < _r.Length; j++) { var e = u[j] - _uGoal[j]; v += _r[j] * e * e; }
        v *= 0.5;
        foreach (var c in _constraints) v += c.Value(x[c.Index]);
        return RunningScale * v;
    }

    /// <summary>Terminal cost ℓ_f(x).</summary>
    public double Terminal(ReadOnlySpan<double> x)
    {
        double v = 0;
        for (var i = 0; i < _qf.Length; i++) { var e = Error(x, i); v += _qf[i] * e * e; }
        v *= 0.5;
        foreach (var c in _constraints) v += c.Value(x[c.Index]);
        return v;
    }

    /// <summary>ℓ_x, diag ℓ_xx, ℓ_u, diag ℓ_uu of the running cost (ℓ_ux = 0).</summary>
    public void RunningDerivatives(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> lx, Span<double> lxx, Span<double> lu, Span<double> luu)
    {
        var s = RunningScale;
        for (var i = 0; i < _q.Length; i++) { lx[i] = _q[i] * (x[i] - _goal[i]); lxx[i] = _q[i]; }
        foreach (var c in _constraints) c.Accumulate(x[c.Index], ref lx[c.Index], ref lxx[c.Index]);
        for (var i = 0; i < _q.Length; i++) { lx[i] *= s; lxx[i] *= s; }
        for (var j = 0; j < _r.Length; j++) { lu[j] = s * _r[j] * (u[j] - _uGoal[j]); luu[j] = s * _r[j]; }
    }

    /// <summary>ℓ_f,x and diag ℓ_f,xx.</summary>
    public void TerminalDerivatives(ReadOnlySpan<double> x, Span<double> lx, Span<double> lxx)
    {
        for (var i = 0; i < _qf.Length; i++) { lx[i] = _qf[i] * (x[i] - _goal[i]); lxx[i] = _qf[i]; }
        foreach (var c in _constraints) c.Accumulate(x[c.Index], ref lx[c.Index], ref lxx[c.Index]);
    }

    private double Error(ReadOnlySpan<double> x, int i)
    {
        var e = x[i] - _goal[i];
        if (WrapAngles && _periodic[i])
        {
            e %= 2 * Math.PI;
            if (e >= Math.PI) e -= 2 * Math.PI;
            else if (e < -Math.PI) e += 2 * Math.PI;
        }
        return e;
    }

    /// <summary>The same cost with another running scale (a planner on a different step).</summary>
    public TrajectoryCost WithRunningScale(double runningScale) =>
        new(_baseGoal, _uGoal, _q, _r, _qf, runningScale, _periodic, _constraints) { WrapAngles = WrapAngles };

    /// <summary>A copy that can be mutated independently (each planner owns its own cost).</summary>
    public TrajectoryCost Clone() => WithRunningScale(RunningScale);
}
