namespace RlRobotics.Control.Mpc;

/// <summary>What the controller does when it has no plan it may apply.</summary>
public enum FallbackKind
{
    /// <summary>Infinite-horizon LQR about the task goal (needs the model; good near the goal).</summary>
    Lqr,
    /// <summary>PD hold of every actuated joint where it was when the fallback began.</summary>
    Hold,
    /// <summary>Every joint's own safe behaviour: zero effort, zero velocity, or hold position.</summary>
    Stop,
}

/// <summary>Why the controller is not applying a plan this cycle.</summary>
public enum FallbackReason
{
    None,
    /// <summary>No plan has been published yet.</summary>
    NoPlan,
    /// <summary>The newest plan is older than <see cref="MpcOptions.MaxPlanAge_s"/> or has run past its horizon.</summary>
    StalePlan,
    /// <summary>The newest solve diverged.</summary>
    Diverged,
    /// <summary>The planner thread died (an exception, or it was killed).</summary>
    PlannerDead,
    /// <summary>The planner did not answer within the lockstep timeout (simulated clock only).</summary>
    PlannerUnresponsive,
}

/// <summary>Receding-horizon settings (the robot file's <c>agent.mpc</c>).</summary>
public sealed record MpcOptions
{
    /// <summary>Loop time between replans, s.</summary>
    public double ReplanPeriod_s { get; init; } = 0.02;

    /// <summary>Solver iterations per replan (warm-started).</summary>
    public int IterationsPerReplan { get; init; } = 3;

    /// <summary>Iterations of the cold solve before the loop starts.</summary>
    public int InitialIterations { get; init; } = 200;

    /// <summary>
    /// Actuation latency to compensate, s: each cycle the controller predicts the state this far ahead with the
    /// model and the commands still in flight, plans from there and indexes the plan at that time.
    /// </summary>
    public double Latency_s { get; init; }

    /// <summary>A plan older than this (loop time since its first state) is not applied, s; null: the plan's horizon.</summary>
    public double? MaxPlanAge_s { get; init; }

    public FallbackKind Fallback { get; init; } = FallbackKind.Stop;

    /// <summary>
    /// Zero-order hold, s: compute a command only every this long and hold it in between (null: every loop cycle).
    /// A model learned in discrete time needs it, so the loop applies controls exactly as the model saw them in its data.
    /// </summary>
    public double? HoldPeriod_s { get; init; }

    /// <summary>
    /// Simulated clock: the loop hands each replan request to the planner and waits for the plan, so runs are
    /// deterministic. Wall clock (false): the planner runs free on its own thread and period.
    /// </summary>
    public bool Lockstep { get; init; }

    /// <summary>Lockstep only: wall time to wait for a plan before declaring the planner unresponsive, s.</summary>
    public double LockstepTimeout_s { get; init; } = 10;
}
