using System.Globalization;
using System.Text;

namespace RlRobotics.Learning.Rl;

/// <summary>
/// What one on-policy iteration did, everything needed to diagnose a failed run. Episode figures are over the episodes
/// that ended during the iteration (NaN when none did). Timings are kept out of <see cref="CsvRow"/> so that a run is
/// bit-identical from its seed.
/// </summary>
public sealed record IterationMetrics
{
    public int Iteration { get; init; }
    /// <summary>Environment steps so far, all copies together.</summary>
    public long Steps { get; init; }
    public int Episodes { get; init; }
    public double EpisodeReturn { get; init; } = double.NaN;
    public double EpisodeCost { get; init; } = double.NaN;
    public double EpisodeLength { get; init; } = double.NaN;
    public double Lambda { get; init; }
    /// <summary>Mean approximate KL(old ‖ new) over the minibatches, E[(r − 1) − log r] (CPO: the accepted step's exact KL).</summary>
    public double Kl { get; init; }
    public double Entropy { get; init; }
    public double ClipFraction { get; init; }
    public double PolicyLoss { get; init; }
    public double ValueLoss { get; init; }
    public double CostValueLoss { get; init; }
    /// <summary>1 − Var(R − V)/Var(R) on the batch before the update.</summary>
    public double ExplainedVariance { get; init; }
    public double LearningRate { get; init; }
    public double Std { get; init; }
    public long ShieldInterventions { get; init; }
    public long ShieldInfeasible { get; init; }
    /// <summary>Steps this iteration that left a hard constraint violated.</summary>
    public long Violations { get; init; }
    /// <summary>CPO's optimisation case (0: infeasible recovery … 4: plain trust-region step); −1 otherwise.</summary>
    public int CpoCase { get; init; } = -1;
    /// <summary>CPO's accepted line-search step (−1: none accepted, the policy kept).</summary>
    public int CpoStep { get; init; } = -1;
    public double CollectSeconds { get; init; }
    public double LearnSeconds { get; init; }

    public static string CsvHeader =>
        "iteration,steps,episodes,return,cost,length,lambda,kl,entropy,clip_fraction,policy_loss,value_loss,cost_value_loss,explained_variance,learning_rate,std,shield_interventions,shield_infeasible,violations,cpo_case,cpo_step";

    public string CsvRow()
    {
        static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Iteration},{Steps},{Episodes},{F(EpisodeReturn)},{F(EpisodeCost)},{F(EpisodeLength)},{F(Lambda)},{F(Kl)},{F(Entropy)},");
        sb.Append(CultureInfo.InvariantCulture, $"{F(ClipFraction)},{F(PolicyLoss)},{F(ValueLoss)},{F(CostValueLoss)},{F(ExplainedVariance)},{F(LearningRate)},{F(Std)},");
        sb.Append(CultureInfo.InvariantCulture, $"{ShieldInterventions},{ShieldInfeasible},{Violations},{CpoCase},{CpoStep}");
        return sb.ToString();
    }
}
