using RlRobotics.Core.Numerics;

namespace RlRobotics.Control.Planning;

/// <summary>How a box-QP solve ended.</summary>
public enum BoxQpResult
{
    /// <summary>H (restricted to the free set) is not positive definite: the caller must regularise more.</summary>
    NotPositiveDefinite,
    /// <summary>Every dimension is at a bound with the gradient pushing outwards.</summary>
    AllClamped,
    /// <summary>The projected gradient vanished.</summary>
    SmallGradient,
    /// <summary>The relative improvement became negligible.</summary>
    SmallImprovement,
    /// <summary>The line search found no acceptable step, or the iteration budget ran out.</summary>
    Stalled,
}

/// <summary>
/// Projected-Newton box-constrained QP (Tassa, Mansard &amp; Todorov, ICRA 2014):
/// min ½ xᵀ H x + gᵀ x subject to lo ≤ x ≤ hi. A dimension is clamped when it sits on a bound with the gradient
/// pointing out; Newton steps are taken in the free subspace with an Armijo projected line search, and the free
/// block of H is re-factorised only when the clamped set changes. After a solve, <see cref="FreeCount"/>,
/// <see cref="Free"/> and <see cref="FreeFactor"/> (Cholesky of H_ff) give the DDP feedback on the free set.
/// Allocation-free after construction; for the small control dimensions of a robot (m ≲ 20).
/// </summary>
public sealed class BoxQp
{
    private readonly int _m;
    private readonly double[] _grad, _search, _candidate, _factor, _rhs;
    private readonly int[] _free;
    private readonly bool[] _clamped, _previousClamped;

    public BoxQp(int dimension)
    {
        _m = dimension;
        _grad = new double[dimension];
        _search = new double[dimension];
        _candidate = new double[dimension];
        _rhs = new double[dimension];
        _factor = new double[dimension * dimension];
        _free = new int[dimension];
        _clamped = new bool[dimension];
        _previousClamped = new bool[dimension];
    }

    public int MaxIterations { get; init; } = 100;
    public double MinGradient { get; init; } = 1e-8;
    public double MinRelativeImprovement { get; init; } = 1e-8;
    public double StepDecrease { get; init; } = 0.6;
    public double MinStep { get; init; } = 1e-22;
    public double Armijo { get; init; } = 0.1;

    /// <summary>Number of free (unclamped) dimensions at the solution.</summary>
    public int FreeCount { get; private set; }

    /// <summary>Indices of the free dimensions, first <see cref="FreeCount"/> entries.</summary>
    public ReadOnlySpan<int> Free => _free.AsSpan(0, FreeCount);

    /// <summary>Cholesky factor L of H restricted to the free set (FreeCount×FreeCount, row-major).</summary>
    public ReadOnlySpan<double> FreeFactor => _factor.AsSpan(0, FreeCount * FreeCount);

    /// <summary>Whether dimension i ended clamped.</summary>
    public bool IsClamped(int i) => _clamped[i];

    /// <summary>
    /// Solves the QP. <paramref name="x"/> holds the warm start on entry and the solution on exit.
    /// </summary>
    public BoxQpResult Solve(ReadOnlySpan<double> h, ReadOnlySpan<double> g, ReadOnlySpan<double> lo, ReadOnlySpan<double> hi, Span<double> x)
    {
        var m = _m;
        for (var i = 0; i < m; i++) x[i] = double.IsFinite(x[i]) ? Math.Clamp(x[i], lo[i], hi[i]) : Math.Clamp(0, lo[i], hi[i]);
        var value = Value(h, g, x);
        var result = BoxQpResult.Stalled;
        FreeCount = 0;
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            // ∇ = g + H x; clamped where a bound is active and the gradient pushes outwards.
            for (var i = 0; i < m; i++)
            {
                double s = g[i];
                for (var j = 0; j < m; j++) s += h[i * m + j] * x[j];
                _grad[i] = s;
            }
            var changed = iteration == 0;
            var free = 0;
            for (var i = 0; i < m; i++)
            {
                var c = (x[i] <= lo[i] && _grad[i] > 0) || (x[i] >= hi[i] && _grad[i] < 0);
                if (c != _previousClamped[i]) changed = true;
                _clamped[i] = c;
                if (!c) _free[free++] = i;
            }
            if (free == 0) { FreeCount = 0; result = BoxQpResult.AllClamped; break; }
            if (changed)
            {
                FreeCount = free;
                for (var a = 0; a < free; a++)
                    for (var b = 0; b < free; b++) _factor[a * free + b] = h[_free[a] * m + _free[b]];
                if (!Cholesky.TryFactorInPlace(_factor.AsSpan(0, free * free), free)) return BoxQpResult.NotPositiveDefinite;
            }
            _clamped.AsSpan().CopyTo(_previousClamped);

            double gradNorm = 0;
            for (var a = 0; a < free; a++) gradNorm += _grad[_free[a]] * _grad[_free[a]];
            if (Math.Sqrt(gradNorm) < MinGradient) { result = BoxQpResult.SmallGradient; break; }

            // Newton step on the free set with the clamped dimensions held: x_f ← −H_ff⁻¹ (g + H x_c)_f.
            for (var a = 0; a < free; a++)
            {
                var i = _free[a];
                double s = g[i];
                for (var j = 0; j < m; j++) if (_clamped[j]) s += h[i * m + j] * x[j];
                _rhs[a] = s;
            }
            Cholesky.Solve(_factor.AsSpan(0, free * free), free, _rhs.AsSpan(0, free));
            _search.AsSpan(0, m).Clear();
            for (var a = 0; a < free; a++) _search[_free[a]] = -_rhs[a] - x[_free[a]];
            double slope = 0;
            for (var i = 0; i < m; i++) slope += _search[i] * _grad[i];
            if (slope >= 0) break; // no descent left (round-off)

            // Projected Armijo line search.
            var step = 1.0;
            double candidateValue;
            while (true)
            {
                for (var i = 0; i < m; i++) _candidate[i] = Math.Clamp(x[i] + step * _search[i], lo[i], hi[i]);
                candidateValue = Value(h, g, _candidate);
                if ((candidateValue - value) / (step * slope) >= Armijo) break;
                step *= StepDecrease;
                if (step < MinStep) return result;
            }
            var improvement = Math.Abs(value - candidateValue) / (Math.Abs(value) + 1e-300);
            _candidate.AsSpan(0, m).CopyTo(x);
            value = candidateValue;
            if (improvement < MinRelativeImprovement) { result = BoxQpResult.SmallImprovement; break; }
        }
        return result;
    }

    private double Value(ReadOnlySpan<double> h, ReadOnlySpan<double> g, ReadOnlySpan<double> x)
    {
        var m = _m;
        double v = 0;
        for (var i = 0; i < m; i++)
        {
            double hx = 0;
            for (var j = 0; j < m; j++) hx += h[i * m + j] * x[j];
            v += x[i] * (g[i] + 0.5 * hx);
        }
        return v;
    }
}
