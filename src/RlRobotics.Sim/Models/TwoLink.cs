namespace RlRobotics.Sim.Models;

/// <summary>
/// Two-link planar chain parameters: link masses (kg), lengths (m), centre-of-mass distances from each
/// joint (m), inertias about the centres of mass (kg·m²), gravity (m/s²; 0 for a horizontal arm), damping.
/// Defaults are Spong's acrobot as in Drake's AcrobotParams.
/// </summary>
public sealed record TwoLinkParameters
{
    public double Mass1_kg { get; init; } = 1.0;
    public double Mass2_kg { get; init; } = 1.0;
    public double Length1_m { get; init; } = 1.0;
    public double Length2_m { get; init; } = 2.0;
    public double Com1_m { get; init; } = 0.5;
    public double Com2_m { get; init; } = 1.0;
    public double Inertia1_kgm2 { get; init; } = 0.083;
    public double Inertia2_kgm2 { get; init; } = 0.33;
    public double Gravity_mps2 { get; init; } = 9.81;
    public double Damping1 { get; init; } = 0.1;
    public double Damping2 { get; init; } = 0.1;

    /// <summary>A small torque-controlled arm: two 0.5 m, 1 kg uniform links.</summary>
    public static TwoLinkParameters Arm { get; } = new()
    {
        Mass1_kg = 1.0, Mass2_kg = 1.0, Length1_m = 0.5, Length2_m = 0.5, Com1_m = 0.25, Com2_m = 0.25,
        Inertia1_kgm2 = 1.0 * 0.5 * 0.5 / 12, Inertia2_kgm2 = 1.0 * 0.5 * 0.5 / 12, Damping1 = 0.05, Damping2 = 0.05,
    };
}

/// <summary>
/// A planar two-link chain, q = [θ1, θ2] with θ1 from the downward vertical and θ2 relative to link 1:
/// the acrobot (only the elbow actuated) and the two-link arm (both actuated). With c2 = cos θ2, s12 = sin(θ1+θ2):
/// M11 = I1 + I2 + m1 lc1² + m2 (l1² + lc2² + 2 l1 lc2 c2), M12 = I2 + m2 (lc2² + l1 lc2 c2), M22 = I2 + m2 lc2²;
/// h1 = −m2 l1 lc2 s2 (2 θ̇1 θ̇2 + θ̇2²) + g [(m1 lc1 + m2 l1) s1 + m2 lc2 s12], h2 = m2 l1 lc2 s2 θ̇1² + g m2 lc2 s12.
/// </summary>
public sealed class TwoLink : ManipulatorModel
{
    private readonly double _m1, _m2, _l1, _lc1, _lc2, _i1, _i2, _g;

    public TwoLink(TwoLinkParameters p, IReadOnlyList<string> joints, bool periodic, IReadOnlyList<int> actuated)
        : base(joints, new[] { periodic, periodic }, actuated, new[] { p.Damping1, p.Damping2 })
    {
        Parameters = p;
        (_m1, _m2, _l1, _lc1, _lc2, _i1, _i2, _g) = (p.Mass1_kg, p.Mass2_kg, p.Length1_m, p.Com1_m, p.Com2_m, p.Inertia1_kgm2, p.Inertia2_kgm2, p.Gravity_mps2);
    }

    /// <summary>Spong's acrobot: continuous joints, only the elbow actuated.</summary>
    public static TwoLink Acrobot(TwoLinkParameters p, string shoulder = "shoulder", string elbow = "elbow") =>
        new(p, new[] { shoulder, elbow }, periodic: true, actuated: new[] { 1 });

    /// <summary>A torque-controlled two-link arm with limited (revolute) joints.</summary>
    public static TwoLink Arm(TwoLinkParameters p, string shoulder = "shoulder", string elbow = "elbow") =>
        new(p, new[] { shoulder, elbow }, periodic: false, actuated: new[] { 0, 1 });

    public TwoLinkParameters Parameters { get; }

    private double K => _m2 * _l1 * _lc2;

    protected override void MassMatrix(ReadOnlySpan<double> q, Span<double> m)
    {
        var c2 = Math.Cos(q[1]);
        m[0] = _i1 + _i2 + _m1 * _lc1 * _lc1 + _m2 * (_l1 * _l1 + _lc2 * _lc2 + 2 * _l1 * _lc2 * c2);
        m[1] = m[2] = _i2 + _m2 * (_lc2 * _lc2 + _l1 * _lc2 * c2);
        m[3] = _i2 + _m2 * _lc2 * _lc2;
    }

    protected override void MassMatrixPartial(ReadOnlySpan<double> q, int k, Span<double> dm)
    {
        dm[..4].Clear();
        if (k != 1) return;
        var s2 = Math.Sin(q[1]);
        dm[0] = -2 * K * s2;
        dm[1] = dm[2] = -K * s2;
    }

    protected override void Bias(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, Span<double> h)
    {
        var s1 = Math.Sin(q[0]); var s2 = Math.Sin(q[1]); var s12 = Math.Sin(q[0] + q[1]);
        h[0] = -K * s2 * (2 * qd[0] * qd[1] + qd[1] * qd[1]) + _g * ((_m1 * _lc1 + _m2 * _l1) * s1 + _m2 * _lc2 * s12);
        h[1] = K * s2 * qd[0] * qd[0] + _g * _m2 * _lc2 * s12;
    }

    protected override void BiasPartials(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, Span<double> dhdq, Span<double> dhdqd)
    {
        var c1 = Math.Cos(q[0]); var (s2, c2) = Math.SinCos(q[1]); var c12 = Math.Cos(q[0] + q[1]);
        var g2 = _g * _m2 * _lc2 * c12;
        // column k holds ∂h/∂q_k: entry [i, k] at i*2 + k
        dhdq[0] = _g * ((_m1 * _lc1 + _m2 * _l1) * c1) + g2;
        dhdq[1] = -K * c2 * (2 * qd[0] * qd[1] + qd[1] * qd[1]) + g2;
        dhdq[2] = g2;
        dhdq[3] = K * c2 * qd[0] * qd[0] + g2;
        dhdqd[0] = -2 * K * s2 * qd[1];
        dhdqd[1] = -2 * K * s2 * (qd[0] + qd[1]);
        dhdqd[2] = 2 * K * s2 * qd[0];
        dhdqd[3] = 0;
    }

    /// <summary>Kinetic ½ q̇ᵀ M q̇ plus potential −g [(m1 lc1 + m2 l1) cos θ1 + m2 lc2 cos(θ1+θ2)].</summary>
    public override double Energy(ReadOnlySpan<double> x)
    {
        Span<double> m = stackalloc double[4];
        MassMatrix(x[..2], m);
        var kinetic = 0.5 * (m[0] * x[2] * x[2] + 2 * m[1] * x[2] * x[3] + m[3] * x[3] * x[3]);
        var potential = -_g * ((_m1 * _lc1 + _m2 * _l1) * Math.Cos(x[0]) + _m2 * _lc2 * Math.Cos(x[0] + x[1]));
        return kinetic + potential;
    }
}
