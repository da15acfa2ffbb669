using RlRobotics.Core.Dynamics;
using RlRobotics.Sim.Models;

namespace RlRobotics.Sim.Tests;

public class ModelTests
{
    public static TheoryData<string> Models() => new("pendulum", "cartpole", "acrobot", "arm2", "diffdrive");

    internal static IMechanicalModel Create(string name) => name switch
    {
        "pendulum" => new Pendulum(new PendulumParameters { Damping = 0.2 }),
        "cartpole" => new CartPole(new CartPoleParameters { CartDamping = 0.1, PoleDamping = 0.05 }),
        "acrobot" => TwoLink.Acrobot(new TwoLinkParameters()),
        "arm2" => TwoLink.Arm(TwoLinkParameters.Arm),
        _ => new DiffDrive(new DiffDriveParameters()),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Analytic_jacobians_match_central_differences(string name)
    {
        var model = Create(name);
        int n = model.StateSize, m = model.ControlSize;
        var random = new Random(42);
        var a = new double[n * n]; var b = new double[n * m];
        var fp = new double[n]; var fm = new double[n];
        for (var trial = 0; trial < 20; trial++)
        {
            var x = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            var u = Enumerable.Range(0, m).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            model.Jacobians(x, u, a, b);
            const double eps = 1e-6;
            for (var j = 0; j < n; j++)
            {
                var xp = (double[])x.Clone(); xp[j] += eps;
                var xm = (double[])x.Clone(); xm[j] -= eps;
                model.Derivative(xp, u, fp); model.Derivative(xm, u, fm);
                for (var i = 0; i < n; i++)
                    Assert.True(Math.Abs((fp[i] - fm[i]) / (2 * eps) - a[i * n + j]) < 1e-5 * (1 + Math.Abs(a[i * n + j])),
                        $"{name}: ∂f{i}/∂x{j} analytic {a[i * n + j]} vs numeric {(fp[i] - fm[i]) / (2 * eps)} at trial {trial}");
            }
            for (var j = 0; j < m; j++)
            {
                var up = (double[])u.Clone(); up[j] += eps;
                var um = (double[])u.Clone(); um[j] -= eps;
                model.Derivative(x, up, fp); model.Derivative(x, um, fm);
                for (var i = 0; i < n; i++)
                    Assert.True(Math.Abs((fp[i] - fm[i]) / (2 * eps) - b[i * m + j]) < 1e-5 * (1 + Math.Abs(b[i * m + j])),
                        $"{name}: ∂f{i}/∂u{j} analytic {b[i * m + j]} vs numeric");
            }
        }
    }

    [Fact]
    public void Cartpole_matches_the_benchmark_closed_form()
    {
        var model = new CartPole(new CartPoleParameters());
        const double mc = 1.0, mp = 0.1, l = 0.5, g = 9.81;
        var random = new Random(7);
        var xdot = new double[4];
        for (var k = 0; k < 50; k++)
        {
            double[] x = { random.NextDouble() - 0.5, random.NextDouble() * 6.3, random.NextDouble() * 2 - 1, random.NextDouble() * 6 - 3 };
            var u = random.NextDouble() * 20 - 10;
            model.Derivative(x, new[] { u }, xdot);
            var (s, c) = Math.SinCos(x[1]);
            var pdd = (u + mp * s * (l * x[3] * x[3] + g * c)) / (mc + mp * s * s);
            var tdd = (-u * c - mp * l * x[3] * x[3] * c * s - (mc + mp) * g * s) / (l * (mc + mp * s * s));
            Assert.Equal(pdd, xdot[2], 10);
            Assert.Equal(tdd, xdot[3], 10);
        }
    }

    [Fact]
    public void Pendulum_matches_the_benchmark_equation()
    {
        var model = new Pendulum(new PendulumParameters());
        var xdot = new double[2];
        model.Derivative(new[] { 0.4, 1.0 }, new[] { 1.5 }, xdot);
        Assert.Equal(3 * 10.0 / 2 * Math.Sin(0.4) + 3 * 1.5, xdot[1], 12);
    }

    [Theory]
    [InlineData("pendulum")]
    [InlineData("cartpole")]
    [InlineData("acrobot")]
    public void Undamped_unforced_motion_conserves_energy(string name)
    {
        IMechanicalModel model = name switch
        {
            "pendulum" => new Pendulum(new PendulumParameters()),
            "cartpole" => new CartPole(new CartPoleParameters()),
            _ => TwoLink.Acrobot(new TwoLinkParameters { Damping1 = 0, Damping2 = 0 }),
        };
        var rk = new Rk4(model);
        var x = new double[model.StateSize];
        x[0] = 1.0; x[model.StateSize / 2] = 0.5;
        if (model.StateSize == 4) x[1] = 2.0;
        var next = new double[x.Length];
        var u = new double[model.ControlSize];
        var e0 = model.Energy(x);
        for (var k = 0; k < 5000; k++) { rk.Step(x, u, 0.001, next); next.CopyTo(x, 0); }
        Assert.True(Math.Abs(model.Energy(x) - e0) < 1e-7 * (1 + Math.Abs(e0)), $"{name}: energy drifted from {e0} to {model.Energy(x)}");
    }

    [Fact]
    public void Damping_dissipates_energy()
    {
        var model = TwoLink.Arm(TwoLinkParameters.Arm);
        var rk = new Rk4(model);
        double[] x = { 1.0, -0.5, 0, 0 }, next = new double[4], u = new double[2];
        var e0 = model.Energy(x);
        for (var k = 0; k < 2000; k++) { rk.Step(x, u, 0.001, next); next.CopyTo(x, 0); }
        Assert.True(model.Energy(x) < e0 - 1e-3);
    }

    [Fact]
    public void Diffdrive_drives_straight_with_equal_wheel_speeds()
    {
        var model = new DiffDrive(new DiffDriveParameters());
        var rk = new Rk4(model);
        double[] x = { 0, 0, 10, 10, 0, 0, 0 }, next = new double[7], u = { 0.1, 0.1 }; // b ω = 0.1 N·m holds the speed
        for (var k = 0; k < 1000; k++) { rk.Step(x, u, 0.001, next); next.CopyTo(x, 0); }
        Assert.Equal(0.05 * 10 * 1.0, x[4], 6);
        Assert.Equal(0, x[5], 9);
        Assert.Equal(0, x[6], 9);
    }
}
