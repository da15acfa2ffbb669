using RlRobotics.Core.Expressions;

namespace RlRobotics.Learning.Envs;

/// <summary>How an environment advances the model over one step.</summary>
public enum Integrator
{
    /// <summary>Classic RK4 over <see cref="EnvTask.Substeps"/> sub-steps.</summary>
    Rk4,
    /// <summary>q̇ ← q̇ + q̈ dt (then the velocity clip), q ← q + q̇ dt: Gymnasium's Pendulum-v1 integrator.</summary>
    SemiImplicitEuler,
}

/// <summary>
/// A hard state constraint for the shield and the violation count: <see cref="Violation"/> &gt; 0 means the state broke
/// it; <see cref="Barrier"/> h(x) ≥ 0 is the safe set the shield keeps invariant (for a position bound, the distance left
/// after braking at the declared deceleration).
/// </summary>
public sealed record HardConstraint(string Description, Expression Violation, Expression Barrier);

/// <summary>
/// A learning task over a simulated robot, from the robot file's <c>task</c> section: what the policy observes, the
/// reward and cost per step (expressions over the state x before the step, the applied action and <c>next(...)</c>, the
/// state after), the episode, the cost limit and the hard constraints. Expressions read source 0 = x, 1 = u, 2 = x⁺.
/// </summary>
public sealed record EnvTask
{
    public required IReadOnlyList<string> StateNames { get; init; }
    public required IReadOnlyList<string> ActionNames { get; init; }
    public required IReadOnlyList<Expression> Observation { get; init; }
    public required Expression Reward { get; init; }
    /// <summary>Cost per step; null when the task declares none (every cost is then 0).</summary>
    public Expression? Cost { get; init; }
    /// <summary>Ends the episode early (terminal, no bootstrap) when nonzero.</summary>
    public Expression? Terminate { get; init; }
    /// <summary>Limit d on the mean undiscounted episode cost; NaN when none is declared.</summary>
    public double CostLimit { get; init; } = double.NaN;
    public required int EpisodeSteps { get; init; }
    /// <summary>The policy's step, s.</summary>
    public required double Dt_s { get; init; }
    public Integrator Integrator { get; init; } = Integrator.Rk4;
    public int Substeps { get; init; } = 1;
    /// <summary>Per state: |x_i| is clipped to this after each step (velocity limits when <c>clip_velocity</c>); +∞ elsewhere.</summary>
    public required double[] StateClip { get; init; }
    /// <summary>Initial state drawn uniformly in [low, high] per element.</summary>
    public required double[] InitialLow { get; init; }
    public required double[] InitialHigh { get; init; }
    /// <summary>Physical action bounds (the joints' effort limits); the policy's ±1 maps onto them.</summary>
    public required double[] ActionLow { get; init; }
    public required double[] ActionHigh { get; init; }
    public IReadOnlyList<HardConstraint> Constraints { get; init; } = Array.Empty<HardConstraint>();
    /// <summary>Shield decay γ ∈ (0, 1]: each step must keep h(x⁺) ≥ (1 − γ) h(x).</summary>
    public double ShieldDecay { get; init; } = 0.2;

    public int StateSize => StateNames.Count;
    public int ActionSize => ActionNames.Count;
    public int ObservationSize => Observation.Count;
    public bool HasCost => Cost is not null;

    /// <summary>Physical action from a normalised one: clip to ±1, then map onto [low, high].</summary>
    public double ToPhysical(int j, double normalised)
    {
        var a = Math.Clamp(normalised, -1.0, 1.0);
        return ActionLow[j] + (a + 1) * 0.5 * (ActionHigh[j] - ActionLow[j]);
    }

    /// <summary>Normalised action from a physical one.</summary>
    public double ToNormalised(int j, double physical) => 2 * (physical - ActionLow[j]) / (ActionHigh[j] - ActionLow[j]) - 1;
}
