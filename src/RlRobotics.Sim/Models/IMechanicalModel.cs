using RlRobotics.Core.Dynamics;

namespace RlRobotics.Sim.Models;

/// <summary>
/// A simulated mechanism: an <see cref="IDynamicsModel"/> whose degrees of freedom are robot joints, and which
/// can also be driven by a generalized force on every joint (actuation plus friction and disturbances), as the
/// simulated hardware needs. State layout: joint positions, joint velocities, then any extra states
/// (e.g. the odometry pose of a mobile base).
/// </summary>
public interface IMechanicalModel : IDynamicsModel
{
    /// <summary>Joint names, one per degree of freedom, in state order.</summary>
    IReadOnlyList<string> Joints { get; }

    /// <summary>Joint (degree of freedom) index driven by each element of u.</summary>
    IReadOnlyList<int> ActuatedJoints { get; }

    /// <summary>ẋ with generalized force <paramref name="tau"/> on every joint (N or N·m), instead of u.</summary>
    void DerivativeWithForces(ReadOnlySpan<double> x, ReadOnlySpan<double> tau, Span<double> xdot);

    /// <summary>Total mechanical energy, J (for conservation tests); NaN where it is not defined.</summary>
    double Energy(ReadOnlySpan<double> x);
}
