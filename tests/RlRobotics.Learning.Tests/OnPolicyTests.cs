using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Spec;
using RlRobotics.Learning.Checkpoints;
using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Envs;
using RlRobotics.Learning.Nn;
using RlRobotics.Learning.Policies;
using RlRobotics.Learning.Rl;
using RlRobotics.Learning.Safety;
using RlRobotics.Sim.Models;

namespace RlRobotics.Learning.Tests;

/// <summary>Environments, PPO and its relatives, the Lagrangian multipliers, CPO, the shield and the policy artefact.</summary>
public class OnPolicyTests
{
    internal static string Root() => RlRobotics.Core.Spec.RepositoryRoot.Find();

    internal static (EnvTask Task, IDynamicsModel Model) Pendulum()
    {
        var robot = RobotSpecLoader.LoadFile(Path.Combine(Root(), "robots/pendulum.sim.yaml"));
        var model = new Pendulum(new PendulumParameters());
        return (EnvTaskReader.Read(robot, model), model);
    }

    internal static (EnvTask Task, IDynamicsModel Model) CartPoleC1()
    {
        var robot = RobotSpecLoader.LoadFile(Path.Combine(Root(), "robots/cartpole.sim.yaml"));
        var model = new CartPole(new CartPoleParameters());
        return (EnvTaskReader.Read(robot, model), model);
    }

    // rl-zoo's Pendulum budget with the shipped pendulum settings.
    private static OnPolicyOptions PendulumPpo(int seed, long steps = 98_304) => new()
    {
        Seed = seed, TotalSteps = steps, Envs = 4, StepsPerEnv = 512, Gamma = 0.95, GaeLambda = 0.9, LearningRate = 1e-3,
    };

    [Fact]
    public void The_pendulum_environment_is_gymnasiums_pendulum_v1()
    {
        var (task, model) = Pendulum();
        Assert.Equal(200, task.EpisodeSteps);
        Assert.Equal(0.05, task.Dt_s);
        var env = new VectorEnv(task, model, 1, seed: 0);
        env.States[0] = 1.0;   // θ from upright
        env.States[1] = 7.9;   // θ̇
        var x = env.States.ToArray();
        env.Step(new[] { 5.0 });  // clipped to 2 N·m
        // θ̈ = 3g/(2l) sin θ + 3/(m l²) u; θ̇' = clip(θ̇ + θ̈ dt, ±8); θ' = θ + θ̇' dt; r = −(θ² + 0.1 θ̇² + 0.001 u²) before the step.
        var thdot = Math.Clamp(x[1] + (15 * Math.Sin(x[0]) + 3 * 2.0) * 0.05, -8, 8);
        Assert.Equal(8.0, thdot);
        Assert.Equal(x[0] + thdot * 0.05, env.States[0], 12);
        Assert.Equal(thdot, env.States[1], 12);
        Assert.Equal(-(1.0 + 0.1 * 7.9 * 7.9 + 0.001 * 4), env.Rewards[0], 12);
        Assert.Equal(2.0, env.AppliedActions[0]);
        Assert.Equal(new[] { (float)Math.Cos(env.States[0]), (float)Math.Sin(env.States[0]), (float)env.States[1] }, env.Observations);
    }

    [Fact]
    public void Episodes_end_at_the_time_limit_and_restart_inside_the_declared_initial_range()
    {
        var (task, model) = Pendulum();
        var env = new VectorEnv(task, model, 3, seed: 5);
        var zero = new double[3];
        for (var t = 1; t <= 200; t++)
        {
            env.Step(zero);
            Assert.All(env.Truncated, v => Assert.Equal(t == 200, v));
        }
        Assert.All(env.EpisodeLength, l => Assert.Equal(200, l));
        for (var e = 0; e < 3; e++)
        {
            Assert.InRange(env.States[e * 2], -Math.PI, Math.PI);
            Assert.InRange(env.States[e * 2 + 1], -1, 1);
        }
        Assert.NotEqual(env.States[0], env.States[2]); // each copy has its own stream
    }

    [Fact]
    public void Stepping_on_two_threads_gives_the_same_episodes_as_on_one()
    {
        var (task, model) = CartPoleC1();
        var one = new VectorEnv(task, model, 8, seed: 3, shield: true, threads: 1);
        var two = new VectorEnv(task, model, 8, seed: 3, shield: true, threads: 2);
        var random = new Random(4);
        var actions = new double[8];
        for (var t = 0; t < 450; t++)
        {
            for (var i = 0; i < 8; i++) actions[i] = 20 * random.NextDouble() - 10;
            one.Step(actions);
            two.Step(actions);
            Assert.Equal(one.States, two.States);
            Assert.Equal(one.Rewards, two.Rewards);
        }
        Assert.Equal(one.ShieldInterventions, two.ShieldInterventions);
    }

    [Fact]
    public void Gae_matches_the_recursion_by_hand_and_a_done_cuts_the_bootstrap()
    {
        var b = new RolloutBuffer(steps: 3, envs: 1, observationSize: 1, actionSize: 1);
        float[] r = { 1, 2, 3 }, v = { 0.5f, 1.0f, 1.5f };
        r.CopyTo(b.Rewards, 0);
        v.CopyTo(b.Values, 0);
        b.Dones[1] = true;
        b.LastValues[0] = 10;
        const double g = 0.9, l = 0.8;
        b.ComputeAdvantages(g, l);
        var d2 = 3 + g * 10 - 1.5;
        var d1 = 2 - 1.0;                       // episode ended: no γV(s₂)
        var d0 = 1 + g * 1.0 - 0.5;
        Assert.Equal(d2, b.Advantages[2], 5);
        Assert.Equal(d1, b.Advantages[1], 5);
        Assert.Equal(d0 + g * l * d1, b.Advantages[0], 5);
        Assert.Equal(b.Advantages[0] + 0.5, b.Returns[0], 5);
    }

    [Fact]
    public void Jvp_matches_finite_differences_of_the_forward_pass()
    {
        var mlp = new Mlp(new MlpShape(1, new[] { 3, 8, 8, 2 }, Activation.Tanh), new ManagedBlas());
        mlp.InitialiseOrthogonal(new Random(1));
        var random = new Random(2);
        var x = Enumerable.Range(0, 5 * 3).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var v = Enumerable.Range(0, mlp.Parameters.Count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var ws = mlp.CreateWorkspace(5);
        mlp.Forward(ws, x, 5);
        var jv = new float[5 * 2];
        mlp.Jvp(ws, v, 5, jv);
        var p0 = mlp.Parameters.Values.ToArray();
        const float eps = 1e-2f;
        float[] Shifted(float s)
        {
            for (var k = 0; k < p0.Length; k++) mlp.Parameters.Values[k] = p0[k] + s * v[k];
            return mlp.Forward(ws, x, 5).ToArray();
        }
        var up = Shifted(eps);
        var down = Shifted(-eps);
        for (var i = 0; i < jv.Length; i++) Assert.Equal((up[i] - down[i]) / (2 * eps), jv[i], 2);
    }

    [Fact]
    public void Lagrange_multipliers_rise_above_the_limit_fall_below_it_and_never_go_negative()
    {
        var lag = new LagrangeMultiplier(costLimit: 5, initial: 0.001, learningRate: 0.035, max: 100);
        for (var i = 0; i < 20; i++) lag.Update(50);
        var high = lag.Lambda;
        Assert.InRange(high, 0.5, 0.8);          // Adam: about the learning rate per update, whatever the violation's size
        for (var i = 0; i < 200; i++) lag.Update(0);
        Assert.Equal(0, lag.Lambda);

        // PID with the same error: the proportional term answers at once; I accumulates K_i e; λ = K_p P + I + K_d D.
        var pid = new PidLagrangeMultiplier(costLimit: 5, initial: 0.001, kp: 0.1, ki: 0.01, kd: 0.01, delay: 10, emaAlpha: 0.95, max: 100);
        pid.Update(50);
        Assert.Equal(0.1 * 45 + (0.001 + 0.01 * 45), pid.Lambda, 9);
        for (var i = 0; i < 50; i++) pid.Update(0);
        Assert.Equal(0, pid.Lambda);
    }

    [Fact]
    public void Ppo_solves_the_pendulum_within_1e5_steps()
    {
        var (task, model) = Pendulum();
        var trainer = new OnPolicyTrainer(task, model, PendulumPpo(seed: 1));
        trainer.Run();
        Assert.True(trainer.History[^1].Steps <= 100_000);
        var eval = PolicyEvaluation.Run(task, model, DeployablePolicy.From(trainer), 50, seed: 99);
        Assert.True(eval.MeanReturn >= -200, $"mean return {eval.MeanReturn:F1} over 50 episodes");
        // Before training the same policy is far worse.
        var untrained = new OnPolicyTrainer(task, model, PendulumPpo(seed: 1));
        Assert.True(PolicyEvaluation.Run(task, model, DeployablePolicy.From(untrained), 50, seed: 99).MeanReturn < -900);
    }

    [Fact]
    public void Same_seed_gives_bit_identical_metrics_and_another_seed_does_not()
    {
        var (task, model) = CartPoleC1();
        string Csv(int seed, OnPolicyAlgorithm algorithm)
        {
            var o = new OnPolicyOptions { Algorithm = algorithm, Seed = seed, TotalSteps = 4 * 512 * 3, Envs = 4, StepsPerEnv = 512 };
            var t = new OnPolicyTrainer(task, model, o, shield: true);
            t.Run();
            return string.Join("\n", t.History.Select(h => h.CsvRow()));
        }
        foreach (var algorithm in new[] { OnPolicyAlgorithm.PpoPid, OnPolicyAlgorithm.Cpo })
        {
            Assert.Equal(Csv(7, algorithm), Csv(7, algorithm));
            Assert.NotEqual(Csv(7, algorithm), Csv(8, algorithm));
        }
    }

    [Fact]
    public void Reinforce_and_a2c_run_one_full_batch_step_per_iteration_and_improve_the_pendulum()
    {
        var (task, model) = Pendulum();
        foreach (var algorithm in new[] { OnPolicyAlgorithm.Reinforce, OnPolicyAlgorithm.A2c })
        {
            var trainer = new OnPolicyTrainer(task, model, PendulumPpo(1, 40_960) with { Algorithm = algorithm });
            Assert.Equal(trainer.Options.BatchSize, trainer.Options.MinibatchSize);
            Assert.Equal(1, trainer.Options.Epochs);
            trainer.Run();
            Assert.All(trainer.History, h => Assert.Equal(0, h.ClipFraction));
            var first = trainer.History.Take(3).Average(h => h.EpisodeReturn);
            var last = trainer.History.TakeLast(3).Average(h => h.EpisodeReturn);
            Assert.True(last > first, $"{algorithm}: return {first:F0} → {last:F0}");
        }
    }

    [Fact]
    public void Cpo_steps_stay_inside_the_trust_region()
    {
        var (task, model) = CartPoleC1();
        var o = new OnPolicyOptions { Algorithm = OnPolicyAlgorithm.Cpo, Seed = 3, TotalSteps = 4 * 1024 * 6, Envs = 4, StepsPerEnv = 1024 };
        var trainer = new OnPolicyTrainer(task, model, o);
        trainer.Run();
        Assert.All(trainer.History, h =>
        {
            Assert.InRange(h.CpoCase, 0, 4);
            Assert.InRange(h.Kl, 0, o.CpoTargetKl);
        });
        Assert.Contains(trainer.History, h => h.CpoStep >= 0); // it does move
        // The untrained policy runs past ±0.8 m: the cost is above the limit, so CPO starts in the recovery or constrained cases.
        Assert.True(trainer.History[0].EpisodeCost > 5 && trainer.History[1].CpoCase <= 2, $"cost {trainer.History[0].EpisodeCost}, case {trainer.History[1].CpoCase}");
    }

    [Fact]
    public void Ppo_pid_brings_the_c1_episode_cost_under_its_limit()
    {
        var (task, model) = CartPoleC1();
        var o = new OnPolicyOptions { Algorithm = OnPolicyAlgorithm.PpoPid, Seed = 1, TotalSteps = 300_000, Envs = 4, StepsPerEnv = 1024, LearningRate = 3e-4 };
        var trainer = new OnPolicyTrainer(task, model, o);
        trainer.Run();
        Assert.Contains(trainer.History, h => h.Lambda > 0.5);                         // the multiplier had to work
        var tail = trainer.History.TakeLast(trainer.History.Count / 10).ToList();
        Assert.True(tail.Average(h => h.EpisodeCost) <= 5, $"final cost {tail.Average(h => h.EpisodeCost):F2}");
        Assert.True(tail.Average(h => h.EpisodeReturn) > 60, $"final return {tail.Average(h => h.EpisodeReturn):F1}");
    }

    [Fact]
    public void With_the_shield_no_training_episode_breaks_a_hard_constraint_and_without_it_they_do()
    {
        var (task, model) = CartPoleC1();
        // A wide initial σ explores hard: without the shield the cart leaves ±1.2 m.
        var o = new OnPolicyOptions { Seed = 2, TotalSteps = 4 * 1024 * 5, Envs = 4, StepsPerEnv = 1024, InitialLogStd = 0.5 };
        var shielded = new OnPolicyTrainer(task, model, o, shield: true);
        shielded.Run();
        Assert.Equal(0, shielded.Env.Violations);
        Assert.True(shielded.Env.ShieldInterventions > 0);
        Assert.Equal(shielded.Env.ShieldInterventions, shielded.History.Sum(h => h.ShieldInterventions));
        var bare = new OnPolicyTrainer(task, model, o, shield: false);
        bare.Run();
        Assert.True(bare.Env.Violations > 0);
    }

    [Fact]
    public void The_shield_leaves_safe_actions_alone_and_brakes_a_cart_heading_for_its_limit()
    {
        var (task, model) = CartPoleC1();
        var shield = new ActionShield(task, model);
        var u = new[] { 3.0 };
        Assert.False(shield.Apply(new[] { 0.0, 0, 0, 0 }, u));
        Assert.Equal(3.0, u[0]);
        // 1.0 m out at 1.5 m/s: pushing on (+10 N) would break h = 1.2 − p − ṗ²/6 ≥ 0; the shield brakes instead.
        var x = new[] { 0.8, 0, 1.5, 0 };
        u[0] = 10;
        Assert.True(shield.Apply(x, u));
        Assert.True(u[0] < 0, $"u = {u[0]}");
        var next = new double[4];
        new EnvStepper(task, model).Step(x, u, next);
        var h = task.Constraints[0].Barrier;
        Assert.True(h.Evaluate(next) >= (1 - task.ShieldDecay) * h.Evaluate(x) - 1e-9);
        Assert.Equal(1, shield.Interventions);
    }

    [Fact]
    public void A_policy_artefact_round_trips_exactly_and_a_damaged_one_is_refused()
    {
        var (task, model) = Pendulum();
        var trainer = new OnPolicyTrainer(task, model, PendulumPpo(seed: 4, steps: 4096));
        trainer.Run();
        var bytes = DeployablePolicy.ToCheckpoint(trainer).ToBytes();
        var a = DeployablePolicy.FromCheckpoint(Checkpoint.FromBytes(bytes));
        var b = DeployablePolicy.FromCheckpoint(Checkpoint.FromBytes(bytes));
        double[] ua = new double[1], ub = new double[1];
        foreach (var theta in new[] { -3.0, -1, 0, 0.5, 2.5 })
        {
            a.Act(new[] { theta, 0.3 }, ua);
            b.Act(new[] { theta, 0.3 }, ub);
            Assert.Equal(ua[0], ub[0]);
            Assert.InRange(ua[0], -2, 2);
        }
        var damaged = bytes.ToArray();
        damaged[damaged.Length / 2] ^= 0x40;
        Assert.Contains("corrupted", Assert.Throws<CheckpointException>(() => Checkpoint.FromBytes(damaged)).Message);
        var model2 = new Dynamics.EnsembleDynamicsModel(new[] { "a" }, new[] { "u" }, new[] { false }, new Dynamics.EnsembleOptions { Members = 1, Hidden = new[] { 4 } });
        Assert.Contains("not a policy", Assert.Throws<CheckpointException>(() => DeployablePolicy.FromCheckpoint(model2.ToCheckpoint())).Message);
    }

    [Theory]
    [InlineData("reward: \"-(sq(wrap(pendulum/positon)))\"", "did you mean pendulum/position")]
    [InlineData("reward: \"1 +\"", "reward")]
    [InlineData("observation: [\"next(pendulum/position)\"]", "observation")]
    [InlineData("cost_limit: 3", "a cost limit needs task.cost")]
    [InlineData("episode: { steps: 0 }", "steps")]
    [InlineData("shield: { constraints: [ { state: pendulum/speed, max: 1 } ] }", "unknown state 'pendulum/speed'")]
    public void Bad_task_terms_are_refused_with_their_line(string line, string expected)
    {
        var text = File.ReadAllText(Path.Combine(Root(), "robots/pendulum.sim.yaml"));
        var key = line[..line.IndexOf(':')];
        var lines = text.Split('\n').ToList();
        var at = lines.FindIndex(l => l.StartsWith($"  {key}:", StringComparison.Ordinal));
        if (at >= 0)
        {
            lines[at] = "  " + line;
            while (at + 1 < lines.Count && lines[at + 1].StartsWith("    ", StringComparison.Ordinal)) lines.RemoveAt(at + 1);
        }
        else lines.Add("  " + line);
        var robot = RobotSpecLoader.Load(string.Join('\n', lines), "pendulum.yaml");
        var ex = Assert.Throws<SpecException>(() => EnvTaskReader.Read(robot, new Pendulum(new PendulumParameters())));
        Assert.Contains(ex.Errors, e => e.ToString().Contains(expected) && e.Line > 0);
    }
}
