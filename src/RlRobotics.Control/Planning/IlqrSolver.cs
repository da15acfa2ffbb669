using System.Diagnostics;
using RlRobotics.Core.Dynamics;

namespace RlRobotics.Control.Planning;

/// <summary>
/// Iterative LQR / DDP with control limits (Li &amp; Todorov 2004; Tassa, Erez &amp; Todorov 2012; Tassa, Mansard &amp;
/// Todorov 2014). Each iteration:
/// <list type="number">
/// <item>linearises x_{k+1} = RK4(x_k, u_k, dt) with exact Jacobians (chain rule through the four stages);</item>
/// <item>backward pass: Q_x = ℓ_x + Aᵀ V_x, Q_u = ℓ_u + Bᵀ V_x, Q_xx = ℓ_xx + Aᵀ V_xx A, Q_uu = ℓ_uu + Bᵀ V_xx B,
/// Q_ux = Bᵀ V_xx A; the step k = argmin ½ δuᵀ (Q_uu + μI) δu + Q_uᵀ δu within the control box (box-QP), and
/// K = −(Q_uu + μI)_ff⁻¹ Q_ux on the free rows, zero on the clamped ones;
/// V_x = Q_x + Kᵀ Q_uu k + Kᵀ Q_u + Q_uxᵀ k, V_xx = Q_xx + Kᵀ Q_uu K + Kᵀ Q_ux + Q_uxᵀ K;</item>
/// <item>line search over α: u = ū + α k + K (x − x̄), accepted when actual / expected improvement
/// ΔJ(α) = −α (dV₁ + α dV₂) exceeds <see cref="IlqrOptions.AcceptRatio"/>;</item>
/// <item>μ follows Tassa's schedule: up on a failed backward pass or line search, down after a success.</item>
/// </list>
/// Every buffer is allocated in the constructor; <see cref="Solve"/> allocates nothing.
/// </summary>
public sealed class IlqrSolver : IPlanner
{
    private readonly PlanningProblem _problem;
    private readonly TrajectoryCost _cost;
    private readonly IStepper _rk4;
    private readonly int _n, _m, _steps;
    private readonly double _dt;
    private readonly Trajectory _solution;
    private readonly double[] _xNew, _uNew, _a, _b, _kff, _kNew, _alphas, _history;
    private readonly double[] _vx, _vxx, _qx, _qu, _qxx, _quu, _quuReg, _qux, _va, _vb, _lx, _lxx, _lu, _luu, _lo, _hi, _col, _xNext;
    private readonly BoxQp _qp;
    private double _mu, _delta, _dv1, _dv2;
    private int _historyCount;
    private bool _trackingGains;

    public IlqrSolver(PlanningProblem problem, IlqrOptions? options = null)
    {
        Options = options ?? new IlqrOptions();
        Options.Validate();
        _problem = problem;
        _cost = problem.Cost.Clone();
        _cost.WrapAngles = false; // DDP needs a smooth cost; MPC aligns the goal instead
        _rk4 = Steppers.Create(problem.Model);
        _n = problem.StateSize;
        _m = problem.ControlSize;
        _steps = problem.Steps;
        _dt = problem.Dt;
        int n = _n, m = _m, N = _steps;
        _solution = new Trajectory(N, n, m) { Dt = _dt };
        _xNew = new double[(N + 1) * n];
        _uNew = new double[N * m];
        _a = new double[N * n * n];
        _b = new double[N * n * m];
        _kff = new double[N * m];
        _kNew = new double[N * m * n];
        _alphas = new double[Options.LineSearchSteps];
        for (var i = 0; i < _alphas.Length; i++)
            _alphas[i] = _alphas.Length == 1 ? 1 : Math.Pow(10, Math.Log10(Options.MinStep) * i / (_alphas.Length - 1));
        _history = new double[Options.MaxIterations + 1];
        _vx = new double[n]; _vxx = new double[n * n]; _qx = new double[n]; _qu = new double[m];
        _qxx = new double[n * n]; _quu = new double[m * m]; _quuReg = new double[m * m]; _qux = new double[m * n];
        _va = new double[n * n]; _vb = new double[n * m];
        _lx = new double[n]; _lxx = new double[n]; _lu = new double[m]; _luu = new double[m];
        _lo = new double[m]; _hi = new double[m]; _col = new double[m]; _xNext = new double[n];
        _qp = new BoxQp(m);
        Reset();
    }

    public string Name => "ilqr";
    public IlqrOptions Options { get; }
    public PlanningProblem Problem => _problem;
    public Trajectory Solution => _solution;

    /// <summary>The cost the solver minimises (its goal moves with <see cref="IlqrOptions.AlignGoal"/>).</summary>
    public TrajectoryCost Cost => _cost;

    /// <summary>Current regularisation μ.</summary>
    public double Mu => _mu;

    /// <summary>Cost before the first and after every accepted iteration of the last solve.</summary>
    public ReadOnlySpan<double> CostHistory => _history.AsSpan(0, _historyCount);

    public void Reset()
    {
        _problem.ResetToHoldingControl(_solution);
        Array.Clear(_kff);
        _mu = Options.MuInitial;
        _delta = 1;
        _solution.Status = SolveStatus.None;
    }

    public SolveStatus Solve(ReadOnlySpan<double> x0, int maxIterations)
    {
        var started = Stopwatch.GetTimestamp();
        var sol = _solution;
        _historyCount = 0;
        // Re-roll the warm start through its own feedback from the new initial state: u = ū + K (x − x̄).
        var cost = Rollout(x0, sol.X, sol.U, sol.K, sol.X, sol.U, 0.0);
        if (Options.AlignGoal)
        {
            _cost.AlignGoal(sol.State(_steps));
            cost = TrajectoryCostOf(sol.X, sol.U);
        }
        if (!double.IsFinite(cost))
        {
            // The warm start blew up: fall back to a cold start once.
            Reset();
            cost = Rollout(x0, sol.X, sol.U, sol.K, sol.X, sol.U, 0.0);
            if (!double.IsFinite(cost)) return Finish(SolveStatus.Diverged, double.NaN, 0, started);
        }
        _history[_historyCount++] = cost;

        var status = SolveStatus.IterationLimit;
        var iterations = 0;
        var jacobiansCurrent = false;
        while (iterations < maxIterations)
        {
            iterations++;
            if (!jacobiansCurrent) { ComputeJacobians(); jacobiansCurrent = true; }

            // Backward pass, raising μ until Q_uu + μI is positive definite on the free set.
            var backwardOk = false;
            while (!backwardOk)
            {
                backwardOk = BackwardPass();
                if (!backwardOk && !IncreaseMu()) return Finish(SolveStatus.NoProgress, cost, iterations, started);
            }

            // Tassa's gradient test: the step is negligible next to the controls while barely regularised.
            if (_mu < 1e-5 && RelativeStep() < Options.GradientTolerance) { status = SolveStatus.Converged; break; }

            // Line search on the actual / expected improvement.
            var accepted = false;
            double newCost = cost;
            foreach (var alpha in _alphas)
            {
                newCost = ForwardPass(x0, alpha);
                var expected = -alpha * (_dv1 + alpha * _dv2);
                var ratio = expected > 0 ? (cost - newCost) / expected : Math.Sign(cost - newCost);
                if (double.IsFinite(newCost) && newCost < cost && ratio > Options.AcceptRatio) { accepted = true; break; }
            }

            if (!accepted)
            {
                if (!IncreaseMu()) { status = SolveStatus.NoProgress; break; }
                continue;
            }

            // Accept: the candidate becomes the nominal; the gains of this backward pass go with it.
            _xNew.AsSpan().CopyTo(sol.X);
            _uNew.AsSpan().CopyTo(sol.U);
            _kNew.AsSpan().CopyTo(sol.K);
            jacobiansCurrent = false;
            DecreaseMu();
            var relative = (cost - newCost) / Math.Max(Math.Abs(cost), 1e-300);
            cost = newCost;
            _history[Math.Min(_historyCount, _history.Length - 1)] = cost;
            _historyCount = Math.Min(_historyCount + 1, _history.Length);
            if (relative < Options.Tolerance) { status = SolveStatus.Converged; break; }
        }
        return Finish(status, cost, iterations, started);
    }

    // max over k of |k_k| / (|ū_k| + 1), averaged over the horizon as in iLQG.m.
    private double RelativeStep()
    {
        double sum = 0;
        for (var k = 0; k < _steps; k++)
        {
            double worst = 0;
            for (var c = 0; c < _m; c++) worst = Math.Max(worst, Math.Abs(_kff[k * _m + c]) / (Math.Abs(_solution.U[k * _m + c]) + 1));
            sum += worst;
        }
        return sum / _steps;
    }

    private SolveStatus Finish(SolveStatus status, double cost, int iterations, long started)
    {
        _solution.Status = status;
        _solution.Cost = cost;
        _solution.Iterations = iterations;
        _solution.SolveTime_s = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return status;
    }

    /// <summary>
    /// Time-varying LQR gains along someone else's plan (a sampling planner's): linearise along its states and
    /// controls, run one backward pass, and write K into <paramref name="plan"/>. False when no regularisation up to
    /// μ_max made Q_uu positive definite (the plan keeps zero gains).
    /// </summary>
    public bool ComputeFeedback(Trajectory plan)
    {
        plan.X.AsSpan().CopyTo(_solution.X);
        plan.U.AsSpan().CopyTo(_solution.U);
        ComputeJacobians();
        _mu = Options.MuMin;
        _delta = 1;
        // Gains for tracking, not a step: K = −Q_uu⁻¹ Q_ux even where the (possibly far from optimal) plan's step
        // would hit the box, which the box-QP answers with zero gains. The controller's shaper clamps anyway.
        _trackingGains = true;
        try
        {
            while (!BackwardPass())
            {
                if (!IncreaseMu()) { Array.Clear(plan.K); return false; }
            }
        }
        finally { _trackingGains = false; }
        _kNew.AsSpan().CopyTo(plan.K);
        return true;
    }

    /// <summary>Cost of (x, u) under the solver's current goal.</summary>
    public double TrajectoryCostOf(ReadOnlySpan<double> x, ReadOnlySpan<double> u)
    {
        double j = 0;
        for (var k = 0; k < _steps; k++) j += _cost.Running(x.Slice(k * _n, _n), u.Slice(k * _m, _m));
        return j + _cost.Terminal(x.Slice(_steps * _n, _n));
    }

    // Closed-loop rollout from x0: u_k = clamp(ū_k + α k_k + K_k (x_k − x̄_k)), x_{k+1} = RK4(x_k, u_k).
    // Returns the cost, or +∞ when the trajectory leaves the divergence limit. Output may alias the nominal.
    private double Rollout(ReadOnlySpan<double> x0, double[] xBar, double[] uBar, double[] gains, double[] xOut, double[] uOut, double alpha)
    {
        int n = _n, m = _m;
        var limit = Options.DivergenceLimit;
        x0.CopyTo(_xNext);
        double j = 0;
        for (var k = 0; k < _steps; k++)
        {
            var x = xOut.AsSpan(k * n, n);
            var xb = xBar.AsSpan(k * n, n);
            // x̄_k is read before x_k overwrites it (they may alias).
            for (var c = 0; c < m; c++)
            {
                var v = uBar[k * m + c] + alpha * _kff[k * m + c];
                var g = k * m * n + c * n;
                for (var i = 0; i < n; i++) v += gains[g + i] * (_xNext[i] - xb[i]);
                _col[c] = Math.Clamp(v, _problem.ControlMin[c], _problem.ControlMax[c]);
            }
            _xNext.AsSpan().CopyTo(x);
            var u = uOut.AsSpan(k * m, m);
            _col.AsSpan(0, m).CopyTo(u);
            j += _cost.Running(x, u);
            _rk4.Step(x, u, _dt, _xNext);
            for (var i = 0; i < n; i++) if (!(Math.Abs(_xNext[i]) <= limit)) return double.PositiveInfinity;
        }
        _xNext.AsSpan().CopyTo(xOut.AsSpan(_steps * n, n));
        return j + _cost.Terminal(_xNext);
    }

    /// <summary>Line-search rollout with step <paramref name="alpha"/> into the candidate buffers; returns its cost (public for the benchmarks).</summary>
    public double ForwardPass(ReadOnlySpan<double> x0, double alpha) =>
        Rollout(x0, _solution.X, _solution.U, _kNew, _xNew, _uNew, alpha);

    /// <summary>A_k, B_k along the nominal trajectory (public for the benchmarks).</summary>
    public void ComputeJacobians()
    {
        int n = _n, m = _m;
        var x = _solution.X;
        var u = _solution.U;
        for (var k = 0; k < _steps; k++)
            _rk4.StepWithJacobians(x.AsSpan(k * n, n), u.AsSpan(k * m, m), _dt, _xNext, _a.AsSpan(k * n * n, n * n), _b.AsSpan(k * n * m, n * m));
    }

    /// <summary>
    /// The backward pass with the current μ; false when Q_uu + μI is not positive definite somewhere
    /// (public for the benchmarks). Fills k, K, and the expected-improvement terms dV₁ = Σ kᵀQ_u, dV₂ = Σ ½ kᵀQ_uu k.
    /// </summary>
    public unsafe bool BackwardPass()
    {
        int n = _n, m = _m;
        var x = _solution.X;
        var u = _solution.U;
        _cost.TerminalDerivatives(x.AsSpan(_steps * n, n), _vx, _lxx);
        Array.Clear(_vxx);
        for (var i = 0; i < n; i++) _vxx[i * n + i] = _lxx[i];
        _dv1 = 0; _dv2 = 0;

        fixed (double* vx = _vx, vxx = _vxx, qx = _qx, qu = _qu, qxx = _qxx, quu = _quu, qux = _qux, va = _va, vb = _vb,
               lx = _lx, lxx = _lxx, lu = _lu, luu = _luu, col = _col, pa = _a, pb = _b, pk = _kff, pK = _kNew)
        {
            for (var k = _steps - 1; k >= 0; k--)
            {
                var uk = u.AsSpan(k * m, m);
                _cost.RunningDerivatives(x.AsSpan(k * n, n), uk, _lx, _lxx, _lu, _luu);
                var a = pa + k * n * n;
                var b = pb + k * n * m;

                // VA = V_xx A, VB = V_xx B.
                for (var i = 0; i < n; i++)
                {
                    var vrow = vxx + i * n;
                    for (var j = 0; j < n; j++)
                    {
                        double s = 0;
                        for (var t = 0; t < n; t++) s += vrow[t] * a[t * n + j];
                        va[i * n + j] = s;
                    }
                    for (var j = 0; j < m; j++)
                    {
                        double s = 0;
                        for (var t = 0; t < n; t++) s += vrow[t] * b[t * m + j];
                        vb[i * m + j] = s;
                    }
                }
                // Q_x = ℓ_x + Aᵀ V_x, Q_xx = ℓ_xx + Aᵀ VA;  Q_u = ℓ_u + Bᵀ V_x, Q_uu = ℓ_uu + Bᵀ VB;  Q_ux = Bᵀ VA.
                Expand(a, va, n, n, lx, lxx, vx, qx, qxx);
                Expand(b, vb, n, m, lu, luu, vx, qu, quu);
                for (var c = 0; c < m; c++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        double q = 0;
                        for (var t = 0; t < n; t++) q += b[t * m + c] * va[t * n + j];
                        qux[c * n + j] = q;
                    }
                }

                // The step k and the gains K, on the regularised Q_uu + μI.
                for (var i = 0; i < m * m; i++) _quuReg[i] = quu[i];
                for (var c = 0; c < m; c++) _quuReg[c * m + c] += _mu;
                var kk = pk + k * m;
                var gains = pK + k * m * n;
                if (!Step(uk, new Span<double>(kk, m), new Span<double>(gains, m * n))) return false;

                // V_x = Q_x + Kᵀ (Q_uu k + Q_u) + Q_uxᵀ k;  dV₁ += kᵀ Q_u, dV₂ += ½ kᵀ Q_uu k.
                for (var c = 0; c < m; c++)
                {
                    double quuk = 0;
                    for (var d = 0; d < m; d++) quuk += quu[c * m + d] * kk[d];
                    _dv1 += kk[c] * qu[c];
                    _dv2 += 0.5 * kk[c] * quuk;
                    col[c] = quuk + qu[c];
                }
                for (var i = 0; i < n; i++)
                {
                    double s = qx[i];
                    for (var c = 0; c < m; c++) s += gains[c * n + i] * col[c] + qux[c * n + i] * kk[c];
                    vx[i] = s;
                }
                // V_xx = Q_xx + Kᵀ (Q_uu K + Q_ux) + Q_uxᵀ K, with VA reused for (Q_uu K + Q_ux) (m×n).
                for (var c = 0; c < m; c++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        double s = qux[c * n + j];
                        for (var d = 0; d < m; d++) s += quu[c * m + d] * gains[d * n + j];
                        va[c * n + j] = s;
                    }
                }
                for (var i = 0; i < n; i++)
                {
                    for (var j = i; j < n; j++)
                    {
                        double s = qxx[i * n + j];
                        for (var c = 0; c < m; c++) s += gains[c * n + i] * va[c * n + j] + qux[c * n + i] * gains[c * n + j];
                        vxx[i * n + j] = s;
                        vxx[j * n + i] = s;
                    }
                }
            }
        }
        return true;
    }

    // g = ℓ + Mᵀ v and H = diag(ℓ₂) + Mᵀ W (symmetric), for M = A (cols = n) or B (cols = m), W = V_xx M.
    private static unsafe void Expand(double* mat, double* w, int rows, int cols, double* l, double* l2, double* v, double* g, double* h)
    {
        for (var c = 0; c < cols; c++)
        {
            double s = l[c];
            for (var t = 0; t < rows; t++) s += mat[t * cols + c] * v[t];
            g[c] = s;
            for (var d = c; d < cols; d++)
            {
                double q = 0;
                for (var t = 0; t < rows; t++) q += mat[t * cols + c] * w[t * cols + d];
                h[c * cols + d] = q;
                h[d * cols + c] = q;
            }
            h[c * cols + c] += l2[c];
        }
    }

    // k and K at one step. With the box-QP: k solves the QP within [u_min − ū, u_max − ū] (warm-started from the
    // previous k); K is −H_ff⁻¹ Q_ux on the free rows and 0 on the clamped ones.
    private bool Step(ReadOnlySpan<double> uk, Span<double> kk, Span<double> gains)
    {
        int n = _n, m = _m;
        if (_trackingGains) return UnconstrainedStep(kk, gains);
        if (Options.BoxQp && m == 1)
        {
            // One control: the box-QP is a clamped scalar Newton step; a clamped control gets no feedback.
            var h = _quuReg[0];
            if (!(h > 0)) return false;
            var lo = _problem.ControlMin[0] - uk[0];
            var hi = _problem.ControlMax[0] - uk[0];
            var step = -_qu[0] / h;
            if (step <= lo || step >= hi)
            {
                kk[0] = Math.Clamp(step, lo, hi);
                gains.Clear();
            }
            else
            {
                kk[0] = step;
                for (var j = 0; j < n; j++) gains[j] = -_qux[j] / h;
            }
            return true;
        }
        if (Options.BoxQp)
        {
            for (var c = 0; c < m; c++) { _lo[c] = _problem.ControlMin[c] - uk[c]; _hi[c] = _problem.ControlMax[c] - uk[c]; }
            var result = _qp.Solve(_quuReg, _qu, _lo, _hi, kk);
            if (result == BoxQpResult.NotPositiveDefinite) return false;
            gains.Clear();
            var free = _qp.Free;
            var factor = _qp.FreeFactor;
            var f = free.Length;
            for (var j = 0; j < n; j++)
            {
                for (var a = 0; a < f; a++) _col[a] = _qux[free[a] * n + j];
                Core.Numerics.Cholesky.Solve(factor, f, _col.AsSpan(0, f));
                for (var a = 0; a < f; a++) gains[free[a] * n + j] = -_col[a];
            }
            return true;
        }

        // Unconstrained: k = −H⁻¹ Q_u, K = −H⁻¹ Q_ux; only the rollout clamps.
        return UnconstrainedStep(kk, gains);
    }

    private bool UnconstrainedStep(Span<double> kk, Span<double> gains)
    {
        int n = _n, m = _m;
        Span<double> l = stackalloc double[m * m];
        _quuReg.AsSpan().CopyTo(l);
        if (!Core.Numerics.Cholesky.TryFactorInPlace(l, m)) return false;
        for (var c = 0; c < m; c++) kk[c] = -_qu[c];
        Core.Numerics.Cholesky.Solve(l, m, kk);
        Span<double> col = stackalloc double[m];
        for (var j = 0; j < n; j++)
        {
            for (var c = 0; c < m; c++) col[c] = -_qux[c * n + j];
            Core.Numerics.Cholesky.Solve(l, m, col);
            for (var c = 0; c < m; c++) gains[c * n + j] = col[c];
        }
        return true;
    }

    // Tassa 2012: Δ ← max(Δ₀, Δ·Δ₀), μ ← max(μ_min, μ·Δ). False when μ passes μ_max.
    private bool IncreaseMu()
    {
        var f = Options.MuFactor;
        _delta = Math.Max(f, _delta * f);
        _mu = Math.Max(Options.MuMin, _mu * _delta);
        return _mu <= Options.MuMax;
    }

    // Δ ← min(1/Δ₀, Δ/Δ₀), μ ← μ·Δ, or 0 once below μ_min.
    private void DecreaseMu()
    {
        var f = Options.MuFactor;
        _delta = Math.Min(1 / f, _delta / f);
        _mu *= _delta;
        if (_mu < Options.MuMin) _mu = 0;
    }
}
