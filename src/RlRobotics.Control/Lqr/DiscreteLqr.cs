using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Numerics;

namespace RlRobotics.Control.Lqr;

/// <summary>
/// Infinite-horizon discrete LQR: minimises Σ xᵀQx + uᵀRu for x⁺ = A x + B u. The Riccati equation
/// P = Q + AᵀPA − AᵀPB (R + BᵀPB)⁻¹ BᵀPA is solved by the structure-preserving doubling algorithm, which
/// converges quadratically even at 1 kHz sampling where plain iteration needs tens of thousands of steps:
/// W = I + G H;  A ← A W⁻¹ A;  G ← G + A W⁻¹ G Aᵀ;  H ← H + Aᵀ H W⁻¹ A,  from A, G = B R⁻¹ Bᵀ, H = Q; then P = H.
/// </summary>
public static class DiscreteLqr
{
    /// <summary>Solves for P and the gain K = (R + BᵀPB)⁻¹ BᵀPA (u = −K x).</summary>
    public static (Matrix P, Matrix K) Solve(Matrix a, Matrix b, Matrix q, Matrix r, int maxIterations = 100, double tolerance = 1e-12)
    {
        var n = a.Rows;
        var ak = a;
        var g = b * r.Inverse() * b.Transpose();
        var h = q;
        var identity = Matrix.Identity(n);
        for (var k = 0; k < maxIterations; k++)
        {
            var w = (identity + g * h).Inverse();
            var aw = ak * w;
            var aNext = aw * ak;
            var gNext = g + aw * g * ak.Transpose();
            var hNext = h + ak.Transpose() * h * w * ak;
            var change = (hNext - h).MaxAbs();
            (ak, g, h) = (aNext, gNext, hNext);
            if (change <= tolerance * Math.Max(1, h.MaxAbs()))
                return (h, Gain(a, b, r, h));
        }
        throw new InvalidOperationException("the Riccati equation did not converge: is (A, B) stabilisable and Q ≥ 0, R > 0?");
    }

    /// <summary>K = (R + BᵀPB)⁻¹ BᵀPA.</summary>
    public static Matrix Gain(Matrix a, Matrix b, Matrix r, Matrix p)
    {
        var bt = b.Transpose();
        return (r + bt * p * b).Inverse() * bt * p * a;
    }

    /// <summary>
    /// Linearises x⁺ = RK4(x, u, dt) at (x*, u*) with the model's exact Jacobians and returns (A, B).
    /// </summary>
    public static (Matrix A, Matrix B) Linearise(IDynamicsModel model, double[] x, double[] u, double dt)
    {
        var n = model.StateSize;
        var m = model.ControlSize;
        var a = new Matrix(n, n);
        var b = new Matrix(n, m);
        Steppers.Create(model).StepWithJacobians(x, u, dt, new double[n], a.Data, b.Data);
        return (a, b);
    }

    /// <summary>
    /// The control that makes x* an equilibrium as nearly as possible: u* = argmin ‖f(x*, u)‖, i.e.
    /// u* = −(BᵀB)⁻¹ Bᵀ f(x*, 0) for dynamics affine in u (gravity compensation for an arm, 0 for an upright pole).
    /// </summary>
    public static double[] EquilibriumControl(IDynamicsModel model, double[] x)
    {
        var n = model.StateSize;
        var m = model.ControlSize;
        var f0 = new double[n];
        model.Derivative(x, new double[m], f0);
        var a = new double[n * n];
        var b = new Matrix(n, m);
        model.Jacobians(x, new double[m], a, b.Data);
        var bt = b.Transpose();
        var u = (bt * b).Inverse() * bt * new Matrix(n, 1, f0);
        return u.Data.Select(v => -v).ToArray();
    }
}
