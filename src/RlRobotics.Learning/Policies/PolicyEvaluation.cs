using RlRobotics.Core.Dynamics;
using RlRobotics.Learning.Envs;

namespace RlRobotics.Learning.Policies;

/// <summary>Evaluation of a policy over N episodes.</summary>
/// <param name="Returns">Each episode's undiscounted return.</param>
/// <param name="Costs">Each episode's undiscounted cost.</param>
/// <param name="Violations">Steps that left a hard constraint violated, all episodes.</param>
/// <param name="ShieldInterventions">Actions the shield changed (0 without the shield).</param>
public sealed record EvaluationResult(double[] Returns, double[] Costs, long Violations, long ShieldInterventions)
{
    public double MeanReturn => Returns.Average();
    public double StdReturn => Math.Sqrt(Returns.Average(r => (r - MeanReturn) * (r - MeanReturn)));
    public double MeanCost => Costs.Average();
}

/// <summary>Runs a deployable policy's deterministic action for N episodes of a task, one environment copy per episode.</summary>
public static class PolicyEvaluation
{
    public static EvaluationResult Run(EnvTask task, IDynamicsModel model, DeployablePolicy policy, int episodes, int seed, bool shield = false)
    {
        if (episodes < 1) throw new ArgumentOutOfRangeException(nameof(episodes), "at least one episode");
        if (!policy.StateNames.SequenceEqual(task.StateNames) || !policy.ActionNames.SequenceEqual(task.ActionNames))
            throw new ArgumentException($"the policy reads [{string.Join(", ", policy.StateNames)}] and writes [{string.Join(", ", policy.ActionNames)}], " +
                $"but the task has [{string.Join(", ", task.StateNames)}] and [{string.Join(", ", task.ActionNames)}]");
        var env = new VectorEnv(task, model, episodes, seed, shield);
        int n = task.StateSize, m = task.ActionSize;
        var actions = new double[episodes * m];
        var returns = new double[episodes];
        var costs = new double[episodes];
        var done = new bool[episodes];
        long violations = 0;
        var left = episodes;
        while (left > 0)
        {
            for (var e = 0; e < episodes; e++) policy.Act(env.States.AsSpan(e * n, n), actions.AsSpan(e * m, m));
            env.Step(actions);
            for (var e = 0; e < episodes; e++)
            {
                if (done[e] || !(env.Terminated[e] || env.Truncated[e])) continue;
                done[e] = true;
                returns[e] = env.EpisodeReturn[e];
                costs[e] = env.EpisodeCost[e];
                violations += env.EpisodeViolations[e];
                left--;
            }
        }
        return new EvaluationResult(returns, costs, violations, env.ShieldInterventions);
    }
}
