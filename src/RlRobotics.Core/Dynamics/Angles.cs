namespace RlRobotics.Core.Dynamics;

/// <summary>Angle helpers.</summary>
public static class Angles
{
    /// <summary>Wraps an angle to [−π, π).</summary>
    public static double Wrap(double angle)
    {
        var a = (angle + Math.PI) % (2 * Math.PI);
        if (a < 0) a += 2 * Math.PI;
        return a - Math.PI;
    }

    /// <summary>value − goal, wrapped to [−π, π) when <paramref name="periodic"/>.</summary>
    public static double Difference(double value, double goal, bool periodic) =>
        periodic ? Wrap(value - goal) : value - goal;
}
