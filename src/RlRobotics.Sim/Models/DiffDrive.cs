using RlRobotics.Core.Spec;

namespace RlRobotics.Sim.Models;

/// <summary>Differential-drive parameters: wheel radius r (m), track width W (m), wheel inertia J (kg·m², reflected), wheel damping b.</summary>
public sealed record DiffDriveParameters
{
    public double WheelRadius_m { get; init; } = 0.05;
    public double Track_m { get; init; } = 0.30;
    public double WheelInertia_kgm2 { get; init; } = 0.01;
    public double WheelDamping { get; init; } = 0.01;
}

/// <summary>
/// A differential-drive base with torque-driven wheels and a no-slip unicycle base:
/// x = [φ_L, φ_R, ω_L, ω_R, x, y, ψ]; J ω̇ = τ − b ω;
/// ẋ = r/2 (ω_L + ω_R) cosψ, ẏ = r/2 (ω_L + ω_R) sinψ, ψ̇ = r/W (ω_R − ω_L).
/// u = wheel torques, N·m. The pose is exported as the odometry sensor's <c>x</c>, <c>y</c>, <c>yaw</c>.
/// </summary>
public sealed class DiffDrive : IMechanicalModel
{
    private readonly double _r, _w, _j, _b;

    public DiffDrive(DiffDriveParameters p, string left = "left_wheel", string right = "right_wheel", string odometry = "odom")
    {
        Parameters = p;
        (_r, _w, _j, _b) = (p.WheelRadius_m, p.Track_m, p.WheelInertia_kgm2, p.WheelDamping);
        Joints = new[] { left, right };
        StateNames = new[]
        {
            InterfaceName.Of(left, InterfaceKind.Position), InterfaceName.Of(right, InterfaceKind.Position),
            InterfaceName.Of(left, InterfaceKind.Velocity), InterfaceName.Of(right, InterfaceKind.Velocity),
            $"{odometry}/x", $"{odometry}/y", $"{odometry}/yaw",
        };
        ControlNames = new[] { InterfaceName.Of(left, InterfaceKind.Effort), InterfaceName.Of(right, InterfaceKind.Effort) };
    }

    public DiffDriveParameters Parameters { get; }
    public IReadOnlyList<string> Joints { get; }
    public IReadOnlyList<int> ActuatedJoints { get; } = new[] { 0, 1 };
    public int StateSize => 7;
    public int ControlSize => 2;
    public IReadOnlyList<string> StateNames { get; }
    public IReadOnlyList<string> ControlNames { get; }
    public bool IsPeriodic(int i) => i is 0 or 1 or 6;

    public void Derivative(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> xdot) => DerivativeWithForces(x, u, xdot);

    public void DerivativeWithForces(ReadOnlySpan<double> x, ReadOnlySpan<double> tau, Span<double> xdot)
    {
        var (wl, wr, psi) = (x[2], x[3], x[6]);
        var v = _r / 2 * (wl + wr);
        xdot[0] = wl;
        xdot[1] = wr;
        xdot[2] = (tau[0] - _b * wl) / _j;
        xdot[3] = (tau[1] - _b * wr) / _j;
        xdot[4] = v * Math.Cos(psi);
        xdot[5] = v * Math.Sin(psi);
        xdot[6] = _r / _w * (wr - wl);
    }

    public void Jacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> a, Span<double> b)
    {
        const int n = 7;
        a[..(n * n)].Clear();
        b[..(n * 2)].Clear();
        var (wl, wr, psi) = (x[2], x[3], x[6]);
        var (s, c) = Math.SinCos(psi);
        var v = _r / 2 * (wl + wr);
        a[0 * n + 2] = 1;
        a[1 * n + 3] = 1;
        a[2 * n + 2] = -_b / _j;
        a[3 * n + 3] = -_b / _j;
        a[4 * n + 2] = a[4 * n + 3] = _r / 2 * c;
        a[4 * n + 6] = -v * s;
        a[5 * n + 2] = a[5 * n + 3] = _r / 2 * s;
        a[5 * n + 6] = v * c;
        a[6 * n + 2] = -_r / _w;
        a[6 * n + 3] = _r / _w;
        b[2 * 2 + 0] = 1 / _j;
        b[3 * 2 + 1] = 1 / _j;
    }

    /// <summary>Kinetic energy of the wheels, ½ J (ω_L² + ω_R²).</summary>
    public double Energy(ReadOnlySpan<double> x) => 0.5 * _j * (x[2] * x[2] + x[3] * x[3]);
}
