namespace RlRobotics.Control.Mpc;

/// <summary>A state to plan from, stamped with the loop time it holds for (preallocated, reused).</summary>
public sealed class PlanRequest
{
    public PlanRequest(int stateSize) => State = new double[stateSize];

    /// <summary>x at <see cref="Time_ns"/>, model state order.</summary>
    public double[] State { get; }

    /// <summary>Loop-clock time of <see cref="State"/>, ns.</summary>
    public long Time_ns { get; set; }
}
