namespace RlRobotics.Sim.Models;

/// <summary>Cart-pole parameters (benchmarks.md): cart mass m_c (kg), pole point mass m_p (kg) at length l (m), gravity g (m/s²).</summary>
public sealed record CartPoleParameters
{
    public double CartMass_kg { get; init; } = 1.0;
    public double PoleMass_kg { get; init; } = 0.1;
    public double PoleLength_m { get; init; } = 0.5;
    public double Gravity_mps2 { get; init; } = 9.81;
    /// <summary>Viscous damping of the cart (N·s/m) and of the pole joint (N·m·s/rad) in the model itself.</summary>
    public double CartDamping { get; init; }
    public double PoleDamping { get; init; }
}

/// <summary>
/// Cart-pole (Tedrake, Underactuated Robotics). x = [p, θ, ṗ, θ̇] with θ = 0 hanging down, π upright;
/// u = force on the cart, N. In manipulator form:
/// M = [[m_c + m_p, m_p l cosθ], [m_p l cosθ, m_p l²]],  h = [−m_p l θ̇² sinθ, m_p g l sinθ],
/// which solves to p̈ = [u + m_p sinθ (l θ̇² + g cosθ)] / [m_c + m_p sin²θ] and
/// θ̈ = [−u cosθ − m_p l θ̇² cosθ sinθ − (m_c + m_p) g sinθ] / [l (m_c + m_p sin²θ)].
/// </summary>
public sealed class CartPole : ManipulatorModel
{
    private readonly double _mc, _mp, _l, _g;

    public CartPole(CartPoleParameters p, string cart = "cart", string pole = "pole")
        : base(new[] { cart, pole }, new[] { false, true }, new[] { 0 }, new[] { p.CartDamping, p.PoleDamping })
    {
        Parameters = p;
        (_mc, _mp, _l, _g) = (p.CartMass_kg, p.PoleMass_kg, p.PoleLength_m, p.Gravity_mps2);
    }

    public CartPoleParameters Parameters { get; }

    protected override void MassMatrix(ReadOnlySpan<double> q, Span<double> m)
    {
        var c = Math.Cos(q[1]);
        m[0] = _mc + _mp; m[1] = _mp * _l * c;
        m[2] = _mp * _l * c; m[3] = _mp * _l * _l;
    }

    protected override void MassMatrixPartial(ReadOnlySpan<double> q, int k, Span<double> dm)
    {
        dm[..4].Clear();
        if (k == 1) dm[1] = dm[2] = -_mp * _l * Math.Sin(q[1]);
    }

    protected override void Bias(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, Span<double> h)
    {
        var s = Math.Sin(q[1]);
        h[0] = -_mp * _l * qd[1] * qd[1] * s;
        h[1] = _mp * _g * _l * s;
    }

    protected override void BiasPartials(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, Span<double> dhdq, Span<double> dhdqd)
    {
        var (s, c) = Math.SinCos(q[1]);
        dhdq[..4].Clear(); dhdqd[..4].Clear();
        dhdq[0 * 2 + 1] = -_mp * _l * qd[1] * qd[1] * c;
        dhdq[1 * 2 + 1] = _mp * _g * _l * c;
        dhdqd[0 * 2 + 1] = -2 * _mp * _l * qd[1] * s;
    }

    // The planners call f and its Jacobians millions of times: the 2×2 manipulator form solved in closed form,
    // M⁻¹ = [[d, −b], [−b, a]] / det with a = m_c + m_p, b = m_p l cosθ, d = m_p l², det = m_p l² (m_c + m_p sin²θ).
    // Same equations as the generic path (the model tests check both against finite differences).

    /// <summary>ẋ = f(x, u), closed form.</summary>
    public override void Derivative(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> xdot)
    {
        var (s, c) = Math.SinCos(x[1]);
        double pd = x[2], td = x[3];
        double a = _mc + _mp, b = _mp * _l * c, d = _mp * _l * _l;
        var inv = 1.0 / (a * d - b * b);
        var r0 = u[0] + _mp * _l * td * td * s - Damping[0] * pd;   // τ − h − damping
        var r1 = -_mp * _g * _l * s - Damping[1] * td;
        xdot[3] = (a * r1 - b * r0) * inv;
        xdot[2] = (d * r0 - b * r1) * inv;
        xdot[1] = td;
        xdot[0] = pd;
    }

    /// <summary>A = ∂f/∂x and B = ∂f/∂u in closed form: ∂q̈/∂θ = −M⁻¹(∂M/∂θ q̈ + ∂h/∂θ), ∂q̈/∂q̇ = −M⁻¹(∂h/∂q̇ + diag b), ∂q̈/∂u = M⁻¹ e₀.</summary>
    public override void Jacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> jx, Span<double> ju)
    {
        var (s, c) = Math.SinCos(x[1]);
        double pd = x[2], td = x[3];
        double a = _mc + _mp, b = _mp * _l * c, d = _mp * _l * _l;
        var inv = 1.0 / (a * d - b * b);
        var r0 = u[0] + _mp * _l * td * td * s - Damping[0] * pd;
        var r1 = -_mp * _g * _l * s - Damping[1] * td;
        var tdd = (a * r1 - b * r0) * inv;
        var pdd = (d * r0 - b * r1) * inv;
        // w = ∂M/∂θ q̈ + ∂h/∂θ, with ∂M/∂θ = [[0, −m_p l s], [−m_p l s, 0]].
        var w0 = -_mp * _l * s * tdd - _mp * _l * td * td * c;
        var w1 = -_mp * _l * s * pdd + _mp * _g * _l * c;
        // ∂h/∂q̇ + diag(b): column ṗ = [b_c, 0], column θ̇ = [−2 m_p l θ̇ s, b_p].
        var v0 = -2 * _mp * _l * td * s;
        jx[..16].Clear();
        jx[2] = 1; jx[7] = 1;
        jx[9] = -(d * w0 - b * w1) * inv;
        jx[13] = -(a * w1 - b * w0) * inv;
        jx[10] = -(d * Damping[0]) * inv;
        jx[14] = -(-b * Damping[0]) * inv;
        jx[11] = -(d * v0 - b * Damping[1]) * inv;
        jx[15] = -(a * Damping[1] - b * v0) * inv;
        ju[0] = 0; ju[1] = 0;
        ju[2] = d * inv;
        ju[3] = -b * inv;
    }

    /// <summary>E = ½(m_c + m_p) ṗ² + m_p l ṗ θ̇ cosθ + ½ m_p l² θ̇² − m_p g l cosθ.</summary>
    public override double Energy(ReadOnlySpan<double> x)
    {
        var c = Math.Cos(x[1]);
        return 0.5 * (_mc + _mp) * x[2] * x[2] + _mp * _l * x[2] * x[3] * c + 0.5 * _mp * _l * _l * x[3] * x[3] - _mp * _g * _l * c;
    }
}
