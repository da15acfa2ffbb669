namespace RlRobotics.Sim.Models;

/// <summary>Pendulum parameters (benchmarks.md, Gymnasium Pendulum-v1): uniform rod of mass m (kg), length l (m), gravity g (m/s²).</summary>
public sealed record PendulumParameters
{
    public double Mass_kg { get; init; } = 1.0;
    public double Length_m { get; init; } = 1.0;
    public double Gravity_mps2 { get; init; } = 10.0;
    /// <summary>Viscous damping at the pivot, N·m·s/rad.</summary>
    public double Damping { get; init; }
}

/// <summary>
/// Pendulum with θ = 0 upright: θ̈ = 3g/(2l) sinθ + 3/(m l²) u, i.e. M = m l²/3, h = −m g (l/2) sinθ.
/// x = [θ, θ̇], u = torque, N·m.
/// </summary>
public sealed class Pendulum : ManipulatorModel
{
    private readonly double _m, _l, _g;

    public Pendulum(PendulumParameters p, string joint = "pendulum")
        : base(new[] { joint }, new[] { true }, new[] { 0 }, new[] { p.Damping })
    {
        Parameters = p;
        (_m, _l, _g) = (p.Mass_kg, p.Length_m, p.Gravity_mps2);
    }

    public PendulumParameters Parameters { get; }

    protected override void MassMatrix(ReadOnlySpan<double> q, Span<double> m) => m[0] = _m * _l * _l / 3;
    protected override void MassMatrixPartial(ReadOnlySpan<double> q, int k, Span<double> dm) => dm[0] = 0;
    protected override void Bias(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, Span<double> h) => h[0] = -_m * _g * _l / 2 * Math.Sin(q[0]);

    protected override void BiasPartials(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, Span<double> dhdq, Span<double> dhdqd)
    {
        dhdq[0] = -_m * _g * _l / 2 * Math.Cos(q[0]);
        dhdqd[0] = 0;
    }

    /// <summary>E = ½ (m l²/3) θ̇² + m g (l/2) cosθ.</summary>
    public override double Energy(ReadOnlySpan<double> x) => 0.5 * _m * _l * _l / 3 * x[1] * x[1] + _m * _g * _l / 2 * Math.Cos(x[0]);
}
