using RlRobotics.Core.Dynamics;
using RlRobotics.Learning.Safety;

namespace RlRobotics.Learning.Envs;

/// <summary>
/// N seeded copies of a task's simulated robot, stepped together (optionally split over threads: each copy owns its
/// random stream, stepper and shield, so results do not depend on the thread count). A copy that ends its episode —
/// by the time limit (truncated) or the task's <c>terminate</c> (terminated) — reports the final observation and its
/// episode's return and cost, and starts again from a fresh initial state.
/// </summary>
public sealed class VectorEnv
{
    private readonly Copy[] _copies;
    private readonly int _threads;

    /// <param name="task">The task.</param>
    /// <param name="model">The robot's model (shared; it must be safe to call from several threads when threads &gt; 1).</param>
    /// <param name="count">Copies N.</param>
    /// <param name="seed">Seed; copy i draws from its own stream derived from it.</param>
    /// <param name="shield">Put an <see cref="ActionShield"/> on the same model between every action and its copy.</param>
    /// <param name="threads">Threads to step with (1: the caller's).</param>
    public VectorEnv(EnvTask task, IDynamicsModel model, int count, int seed, bool shield = false, int threads = 1)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "at least one copy");
        if (shield && task.Constraints.Count == 0) throw new ArgumentException("the shield is on but the task declares no hard constraints (task.shield.constraints)");
        Task = task;
        Count = count;
        Shielded = shield;
        _threads = Math.Clamp(threads, 1, count);
        _copies = Enumerable.Range(0, count).Select(i => new Copy(task, model, SeedOf(seed, i), shield)).ToArray();
        Observations = new float[count * task.ObservationSize];
        FinalObservations = new float[count * task.ObservationSize];
        Rewards = new double[count];
        Costs = new double[count];
        Terminated = new bool[count];
        Truncated = new bool[count];
        EpisodeReturn = new double[count];
        EpisodeCost = new double[count];
        EpisodeLength = new int[count];
        EpisodeViolations = new int[count];
        States = new double[count * task.StateSize];
        AppliedActions = new double[count * task.ActionSize];
        Reset();
    }

    public EnvTask Task { get; }
    public int Count { get; }
    /// <summary>Whether an action shield guards every copy.</summary>
    public bool Shielded { get; }

    /// <summary>Each copy's observation now (after any reset), [N, obs].</summary>
    public float[] Observations { get; }
    /// <summary>For copies whose episode just ended, the observation of the final state, [N, obs].</summary>
    public float[] FinalObservations { get; }
    /// <summary>The last step's reward and cost per copy.</summary>
    public double[] Rewards { get; }
    public double[] Costs { get; }
    /// <summary>The episode ended at the last step by the task's <c>terminate</c> condition (no bootstrap).</summary>
    public bool[] Terminated { get; }
    /// <summary>The episode ended at the last step by the time limit (bootstrap from the final observation).</summary>
    public bool[] Truncated { get; }
    /// <summary>For copies whose episode just ended: its undiscounted return, cost, length and hard-constraint violations.</summary>
    public double[] EpisodeReturn { get; }
    public double[] EpisodeCost { get; }
    public int[] EpisodeLength { get; }
    public int[] EpisodeViolations { get; }
    /// <summary>Each copy's state now, [N, n].</summary>
    public double[] States { get; }
    /// <summary>The actions applied at the last step after clipping and the shield, physical units, [N, m].</summary>
    public double[] AppliedActions { get; }

    /// <summary>Steps that left a hard constraint violated, over every copy since construction.</summary>
    public long Violations => _copies.Sum(c => c.Violations);
    /// <summary>Actions the shields changed.</summary>
    public long ShieldInterventions => _copies.Sum(c => c.Shield?.Interventions ?? 0);
    /// <summary>States where no action satisfied the shield's barrier conditions.</summary>
    public long ShieldInfeasible => _copies.Sum(c => c.Shield?.Infeasible ?? 0);
    /// <summary>Steps whose next state was not finite (the copy was reset and the step counted as terminated).</summary>
    public long Diverged => _copies.Sum(c => c.Diverged);

    /// <summary>Starts a new episode in every copy.</summary>
    public void Reset()
    {
        for (var i = 0; i < Count; i++) _copies[i].Reset(Observation(i), State(i));
    }

    /// <summary>Steps every copy with physical actions [N, m] (clipped to the action box, then shielded when on).</summary>
    public void Step(ReadOnlySpan<double> actions)
    {
        var m = Task.ActionSize;
        if (actions.Length < Count * m) throw new ArgumentException($"expected {Count}×{m} actions");
        actions[..(Count * m)].CopyTo(AppliedActions);
        if (_threads == 1)
        {
            for (var i = 0; i < Count; i++) StepCopy(i);
            return;
        }
        var chunk = (Count + _threads - 1) / _threads;
        Parallel.For(0, _threads, new ParallelOptions { MaxDegreeOfParallelism = _threads }, t =>
        {
            for (var i = t * chunk; i < Math.Min(Count, (t + 1) * chunk); i++) StepCopy(i);
        });
    }

    private void StepCopy(int i)
    {
        var c = _copies[i];
        var m = Task.ActionSize;
        var step = c.Step(AppliedActions.AsSpan(i * m, m), State(i));
        Rewards[i] = step.Reward;
        Costs[i] = step.Cost;
        Terminated[i] = step.Terminated;
        Truncated[i] = step.Truncated;
        if (step.Terminated || step.Truncated)
        {
            c.Observe(State(i), FinalObservations.AsSpan(i * Task.ObservationSize, Task.ObservationSize));
            EpisodeReturn[i] = c.Return;
            EpisodeCost[i] = c.CostSum;
            EpisodeLength[i] = c.Steps;
            EpisodeViolations[i] = c.EpisodeViolations;
            c.Reset(Observation(i), State(i));
        }
        else c.Observe(State(i), Observation(i));
    }

    private Span<float> Observation(int i) => Observations.AsSpan(i * Task.ObservationSize, Task.ObservationSize);
    private Span<double> State(int i) => States.AsSpan(i * Task.StateSize, Task.StateSize);

    // SplitMix64 of (seed, index): well-separated streams for neighbouring copies and seeds.
    private static int SeedOf(int seed, int index)
    {
        var z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)index * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    private readonly record struct StepResult(double Reward, double Cost, bool Terminated, bool Truncated);

    // One copy: its random stream, stepper, shield and episode counters.
    private sealed class Copy
    {
        private readonly EnvTask _task;
        private readonly Random _random;
        private readonly EnvStepper _stepper;
        private readonly double[] _next, _u;

        public Copy(EnvTask task, IDynamicsModel model, int seed, bool shield)
        {
            _task = task;
            _random = new Random(seed);
            _stepper = new EnvStepper(task, model);
            Shield = shield ? new ActionShield(task, model) : null;
            _next = new double[task.StateSize];
            _u = new double[task.ActionSize];
        }

        public ActionShield? Shield { get; }
        public int Steps { get; private set; }
        public double Return { get; private set; }
        public double CostSum { get; private set; }
        public int EpisodeViolations { get; private set; }
        public long Violations { get; private set; }
        public long Diverged { get; private set; }

        public void Reset(Span<float> observation, Span<double> x)
        {
            for (var k = 0; k < x.Length; k++) x[k] = _task.InitialLow[k] + _random.NextDouble() * (_task.InitialHigh[k] - _task.InitialLow[k]);
            Steps = 0;
            Return = CostSum = 0;
            EpisodeViolations = 0;
            Observe(x, observation);
        }

        public void Observe(ReadOnlySpan<double> x, Span<float> observation)
        {
            for (var k = 0; k < observation.Length; k++) observation[k] = (float)_task.Observation[k].Evaluate(x);
        }

        public StepResult Step(Span<double> action, Span<double> x)
        {
            for (var j = 0; j < _u.Length; j++) _u[j] = Math.Clamp(double.IsFinite(action[j]) ? action[j] : 0, _task.ActionLow[j], _task.ActionHigh[j]);
            Shield?.Apply(x, _u);
            _u.AsSpan().CopyTo(action);
            _stepper.Step(x, _u, _next);
            var finite = true;
            foreach (var v in _next) finite &= double.IsFinite(v);
            if (!finite)
            {
                Diverged++;
                Steps++;
                return new StepResult(0, 0, true, false);
            }
            var reward = _task.Reward.Evaluate(x, _u, _next);
            var cost = _task.Cost?.Evaluate(x, _u, _next) ?? 0;
            foreach (var c in _task.Constraints)
            {
                if (c.Violation.Evaluate(_next) > 0) { Violations++; EpisodeViolations++; break; }
            }
            var terminated = _task.Terminate is { } t && t.Evaluate(x, _u, _next) != 0;
            _next.AsSpan().CopyTo(x);
            Steps++;
            Return += reward;
            CostSum += cost;
            return new StepResult(reward, cost, terminated, !terminated && Steps >= _task.EpisodeSteps);
        }
    }
}
