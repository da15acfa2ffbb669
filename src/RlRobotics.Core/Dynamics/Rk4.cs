namespace RlRobotics.Core.Dynamics;

/// <summary>
/// Classic fourth-order Runge–Kutta step of an <see cref="IDynamicsModel"/>, and its exact Jacobians by the
/// chain rule through the four stages (not finite differences). Scratch is allocated once per instance.
/// Not thread-safe: one instance per thread.
/// </summary>
public sealed class Rk4 : IStepper
{
    private readonly IDynamicsModel _model;
    private readonly int _n, _m;
    private readonly double[] _k1, _k2, _k3, _k4, _xs;
    private readonly double[] _a, _b, _dkx, _dku, _dkxPrev, _dkuPrev;

    public Rk4(IDynamicsModel model)
    {
        _model = model;
        _n = model.StateSize;
        _m = model.ControlSize;
        _k1 = new double[_n]; _k2 = new double[_n]; _k3 = new double[_n]; _k4 = new double[_n]; _xs = new double[_n];
        _a = new double[_n * _n]; _b = new double[_n * _m];
        _dkx = new double[_n * _n]; _dku = new double[_n * _m];
        _dkxPrev = new double[_n * _n]; _dkuPrev = new double[_n * _m];
    }

    public IDynamicsModel Model => _model;

    /// <summary>x⁺ = x + h/6 (k1 + 2k2 + 2k3 + k4).</summary>
    public void Step(ReadOnlySpan<double> x, ReadOnlySpan<double> u, double h, Span<double> next)
    {
        var n = _n;
        _model.Derivative(x, u, _k1);
        for (var i = 0; i < n; i++) _xs[i] = x[i] + 0.5 * h * _k1[i];
        _model.Derivative(_xs, u, _k2);
        for (var i = 0; i < n; i++) _xs[i] = x[i] + 0.5 * h * _k2[i];
        _model.Derivative(_xs, u, _k3);
        for (var i = 0; i < n; i++) _xs[i] = x[i] + h * _k3[i];
        _model.Derivative(_xs, u, _k4);
        for (var i = 0; i < n; i++) next[i] = x[i] + h / 6.0 * (_k1[i] + 2 * _k2[i] + 2 * _k3[i] + _k4[i]);
    }

    /// <summary>
    /// The step and its Jacobians Ad = ∂x⁺/∂x (n×n) and Bd = ∂x⁺/∂u (n×m):
    /// ∂k1 = [A1, B1]; ∂k2 = A2 (I + h/2 ∂k1) + [0, B2]; ∂k3 = A3 (I + h/2 ∂k2) + [0, B3];
    /// ∂k4 = A4 (I + h ∂k3) + [0, B4]; Ad = I + h/6 (∂k1 + 2∂k2 + 2∂k3 + ∂k4)_x, likewise Bd without I.
    /// </summary>
    public void StepWithJacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, double h, Span<double> next, Span<double> ad, Span<double> bd)
    {
        var n = _n; var m = _m;
        // Stage 1
        _model.Derivative(x, u, _k1);
        _model.Jacobians(x, u, _dkx, _dku);
        for (var i = 0; i < n * n; i++) ad[i] = _dkx[i];
        for (var i = 0; i < n * m; i++) bd[i] = _dku[i];
        // Stages 2–4 share one shape: x_s = x + c·h·k_prev, ∂k = A_s (I + c h ∂k_prev) + [0, B_s].
        StageWithJacobian(x, u, _k1, 0.5 * h, _k2, ad, bd, 2.0);
        StageWithJacobian(x, u, _k2, 0.5 * h, _k3, ad, bd, 2.0);
        StageWithJacobian(x, u, _k3, h, _k4, ad, bd, 1.0);
        for (var i = 0; i < n; i++) next[i] = x[i] + h / 6.0 * (_k1[i] + 2 * _k2[i] + 2 * _k3[i] + _k4[i]);
        for (var i = 0; i < n * n; i++) ad[i] *= h / 6.0;
        for (var i = 0; i < n; i++) ad[i * n + i] += 1.0;
        for (var i = 0; i < n * m; i++) bd[i] *= h / 6.0;
    }

    // Computes the next stage k from kPrev (whose Jacobians are in _dkx/_dku), then accumulates
    // weight·∂k into (ad, bd) and leaves ∂k in _dkx/_dku for the following stage:
    // ∂k_x = A_s + c A_s ∂kPrev_x,  ∂k_u = B_s + c A_s ∂kPrev_u.
    // Pointer loops: this is the innermost kernel of iLQR (three calls per step, N steps per iteration).
    private unsafe void StageWithJacobian(ReadOnlySpan<double> x, ReadOnlySpan<double> u, double[] kPrev, double c, double[] k,
        Span<double> ad, Span<double> bd, double weight)
    {
        int n = _n, m = _m;
        var xs = _xs;
        for (var i = 0; i < n; i++) xs[i] = x[i] + c * kPrev[i];
        _model.Derivative(xs, u, k);
        _model.Jacobians(xs, u, _a, _b);
        fixed (double* a = _a, b = _b, dkx = _dkx, dku = _dku, nx = _dkxPrev, nu = _dkuPrev, pad = ad, pbd = bd)
        {
            // Row-axpy form (row_i += a_it · row_t): the inner loop has no dependency chain, so it pipelines.
            for (var i = 0; i < n; i++)
            {
                var arow = a + i * n;
                var xrow = nx + i * n;
                var urow = nu + i * m;
                for (var j = 0; j < n; j++) xrow[j] = 0;
                for (var j = 0; j < m; j++) urow[j] = 0;
                for (var t = 0; t < n; t++)
                {
                    var w = c * arow[t];
                    var srcx = dkx + t * n;
                    for (var j = 0; j < n; j++) xrow[j] += w * srcx[j];
                    var srcu = dku + t * m;
                    for (var j = 0; j < m; j++) urow[j] += w * srcu[j];
                }
                for (var j = 0; j < n; j++) xrow[j] += arow[j];
                for (var j = 0; j < m; j++) urow[j] += b[i * m + j];
            }
            for (var i = 0; i < n * n; i++) { var v = nx[i]; dkx[i] = v; pad[i] += weight * v; }
            for (var i = 0; i < n * m; i++) { var v = nu[i]; dku[i] = v; pbd[i] += weight * v; }
        }
    }
}
