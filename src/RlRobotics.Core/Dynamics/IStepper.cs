namespace RlRobotics.Core.Dynamics;

/// <summary>
/// One discrete step x⁺ = F(x, u; h) of a model, and its Jacobians. <see cref="Rk4"/> discretises a continuous model;
/// a model learned in discrete time supplies its own (<see cref="IDiscreteDynamicsModel"/>). Instances carry scratch:
/// one per thread. Implementations must not allocate.
/// </summary>
public interface IStepper
{
    /// <summary>x⁺ = F(x, u; h).</summary>
    void Step(ReadOnlySpan<double> x, ReadOnlySpan<double> u, double h, Span<double> next);

    /// <summary>x⁺, Ad = ∂x⁺/∂x (n×n, row-major) and Bd = ∂x⁺/∂u (n×m, row-major).</summary>
    void StepWithJacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, double h, Span<double> next, Span<double> ad, Span<double> bd);
}

/// <summary>
/// A model defined in discrete time at a fixed step (a learned model predicts x⁺ − x over <see cref="Dt_s"/>).
/// Its <see cref="IDynamicsModel.Derivative"/> is the forward-Euler reading (x⁺ − x) / Dt, so continuous-time users
/// still work; planners step it with its own <see cref="CreateStepper"/> instead of RK4.
/// </summary>
public interface IDiscreteDynamicsModel : IDynamicsModel
{
    /// <summary>The step the model was built for, s; stepping with another h is an error.</summary>
    double Dt_s { get; }

    /// <summary>A stepper with its own scratch (one per thread).</summary>
    IStepper CreateStepper();
}

/// <summary>How particles move through a stochastic ensemble model (Chua et al. 2018, PETS).</summary>
public enum ParticlePropagation
{
    /// <summary>TS-1: each particle is handed to a random member at every step.</summary>
    Ts1,
    /// <summary>TS-∞: each particle keeps one member for the whole rollout.</summary>
    TsInfinity,
    /// <summary>No sampling: every particle follows the members' mean prediction (deterministic).</summary>
    Mean,
}

/// <summary>A model that propagates many particles per call, with its own batched kernels (learned ensembles).</summary>
public interface IParticleDynamicsModel : IDiscreteDynamicsModel
{
    /// <summary>A propagator for up to <paramref name="maxRows"/> particles per step, with its own scratch and seeded noise.</summary>
    IParticlePropagator CreatePropagator(int maxRows, ParticlePropagation mode, int seed);
}

/// <summary>Batched particle propagation: rows of x [rows, n] and u [rows, m] to x⁺ [rows, n]. Allocation-free.</summary>
public interface IParticlePropagator
{
    /// <summary>Starts a new set of rollouts (TS-∞ draws each row's member here).</summary>
    void BeginRollouts(int rows);

    /// <summary>One step of <paramref name="rows"/> particles.</summary>
    void Step(ReadOnlySpan<double> x, ReadOnlySpan<double> u, int rows, Span<double> next);
}

/// <summary>Chooses the discrete step for a model.</summary>
public static class Steppers
{
    /// <summary>The model's own step when it is discrete, else RK4 of its continuous dynamics.</summary>
    public static IStepper Create(IDynamicsModel model) =>
        model is IDiscreteDynamicsModel discrete ? discrete.CreateStepper() : new Rk4(model);
}
