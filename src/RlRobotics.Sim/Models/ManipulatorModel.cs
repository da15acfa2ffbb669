using RlRobotics.Core.Numerics;
using RlRobotics.Core.Spec;

namespace RlRobotics.Sim.Models;

/// <summary>
/// Rigid-body dynamics in manipulator form, M(q) q̈ + h(q, q̇) + b∘q̇ = τ, with τ = S u for the model's
/// controls. Subclasses give M, ∂M/∂q_k, h and its partials; this class gives f and its analytic Jacobians:
/// ∂q̈/∂q_k = −M⁻¹(∂M/∂q_k q̈ + ∂h/∂q_k),  ∂q̈/∂q̇_k = −M⁻¹(∂h/∂q̇_k + b_k e_k),  ∂q̈/∂u = M⁻¹ S.
/// </summary>
public abstract class ManipulatorModel : IMechanicalModel
{
    private const int MaxJoints = 6;
    private readonly bool[] _periodic;
    private readonly int[] _actuated;

    protected ManipulatorModel(IReadOnlyList<string> joints, IReadOnlyList<bool> periodic, IReadOnlyList<int> actuated, double[] damping)
    {
        if (joints.Count > MaxJoints) throw new ArgumentException($"at most {MaxJoints} joints");
        Joints = joints;
        N = joints.Count;
        _periodic = periodic.ToArray();
        _actuated = actuated.ToArray();
        Damping = damping;
        StateNames = joints.Select(j => InterfaceName.Of(j, InterfaceKind.Position))
            .Concat(joints.Select(j => InterfaceName.Of(j, InterfaceKind.Velocity))).ToArray();
        ControlNames = _actuated.Select(i => InterfaceName.Of(joints[i], InterfaceKind.Effort)).ToArray();
    }

    /// <summary>Degrees of freedom.</summary>
    protected int N { get; }

    /// <summary>Viscous damping per joint, N·s/m or N·m·s/rad.</summary>
    public double[] Damping { get; }

    public IReadOnlyList<string> Joints { get; }
    public IReadOnlyList<int> ActuatedJoints => _actuated;
    public int StateSize => 2 * N;
    public int ControlSize => _actuated.Length;
    public IReadOnlyList<string> StateNames { get; }
    public IReadOnlyList<string> ControlNames { get; }
    public bool IsPeriodic(int i) => i < N && _periodic[i];

    /// <summary>Mass matrix M(q), n×n row-major.</summary>
    protected abstract void MassMatrix(ReadOnlySpan<double> q, Span<double> m);

    /// <summary>∂M/∂q_k, n×n row-major.</summary>
    protected abstract void MassMatrixPartial(ReadOnlySpan<double> q, int k, Span<double> dm);

    /// <summary>Bias forces h(q, q̇): Coriolis, centrifugal and gravity (damping excluded).</summary>
    protected abstract void Bias(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, Span<double> h);

    /// <summary>∂h/∂q (n×n, column k = ∂h/∂q_k) and ∂h/∂q̇ (likewise).</summary>
    protected abstract void BiasPartials(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, Span<double> dhdq, Span<double> dhdqd);

    public abstract double Energy(ReadOnlySpan<double> x);

    public virtual void Derivative(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> xdot)
    {
        Span<double> tau = stackalloc double[N];
        tau.Clear();
        for (var i = 0; i < _actuated.Length; i++) tau[_actuated[i]] += u[i];
        DerivativeWithForces(x, tau, xdot);
    }

    public void DerivativeWithForces(ReadOnlySpan<double> x, ReadOnlySpan<double> tau, Span<double> xdot)
    {
        var n = N;
        var q = x[..n];
        var qd = x.Slice(n, n);
        Span<double> m = stackalloc double[n * n];
        Span<double> rhs = stackalloc double[n];
        MassMatrix(q, m);
        Bias(q, qd, rhs);
        for (var i = 0; i < n; i++) rhs[i] = tau[i] - rhs[i] - Damping[i] * qd[i];
        if (!Cholesky.TryFactorInPlace(m, n)) throw new InvalidOperationException("mass matrix is not positive definite");
        Cholesky.Solve(m, n, rhs);
        qd.CopyTo(xdot[..n]);
        rhs.CopyTo(xdot.Slice(n, n));
    }

    public virtual void Jacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> a, Span<double> b)
    {
        var n = N;
        var sx = 2 * n;
        var q = x[..n];
        var qd = x.Slice(n, n);
        Span<double> xdot = stackalloc double[sx];
        Derivative(x, u, xdot);
        var qdd = xdot.Slice(n, n);

        Span<double> l = stackalloc double[n * n];
        Span<double> dm = stackalloc double[n * n];
        Span<double> dhdq = stackalloc double[n * n];
        Span<double> dhdqd = stackalloc double[n * n];
        Span<double> col = stackalloc double[n];
        MassMatrix(q, l);
        if (!Cholesky.TryFactorInPlace(l, n)) throw new InvalidOperationException("mass matrix is not positive definite");
        BiasPartials(q, qd, dhdq, dhdqd);

        a[..(sx * sx)].Clear();
        b[..(sx * _actuated.Length)].Clear();
        for (var i = 0; i < n; i++) a[i * sx + n + i] = 1.0;   // ∂q/∂t = q̇

        for (var k = 0; k < n; k++)
        {
            // ∂q̈/∂q_k = −M⁻¹ (∂M/∂q_k q̈ + ∂h/∂q_k)
            MassMatrixPartial(q, k, dm);
            for (var i = 0; i < n; i++)
            {
                double s = dhdq[i * n + k];
                for (var j = 0; j < n; j++) s += dm[i * n + j] * qdd[j];
                col[i] = -s;
            }
            Cholesky.Solve(l, n, col);
            for (var i = 0; i < n; i++) a[(n + i) * sx + k] = col[i];

            // ∂q̈/∂q̇_k = −M⁻¹ (∂h/∂q̇_k + b_k e_k)
            for (var i = 0; i < n; i++) col[i] = -dhdqd[i * n + k] - (i == k ? Damping[k] : 0);
            Cholesky.Solve(l, n, col);
            for (var i = 0; i < n; i++) a[(n + i) * sx + n + k] = col[i];
        }
        var m = _actuated.Length;
        for (var c = 0; c < m; c++)
        {
            col.Clear();
            col[_actuated[c]] = 1;
            Cholesky.Solve(l, n, col);
            for (var i = 0; i < n; i++) b[(n + i) * m + c] = col[i];
        }
    }
}
