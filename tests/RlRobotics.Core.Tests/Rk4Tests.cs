using RlRobotics.Core.Dynamics;

namespace RlRobotics.Core.Tests;

public class Rk4Tests
{
    /// <summary>A coupled nonlinear test system: ẋ0 = x1, ẋ1 = −sin x0 + u0 x1 − 0.3 x1 + u1², ẋ2 = x0 x1 + cos u0.</summary>
    private sealed class Toy : IDynamicsModel
    {
        public int StateSize => 3;
        public int ControlSize => 2;
        public IReadOnlyList<string> StateNames { get; } = new[] { "a/position", "a/velocity", "b/position" };
        public IReadOnlyList<string> ControlNames { get; } = new[] { "a/effort", "b/effort" };
        public bool IsPeriodic(int i) => false;

        public void Derivative(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> d)
        {
            d[0] = x[1];
            d[1] = -Math.Sin(x[0]) + u[0] * x[1] - 0.3 * x[1] + u[1] * u[1];
            d[2] = x[0] * x[1] + Math.Cos(u[0]);
        }

        public void Jacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> a, Span<double> b)
        {
            a.Clear(); b.Clear();
            a[0 * 3 + 1] = 1;
            a[1 * 3 + 0] = -Math.Cos(x[0]); a[1 * 3 + 1] = u[0] - 0.3;
            a[2 * 3 + 0] = x[1]; a[2 * 3 + 1] = x[0];
            b[1 * 2 + 0] = x[1]; b[1 * 2 + 1] = 2 * u[1];
            b[2 * 2 + 0] = -Math.Sin(u[0]);
        }
    }

    [Fact]
    public void Step_jacobians_match_central_differences()
    {
        var rk = new Rk4(new Toy());
        double[] x = { 0.7, -0.4, 0.2 }, u = { 0.3, -0.8 };
        const double h = 0.05, eps = 1e-6;
        var next = new double[3];
        var ad = new double[9];
        var bd = new double[6];
        rk.StepWithJacobians(x, u, h, next, ad, bd);

        var plain = new double[3];
        rk.Step(x, u, h, plain);
        Assert.Equal(plain, next);

        var up = new double[3]; var down = new double[3];
        for (var j = 0; j < 3; j++)
        {
            var xp = (double[])x.Clone(); xp[j] += eps;
            var xm = (double[])x.Clone(); xm[j] -= eps;
            rk.Step(xp, u, h, up); rk.Step(xm, u, h, down);
            for (var i = 0; i < 3; i++) Assert.Equal((up[i] - down[i]) / (2 * eps), ad[i * 3 + j], 7);
        }
        for (var j = 0; j < 2; j++)
        {
            var upU = (double[])u.Clone(); upU[j] += eps;
            var dnU = (double[])u.Clone(); dnU[j] -= eps;
            rk.Step(x, upU, h, up); rk.Step(x, dnU, h, down);
            for (var i = 0; i < 3; i++) Assert.Equal((up[i] - down[i]) / (2 * eps), bd[i * 2 + j], 7);
        }
    }

    [Fact]
    public void Step_is_fourth_order_accurate()
    {
        // ẋ = −x has x(t) = e^{−t}; halving h cuts the global error by about 2⁴.
        var model = new Linear();
        double Error(int steps)
        {
            var rk = new Rk4(model);
            double[] x = { 1 }, n = new double[1];
            for (var k = 0; k < steps; k++) { rk.Step(x, Array.Empty<double>(), 1.0 / steps, n); x[0] = n[0]; }
            return Math.Abs(x[0] - Math.Exp(-1));
        }
        var ratio = Error(10) / Error(20);
        Assert.InRange(ratio, 14, 18);
    }

    private sealed class Linear : IDynamicsModel
    {
        public int StateSize => 1;
        public int ControlSize => 0;
        public IReadOnlyList<string> StateNames { get; } = new[] { "x/position" };
        public IReadOnlyList<string> ControlNames { get; } = Array.Empty<string>();
        public bool IsPeriodic(int i) => false;
        public void Derivative(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> d) => d[0] = -x[0];
        public void Jacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> a, Span<double> b) => a[0] = -1;
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(Math.PI, -Math.PI)]
    [InlineData(3 * Math.PI / 2, -Math.PI / 2)]
    [InlineData(-7.0, -7.0 + 2 * Math.PI)]
    public void Wrap_maps_into_minus_pi_to_pi(double angle, double expected) => Assert.Equal(expected, Angles.Wrap(angle), 12);
}
