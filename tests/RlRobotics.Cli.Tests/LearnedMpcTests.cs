using RlRobotics.Cli.Node;
using RlRobotics.Cli.Training;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Recording;
using RlRobotics.Learning.Data;
using RlRobotics.Learning.Dynamics;

namespace RlRobotics.Cli.Tests;

/// <summary>Model-based RL end to end: the HAL loop's recorder, the learner, MPC on the learned model, the CLI.</summary>
[Collection(SerialCollection.Name)]
public class LearnedMpcTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"rlr-mbrl-{Guid.NewGuid():N}");

    public LearnedMpcTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The shipped cart-pole file with a small, fast learned section (the test is about the plumbing and learning, not
    // the full-size swing-up, whose figures the closing note reports from 'rlr train mbrl').
    private string SmallRobot(string learned)
    {
        var text = File.ReadAllText(Path.Combine(RunCommandTests.Root(), "robots/cartpole.sim.yaml"));
        var start = text.IndexOf("  learned:", StringComparison.Ordinal);
        var end = text.IndexOf("\ntask:", StringComparison.Ordinal);
        Assert.True(start > 0 && end > start, "cartpole.sim.yaml has an agent.learned section before task:");
        var path = Path.Combine(_dir, "cartpole.yaml");
        File.WriteAllText(path, text[..start] + learned + text[end..]);
        return path;
    }

    private const string Tiny = """
  learned:
    planner: cem
    model: { members: 2, hidden: [16, 16], activation: silu, dt: 0.02 }
    training: { max_epochs: 5, batch_size: 16, patience: 2 }
    episode: { steps: 30, initial_state: [0, 0, 0, 0] }
    mpc: { horizon: 5, dt: 0.02, latency_s: 0.02, fallback: stop }
    cem: { samples: 20, elites: 4, iterations: 2, horizon: 5, particles: 2, propagation: ts1 }

""";

    [Fact]
    public void Train_mbrl_records_fits_and_writes_every_artefact_then_run_deploys_the_model()
    {
        var robot = SmallRobot(Tiny);
        var outDir = Path.Combine(_dir, "out");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = Program.Run(new[] { "train", "mbrl", "--robot", robot, "--episodes", "2", "--seed", "3", "--out", outDir }, output, error);
        Assert.True(code is ExitCodes.Success or ExitCodes.TaskFailed, $"exit {code}: {error}");
        Assert.Contains("episode   1  cem-mpc", output.ToString());

        // Episodes on disk: 30 rows each, readable back, 29 transitions per episode (no pairing across episodes).
        var file = EpisodeFile.Read(Path.Combine(outDir, "episodes.csv"));
        Assert.Equal(60, file.Rows.Count);
        Assert.Equal(new[] { "cart/position", "pole/position", "cart/velocity", "pole/velocity" }, file.States);
        Assert.Equal(new[] { "cart/effort" }, file.Controls);
        var buffer = new ReplayBuffer(4, 1, 100);
        Assert.Equal(58, file.Load(buffer));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(outDir, "metrics.csv")).Length);
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(outDir, "learning_curve.svg")));
        var model = EnsembleDynamicsModel.Load(Path.Combine(outDir, "model.ckpt"));
        Assert.Equal(1, model.Fits);

        // Random exploration is bounded by the effort limit; every recorded command went through the safety filter.
        Assert.All(file.Rows, r => Assert.InRange(r.Record[5], -10.0, 10.0));

        // The same episodes train a model offline ('rlr train model'); a malformed log is refused at its line.
        var offline = new StringWriter();
        Assert.Equal(ExitCodes.Success, Program.Run(new[] { "train", "model", "--robot", robot, "--data", Path.Combine(outDir, "episodes.csv"),
            "--out", Path.Combine(_dir, "offline") }, offline, new StringWriter()));
        Assert.Contains("to 58 transitions", offline.ToString());
        Assert.Equal(4, EnsembleDynamicsModel.Load(Path.Combine(_dir, "offline", "model.ckpt")).StateSize);
        var broken = Path.Combine(_dir, "broken.csv");
        File.WriteAllLines(broken, File.ReadAllLines(Path.Combine(outDir, "episodes.csv")).Take(10).Append("1,3,0.06,0.1,oops,0,0,0"));
        var brokenError = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, Program.Run(new[] { "train", "model", "--robot", robot, "--data", broken, "--out", Path.Combine(_dir, "x") }, new StringWriter(), brokenError));
        Assert.Contains("broken.csv:11: column 5 ('oops') is not a finite number", brokenError.ToString());

        var run = new StringWriter();
        var runError = new StringWriter();
        var runCode = Program.Run(new[] { "run", "--robot", robot, "--controller", "mpc-learned", "--model", Path.Combine(outDir, "model.ckpt"),
            "--duration", "0.5", "--quiet", "--initial-state", "0,0,0,0" }, run, runError);
        Assert.True(runCode is ExitCodes.Success or ExitCodes.TaskFailed, $"exit {runCode}: {runError}");
        Assert.Contains("cem: ", run.ToString());
    }

    [Fact]
    public void Run_refuses_a_corrupted_checkpoint_or_a_missing_model_and_starts_nothing()
    {
        var robot = SmallRobot(Tiny);
        var model = new EnsembleDynamicsModel(new[] { "cart/position", "pole/position", "cart/velocity", "pole/velocity" }, new[] { "cart/effort" },
            new[] { false, true, false, false }, new EnsembleOptions { Members = 2, Hidden = new[] { 8 } });
        var path = Path.Combine(_dir, "model.ckpt");
        var bytes = model.ToCheckpoint().ToBytes();
        bytes[bytes.Length / 3] ^= 1;
        File.WriteAllBytes(path, bytes);
        var error = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, Program.Run(new[] { "run", "--robot", robot, "--controller", "mpc-learned", "--model", path, "--quiet" }, new StringWriter(), error));
        Assert.Contains("checksum mismatch", error.ToString());
        Assert.Contains("nothing was started", error.ToString());

        error = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, Program.Run(new[] { "run", "--robot", robot, "--controller", "mpc-learned", "--quiet" }, new StringWriter(), error));
        Assert.Contains("needs --model", error.ToString());
    }

    [Fact]
    public void A_bad_learned_section_is_reported_at_its_line_whichever_controller_runs()
    {
        var robot = SmallRobot(Tiny.Replace("members: 2", "members: 2, widht: 3").Replace("planner: cem", "planner: cme"));
        var error = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, Program.Run(new[] { "run", "--robot", robot, "--controller", "lqr", "--quiet", "--duration", "0.1" }, new StringWriter(), error));
        var text = error.ToString();
        Assert.Contains("agent.learned.model.widht: unknown key 'widht'", text);
        Assert.Contains("unknown planner 'cme'", text);
        Assert.Matches(@"cartpole\.yaml:\d+:\d+:", text);
    }

    [Fact]
    public void Learned_mpc_loop_allocates_nothing_in_steady_state_and_the_recorder_neither()
    {
        var robot = RobotSpecLoader.LoadFile(SmallRobot(Tiny));
        var model = new EnsembleDynamicsModel(new[] { "cart/position", "pole/position", "cart/velocity", "pole/velocity" }, new[] { "cart/effort" },
            new[] { false, true, false, false }, new EnsembleOptions { Members = 2, Hidden = new[] { 16, 16 } });
        SampleRecorder recorder = null!;
        RobotNode Build()
        {
            recorder = new SampleRecorder(model.StateNames, model.ControlNames, 20);
            return RobotNode.Build(new NodeOptions
            {
                Robot = robot, Controller = "mpc-learned", Model = model, Clock = new SimulatedClock(), Duration_s = 1.0,
                InitialState = new double[] { 0, 0, 0, 0 }, Observers = new[] { recorder },
            });
        }
        Assert.Equal(0, RunCommandTests.SteadyStateBytes(Build, 1000 - 200));
        Assert.Equal(49, recorder.Ring.Count); // one record per 20 ms step, each written when its step closes
    }

    [Fact]
    public void Mbrl_learns_the_swing_up_from_its_own_data_with_the_shipped_settings()
    {
        // The shipped robot file, seed 1: random actions, then iLQR on the ensemble fitted to everything so far.
        // No knowledge of the dynamics but the state and control names. Stops after two successes in a row.
        var robot = Path.Combine(RunCommandTests.Root(), "robots/cartpole.sim.yaml");
        var trainer = new MbrlTrainer(new MbrlOptions(robot, 10, null, 1, Path.Combine(_dir, "swing"), StopAfterSuccesses: 2));
        trainer.Run();
        var summary = string.Join("; ", trainer.Results.Select(r => $"{r.Episode}: {(r.Success ? "ok" : "fail")} return {r.Return:0.00}"));
        Assert.False(trainer.Results[0].Success, summary); // random actions do not swing it up
        var (first, keeps) = trainer.SuccessEpisodes();
        Assert.True(first is not null && keeps is not null, $"the swing-up must be learned within 10 episodes: {summary}");
        Assert.True(trainer.Results[^1].Return > 2 * trainer.Results[0].Return, summary); // returns are negative costs
    }
}
