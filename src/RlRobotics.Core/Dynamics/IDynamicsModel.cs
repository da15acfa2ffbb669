namespace RlRobotics.Core.Dynamics;

/// <summary>
/// Continuous-time dynamics ẋ = f(x, u) with analytic Jacobians. Implemented by the simulated robots and,
/// later, by learned models; LQR, iLQR and the sampling planners use only this interface.
/// All spans are caller-owned: implementations must not allocate.
/// </summary>
public interface IDynamicsModel
{
    /// <summary>Dimension n of x.</summary>
    int StateSize { get; }

    /// <summary>Dimension m of u.</summary>
    int ControlSize { get; }

    /// <summary>The state interface each element of x corresponds to, e.g. <c>cart/position</c>.</summary>
    IReadOnlyList<string> StateNames { get; }

    /// <summary>The command interface each element of u corresponds to, e.g. <c>cart/effort</c>.</summary>
    IReadOnlyList<string> ControlNames { get; }

    /// <summary>Whether x[i] is an angle whose differences wrap to [−π, π).</summary>
    bool IsPeriodic(int i);

    /// <summary>ẋ = f(x, u).</summary>
    void Derivative(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> xdot);

    /// <summary>A = ∂f/∂x (n×n, row-major) and B = ∂f/∂u (n×m, row-major) at (x, u).</summary>
    void Jacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> a, Span<double> b);
}
