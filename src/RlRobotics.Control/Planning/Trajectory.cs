namespace RlRobotics.Control.Planning;

/// <summary>How a solve ended.</summary>
public enum SolveStatus
{
    /// <summary>Not solved yet.</summary>
    None,
    /// <summary>The relative cost decrease fell below the tolerance.</summary>
    Converged,
    /// <summary>The iteration budget ran out while the cost was still falling (normal for a warm MPC step).</summary>
    IterationLimit,
    /// <summary>No step size improved the cost even with the largest regularisation: a (local) optimum or a stall.</summary>
    NoProgress,
    /// <summary>The rollout blew up (non-finite or beyond 1e8) and no usable plan exists.</summary>
    Diverged,
}

/// <summary>
/// A time-indexed plan: states x₀…x_N, controls u₀…u_{N−1} and feedback gains K₀…K_{N−1} on a grid of step
/// <see cref="Dt"/> starting at loop time <see cref="T0_ns"/>. The controller applies u = u_k + K_k (x − x_k).
/// Preallocated once; copied, never resized.
/// </summary>
public sealed class Trajectory
{
    public Trajectory(int steps, int stateSize, int controlSize)
    {
        Steps = steps;
        StateSize = stateSize;
        ControlSize = controlSize;
        X = new double[(steps + 1) * stateSize];
        U = new double[steps * controlSize];
        K = new double[steps * controlSize * stateSize];
    }

    public int Steps { get; }
    public int StateSize { get; }
    public int ControlSize { get; }

    /// <summary>States, (N+1)×n row-major.</summary>
    public double[] X { get; }

    /// <summary>Controls, N×m row-major.</summary>
    public double[] U { get; }

    /// <summary>Feedback gains, N blocks of m×n row-major (zero for the sampling planners).</summary>
    public double[] K { get; }

    /// <summary>Loop-clock time of x₀, ns.</summary>
    public long T0_ns { get; set; }

    /// <summary>Step length, s.</summary>
    public double Dt { get; set; }

    /// <summary>Cost of the plan.</summary>
    public double Cost { get; set; }

    public SolveStatus Status { get; set; }

    /// <summary>Iterations the solve that produced the plan took.</summary>
    public int Iterations { get; set; }

    /// <summary>Wall time the solve took, s.</summary>
    public double SolveTime_s { get; set; }

    /// <summary>Increases by one with every published plan (0: no plan yet).</summary>
    public long Sequence { get; set; }

    /// <summary>Whether the plan may be applied (it exists and did not diverge).</summary>
    public bool Usable => Sequence > 0 && Status is SolveStatus.Converged or SolveStatus.IterationLimit or SolveStatus.NoProgress;

    /// <summary>Loop-clock time at which the plan's last control ends, ns.</summary>
    public long End_ns => T0_ns + (long)Math.Round(Steps * Dt * 1e9);

    public Span<double> State(int k) => X.AsSpan(k * StateSize, StateSize);
    public Span<double> Control(int k) => U.AsSpan(k * ControlSize, ControlSize);
    public Span<double> Gain(int k) => K.AsSpan(k * ControlSize * StateSize, ControlSize * StateSize);

    /// <summary>Copies everything from <paramref name="other"/>, which must have the same shape.</summary>
    public void CopyFrom(Trajectory other)
    {
        if (other.Steps != Steps || other.StateSize != StateSize || other.ControlSize != ControlSize)
            throw new ArgumentException("trajectories differ in shape");
        other.X.AsSpan().CopyTo(X);
        other.U.AsSpan().CopyTo(U);
        other.K.AsSpan().CopyTo(K);
        T0_ns = other.T0_ns;
        Dt = other.Dt;
        Cost = other.Cost;
        Status = other.Status;
        Iterations = other.Iterations;
        SolveTime_s = other.SolveTime_s;
        Sequence = other.Sequence;
    }

    /// <summary>
    /// Moves the plan <paramref name="steps"/> steps forward in time: drops the first states, controls and gains and
    /// repeats the last ones at the end (shift + append warm start).
    /// </summary>
    public void Shift(int steps)
    {
        if (steps <= 0) return;
        steps = Math.Min(steps, Steps);
        int n = StateSize, m = ControlSize, g = m * n;
        X.AsSpan(steps * n).CopyTo(X);
        U.AsSpan(steps * m).CopyTo(U);
        K.AsSpan(steps * g).CopyTo(K);
        for (var k = Steps + 1 - steps; k <= Steps; k++) X.AsSpan(Steps * n - steps * n, n).CopyTo(X.AsSpan(k * n, n));
        // Where the old last control and gain now are (unmoved when the whole plan was shifted out).
        var last = steps < Steps ? Steps - 1 - steps : Steps - 1;
        for (var k = Steps - steps; k < Steps; k++)
        {
            if (k == last) continue;
            U.AsSpan(last * m, m).CopyTo(U.AsSpan(k * m, m));
            K.AsSpan(last * g, g).CopyTo(K.AsSpan(k * g, g));
        }
        T0_ns += (long)Math.Round(steps * Dt * 1e9);
    }
}
