namespace RlRobotics.Learning.Rl;

/// <summary>
/// One iteration's experience, time-major [T, N] for T steps of N environment copies, and its advantages. Episode ends
/// inside the batch are marked in <see cref="Dones"/>; a time-limit end (truncation) already carries γ·V(s_final) in its
/// reward and cost, so every end cuts the bootstrap the same way.
/// </summary>
public sealed class RolloutBuffer
{
    public RolloutBuffer(int steps, int envs, int observationSize, int actionSize)
    {
        Steps = steps;
        Envs = envs;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        var size = steps * envs;
        Observations = new float[size * observationSize];
        Actions = new float[size * actionSize];
        Means = new float[size * actionSize];
        LogProbabilities = new float[size];
        Rewards = new float[size];
        Costs = new float[size];
        Values = new float[size];
        CostValues = new float[size];
        Dones = new bool[size];
        Advantages = new float[size];
        Returns = new float[size];
        CostAdvantages = new float[size];
        CostReturns = new float[size];
        LastValues = new float[envs];
        LastCostValues = new float[envs];
        OldLogStd = new float[actionSize];
    }

    public int Steps { get; }
    public int Envs { get; }
    public int Size => Steps * Envs;
    public int ObservationSize { get; }
    public int ActionSize { get; }

    /// <summary>Normalised observations the policy acted on.</summary>
    public float[] Observations { get; }
    /// <summary>Sampled actions before clipping and shielding (normalised units), as their log-probabilities need.</summary>
    public float[] Actions { get; }
    /// <summary>The policy means at collection time (for the exact KL of the update).</summary>
    public float[] Means { get; }
    public float[] LogProbabilities { get; }
    /// <summary>Rewards after scaling and clipping, plus γ·V(s_final) at truncations.</summary>
    public float[] Rewards { get; }
    /// <summary>Costs, plus γ·V_c(s_final) at truncations.</summary>
    public float[] Costs { get; }
    public float[] Values { get; }
    public float[] CostValues { get; }
    /// <summary>The episode ended after this step.</summary>
    public bool[] Dones { get; }
    public float[] Advantages { get; }
    public float[] Returns { get; }
    public float[] CostAdvantages { get; }
    public float[] CostReturns { get; }
    /// <summary>V and V_c of the observation after the last step, per copy.</summary>
    public float[] LastValues { get; }
    public float[] LastCostValues { get; }
    /// <summary>log σ at collection time.</summary>
    public float[] OldLogStd { get; }

    /// <summary>GAE(γ, λ) for rewards and costs: δ_t = r_t + γ V_{t+1} (1 − done_t) − V_t, A_t = δ_t + γλ (1 − done_t) A_{t+1}; R_t = A_t + V_t.</summary>
    public void ComputeAdvantages(double gamma, double lambda)
    {
        Gae(Rewards, Values, LastValues, Advantages, Returns, gamma, lambda);
        Gae(Costs, CostValues, LastCostValues, CostAdvantages, CostReturns, gamma, lambda);
    }

    private void Gae(float[] rewards, float[] values, float[] last, float[] advantages, float[] returns, double gamma, double lambda)
    {
        for (var e = 0; e < Envs; e++)
        {
            double next = 0, nextValue = last[e];
            for (var t = Steps - 1; t >= 0; t--)
            {
                var i = t * Envs + e;
                var live = Dones[i] ? 0.0 : 1.0;
                var delta = rewards[i] + gamma * nextValue * live - values[i];
                next = delta + gamma * lambda * live * next;
                advantages[i] = (float)next;
                returns[i] = (float)(next + values[i]);
                nextValue = values[i];
            }
        }
    }
}
