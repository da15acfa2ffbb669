using System.Text.Json;
using RlRobotics.Cli.Node;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Learning.Policies;

namespace RlRobotics.Cli.Tests;

/// <summary>On-policy learning from the command line, and a trained policy deployed on the HAL through the safety filter.</summary>
[Collection(SerialCollection.Name)]
public class PolicyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"rlr-ppo-{Guid.NewGuid():N}");

    public PolicyTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Rlr(params string[] args) => RunCommandTests.Rlr(args);

    [Fact]
    public void Train_ppo_writes_its_artefacts_and_the_policy_swings_the_pendulum_up_on_the_hal()
    {
        var outDir = Path.Combine(_dir, "ppo");
        var (code, output, error) = Rlr("train", "ppo", "--robot", "robots/pendulum.sim.yaml", "--steps", "200000", "--seed", "1", "--out", outDir);
        Assert.True(code == ExitCodes.Success, $"exit {code}: {error}\n{output}");
        Assert.Contains("computation:", output);
        foreach (var f in new[] { "policy.rlpolicy", "metrics.csv", "curves.svg", "summary.json", "checkpoints/iteration_00010.rlpolicy" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        var rows = File.ReadAllLines(Path.Combine(outDir, "metrics.csv"));
        Assert.StartsWith("iteration,steps,episodes,return,cost", rows[0]);
        Assert.Equal(97 + 1, rows.Length); // 200,000 / (4 × 512) = 97 iterations, never past the budget
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.True(summary.RootElement.GetProperty("eval_return").GetDouble() >= -200);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(outDir, "curves.svg")));

        // Deployed on the simulated pendulum (friction, sensor noise, the 500 Hz loop and the safety filter) from hanging down.
        var report = Path.Combine(_dir, "run.json");
        var policy = Path.Combine(outDir, "policy.rlpolicy");
        (code, output, error) = Rlr("run", "--robot", "robots/pendulum.sim.yaml", "--controller", "policy", "--policy", policy,
            "--clock", "sim", "--initial-state", "pi,0", "--duration", "10", "--quiet", "--report", report);
        Assert.True(code == ExitCodes.Success, $"exit {code}: {error}\n{output}");
        using var run = JsonDocument.Parse(File.ReadAllText(report));
        Assert.True(run.RootElement.GetProperty("task").GetProperty("success").GetBoolean());
        Assert.Equal(200, run.RootElement.GetProperty("policy").GetProperty("decisions").GetInt64()); // one per 50 ms
        Assert.False(run.RootElement.GetProperty("safety").GetProperty("e_stop_latched").GetBoolean());

        (code, output, error) = Rlr("eval", "--robot", "robots/pendulum.sim.yaml", "--policy", policy, "--episodes", "30");
        Assert.True(code == ExitCodes.Success, $"exit {code}: {error}");
        Assert.Contains("30 episodes", output);

        // The policy controller allocates nothing per cycle in steady state.
        var spec = RobotSpecLoader.LoadFile(Path.Combine(RunCommandTests.Root(), "robots/pendulum.sim.yaml"));
        var trained = DeployablePolicy.Load(policy);
        var bytes = RunCommandTests.SteadyStateBytes(() => RobotNode.Build(new NodeOptions
        {
            Robot = spec, Controller = "policy", Policy = trained, Duration_s = 5, Clock = new SimulatedClock(), InitialState = new[] { Math.PI, 0 },
        }), 2500 - 200);
        Assert.True(bytes == 0, $"{bytes} bytes in steady state");
    }

    [Fact]
    public void A_shielded_policy_on_the_cart_pole_allocates_nothing_per_cycle()
    {
        var spec = RobotSpecLoader.LoadFile(Path.Combine(RunCommandTests.Root(), "robots/cartpole.sim.yaml"));
        var (task, model) = Training.PolicyTraining.TaskOf(spec);
        var trainer = new Learning.Rl.OnPolicyTrainer(task, model, new Learning.Rl.OnPolicyOptions { TotalSteps = 4096, Envs = 4, StepsPerEnv = 1024, Seed = 1 });
        trainer.Run();
        var policy = DeployablePolicy.From(trainer);
        var bytes = RunCommandTests.SteadyStateBytes(() => RobotNode.Build(new NodeOptions
        {
            Robot = spec, Controller = "policy", Policy = policy, Duration_s = 5, Clock = new SimulatedClock(), InitialState = new double[4],
        }), 5000 - 200);
        Assert.True(bytes == 0, $"{bytes} bytes in steady state");
        using var node = RobotNode.Build(new NodeOptions { Robot = spec, Controller = "policy", Policy = policy, Duration_s = 1, Clock = new SimulatedClock() });
        Assert.True(node.Shielded);
    }

    [Fact]
    public void The_metrics_csv_is_bit_identical_for_the_same_seed()
    {
        string Train(string name, int seed)
        {
            var dir = Path.Combine(_dir, name);
            var (code, _, error) = Rlr("train", "ppo-lag", "--robot", "robots/cartpole.sim.yaml", "--steps", "12288", "--seed", seed.ToString(), "--out", dir, "--eval-episodes", "2");
            Assert.True(code == ExitCodes.Success, error);
            return File.ReadAllText(Path.Combine(dir, "metrics.csv"));
        }
        var a = Train("a", 5);
        Assert.Equal(a, Train("b", 5));
        Assert.NotEqual(a, Train("c", 6));
        Assert.Equal(4, a.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void A_damaged_or_missing_policy_is_refused_and_nothing_starts()
    {
        var outDir = Path.Combine(_dir, "small");
        var (code, _, error) = Rlr("train", "ppo", "--robot", "robots/pendulum.sim.yaml", "--steps", "2048", "--out", outDir, "--eval-episodes", "1");
        Assert.True(code == ExitCodes.Success, error);
        var good = Path.Combine(outDir, "policy.rlpolicy");
        var bytes = File.ReadAllBytes(good);
        bytes[bytes.Length / 3] ^= 0x01;
        var bad = Path.Combine(_dir, "bad.rlpolicy");
        File.WriteAllBytes(bad, bytes);
        (code, var output, error) = Rlr("run", "--robot", "robots/pendulum.sim.yaml", "--controller", "policy", "--policy", bad, "--duration", "1");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("corrupted", error);
        Assert.Contains("nothing was started", error);
        Assert.DoesNotContain("cycles", output);

        File.WriteAllBytes(bad, bytes[..100]);
        (code, _, error) = Rlr("eval", "--robot", "robots/pendulum.sim.yaml", "--policy", bad);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("bad.rlpolicy", error);

        (code, _, error) = Rlr("run", "--robot", "robots/pendulum.sim.yaml", "--controller", "policy", "--duration", "1");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--policy", error);

        // A dynamics checkpoint is not a policy.
        (code, _, error) = Rlr("run", "--robot", "robots/pendulum.sim.yaml", "--controller", "policy", "--policy", Path.Combine(outDir, "metrics.csv"), "--duration", "1");
        Assert.Equal(ExitCodes.BadInput, code);
    }

    [Fact]
    public void Bad_learning_settings_and_arguments_are_refused_with_what_was_expected()
    {
        var text = File.ReadAllText(Path.Combine(RunCommandTests.Root(), "robots/pendulum.sim.yaml")).Replace("gamma: 0.95", "gama: 0.95");
        var robot = Path.Combine(_dir, "pendulum.yaml");
        File.WriteAllText(robot, text);
        var (code, _, error) = Rlr("train", "ppo", "--robot", robot, "--steps", "2048", "--out", Path.Combine(_dir, "x"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("gama", error);
        Assert.Contains("gamma", error);
        // The same file is refused by every command, before anything moves.
        (code, _, _) = Rlr("run", "--robot", robot, "--duration", "1");
        Assert.Equal(ExitCodes.BadInput, code);

        // A typo in a task term stops every command, whichever controller it would run.
        File.WriteAllText(robot, text.Replace("gama: 0.95", "gamma: 0.95").Replace("0.1 * sq(pendulum/velocity)", "0.1 * sq(pendulum/velocty)"));
        (code, _, error) = Rlr("run", "--robot", robot, "--controller", "lqr", "--duration", "1");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("did you mean pendulum/velocity", error);

        (code, _, error) = Rlr("train", "cpo", "--robot", "robots/pendulum.sim.yaml", "--steps", "2048", "--out", Path.Combine(_dir, "y"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("needs a cost", error);
        (code, _, error) = Rlr("train", "ppo", "--envs", "0");
        Assert.NotEqual(ExitCodes.Success, code);
        Assert.Contains("--envs", error);
    }

    [Fact]
    public void The_shield_guards_training_from_the_command_line()
    {
        var outDir = Path.Combine(_dir, "shielded");
        var (code, output, error) = Rlr("train", "ppo", "--robot", "robots/cartpole.sim.yaml", "--steps", "20480", "--seed", "2", "--out", outDir, "--eval-episodes", "4");
        Assert.True(code == ExitCodes.Success, error);
        Assert.Contains("shield on", output);
        Assert.Contains("hard-constraint violations during training: 0", output);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.True(summary.RootElement.GetProperty("shielded").GetBoolean());
        Assert.Equal(0, summary.RootElement.GetProperty("violations").GetInt64());
    }
}
