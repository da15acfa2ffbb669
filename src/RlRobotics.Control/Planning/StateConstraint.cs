namespace RlRobotics.Control.Planning;

/// <summary>How a state bound enters the cost.</summary>
public enum ConstraintKind
{
    /// <summary>Quadratic penalty on the violation, ½ w · max(0, x − max)²: zero inside the bounds.</summary>
    Penalty,

    /// <summary>
    /// Relaxed log-barrier on the slack z (Hauser &amp; Saccon 2006): −w ln z for z &gt; δ, continued by the
    /// quadratic w [½((z − 2δ)/δ)² − ½ − ln δ] below δ, so it stays finite and smooth when the bound is violated.
    /// </summary>
    Barrier,
}

/// <summary>
/// A bound on one state coordinate, min ≤ x[i] ≤ max, turned into a smooth cost term with diagonal Hessian.
/// </summary>
/// <param name="Index">State index.</param>
/// <param name="Name">State interface name, for reports.</param>
/// <param name="Min">Lower bound in the state's unit, or −∞.</param>
/// <param name="Max">Upper bound in the state's unit, or +∞.</param>
/// <param name="Kind">Penalty or barrier.</param>
/// <param name="Weight">w.</param>
/// <param name="Delta">δ of the relaxed barrier (slack below which it turns quadratic), in the state's unit.</param>
public sealed record StateConstraint(int Index, string Name, double Min, double Max, ConstraintKind Kind, double Weight, double Delta)
{
    /// <summary>The term's value at state coordinate <paramref name="x"/>.</summary>
    public double Value(double x)
    {
        double v = 0;
        if (double.IsFinite(Max)) v += Term(Max - x);
        if (double.IsFinite(Min)) v += Term(x - Min);
        return v;
    }

    /// <summary>Adds the first and second derivatives with respect to x[i] to <paramref name="dx"/> and <paramref name="dxx"/>.</summary>
    public void Accumulate(double x, ref double dx, ref double dxx)
    {
        // The slack z is Max − x (dz/dx = −1) or x − Min (dz/dx = +1).
        if (double.IsFinite(Max)) { var (d1, d2) = Derivatives(Max - x); dx -= d1; dxx += d2; }
        if (double.IsFinite(Min)) { var (d1, d2) = Derivatives(x - Min); dx += d1; dxx += d2; }
    }

    private double Term(double z)
    {
        if (Kind == ConstraintKind.Penalty) return z >= 0 ? 0 : 0.5 * Weight * z * z;
        if (z > Delta) return -Weight * Math.Log(z);
        var t = (z - 2 * Delta) / Delta;
        return Weight * (0.5 * t * t - 0.5 - Math.Log(Delta));
    }

    // d/dz and d²/dz² of the term.
    private (double D1, double D2) Derivatives(double z)
    {
        if (Kind == ConstraintKind.Penalty) return z >= 0 ? (0, 0) : (Weight * z, Weight);
        if (z > Delta) return (-Weight / z, Weight / (z * z));
        return (Weight * (z - 2 * Delta) / (Delta * Delta), Weight / (Delta * Delta));
    }
}
