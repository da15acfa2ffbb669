using RlRobotics.Core.Spec;

namespace RlRobotics.Control.Controllers;

/// <summary>
/// Keeps a controller's own output inside the joint's declared limits (effort, velocity, position, effort rate),
/// so a well-behaved controller never needs the safety filter. The filter still checks everything afterwards.
/// </summary>
public sealed class CommandShaper
{
    private readonly double _lo, _hi, _rate;
    private double _previous;

    public CommandShaper(JointSpec joint, InterfaceKind kind)
    {
        var l = joint.Limits;
        (_lo, _hi) = kind switch
        {
            InterfaceKind.Effort => (-(l.Effort ?? double.PositiveInfinity), l.Effort ?? double.PositiveInfinity),
            InterfaceKind.Velocity => (-(l.Velocity ?? double.PositiveInfinity), l.Velocity ?? double.PositiveInfinity),
            _ => (joint.Soft?.Lower ?? l.PositionMin ?? double.NegativeInfinity, joint.Soft?.Upper ?? l.PositionMax ?? double.PositiveInfinity),
        };
        _rate = kind switch
        {
            InterfaceKind.Effort => l.EffortRate ?? double.PositiveInfinity,
            InterfaceKind.Velocity => l.Acceleration ?? double.PositiveInfinity,
            _ => double.PositiveInfinity,
        };
    }

    /// <summary>Sets the value the rate limit starts from.</summary>
    public void Reset(double value) => _previous = value;

    /// <summary>Clamps <paramref name="value"/> to the limits and the rate limit over <paramref name="dt"/> seconds.</summary>
    public double Shape(double value, double dt)
    {
        var v = Math.Clamp(value, _lo, _hi);
        if (double.IsFinite(_rate)) v = Math.Clamp(v, _previous - _rate * dt, _previous + _rate * dt);
        _previous = v;
        return v;
    }
}
