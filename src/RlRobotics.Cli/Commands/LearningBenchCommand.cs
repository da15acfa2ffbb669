using System.CommandLine;
using System.Globalization;
using RlRobotics.Cli.Bench;
using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Nn;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr bench learning</c>: W1 to W5 next to the PyTorch CPU reference figures.</summary>
internal static class LearningBenchCommand
{
    private const string PendulumRobot = "robots/pendulum.sim.yaml";

    public static Command Create(TextWriter output)
    {
        var backend = new Option<string>("--blas") { Description = "BLAS backend", DefaultValueFactory = _ => "auto" };
        backend.AcceptOnlyFromAmong("auto", "openblas", "managed");
        var threads = new Option<int>("--threads") { Description = "OpenBLAS threads (the reference used 1 BLAS thread)", DefaultValueFactory = _ => 1 };
        var command = new Command("learning", "W1 ensemble training, W2 policy inference, W3 sampling-MPC rollouts, W4 PPO update, W5 learned-model Jacobians") { backend, threads };
        command.SetAction(parse =>
        {
            var kind = parse.GetValue(backend) switch { "openblas" => BlasBackend.OpenBlas, "managed" => BlasBackend.Managed, _ => BlasBackend.Auto };
            IBlas blas;
            try { blas = Blas.Create(kind, Math.Max(1, parse.GetValue(threads))); }
            catch (InvalidOperationException ex) { output.WriteLine($"rlr bench learning: {ex.Message}"); return ExitCodes.BadInput; }
            var console = RunCommand.Console(output);
            var inv = CultureInfo.InvariantCulture;
            console.MarkupLine($"backend [cyan]{Markup.Escape(blas.Name)}[/]; timing…");

            var w1 = new LearningWorkloads.W1Trainer(blas);
            var (w1Median, _, w1Bytes) = LearningWorkloads.Time(() => w1.Step(), 200, 20);
            var w1Rate = w1.MemberSamplesPerStep / w1Median;

            var policy = new Mlp(LearningWorkloads.W2Shape, blas);
            policy.InitialiseOrthogonal(new Random(1));
            var ws = policy.CreateWorkspace(1);
            var obs = new float[] { 0.1f, -0.2f, 0.05f, 0.3f };
            var act = new float[1];
            var (w2Median, w2P99, w2Bytes) = LearningWorkloads.Time(() => policy.ForwardOne(ws, 0, obs, act), 100_000, 10_000);

            var w3 = new LearningWorkloads.W3Rollouts(blas);
            var (w3Median, w3P99, w3Bytes) = LearningWorkloads.Time(() => w3.Run(), 30, 3);

            var w4 = new LearningWorkloads.W4PpoUpdate(blas);
            var (w4Median, w4P99, w4Bytes) = LearningWorkloads.Time(w4.Run, 10, 2);

            var w5 = new LearningWorkloads.W5Jacobians(blas);
            var (w5Median, w5P99, w5Bytes) = LearningWorkloads.Time(w5.Run, 200, 20);

            var table = new Table().Border(TableBorder.Rounded).AddColumns("workload", "RlRobotics", "PyTorch 1.13 CPU (reference)", "ratio", "target", "bytes/call");
            string Ratio(double r) => r.ToString("0.0×", inv);
            table.AddRow("W1 ensemble training, member-samples/s", w1Rate.ToString("N0", inv), LearningWorkloads.ReferenceW1_samplesPerS.ToString("N0", inv),
                Ratio(w1Rate / LearningWorkloads.ReferenceW1_samplesPerS), "≥ 1.5×", w1Bytes.ToString("0", inv));
            table.AddRow("W2 policy batch 1, µs (median · p99)", $"{w2Median * 1e6:0.00} · {w2P99 * 1e6:0.00}", $"{LearningWorkloads.ReferenceW2_us}",
                Ratio(LearningWorkloads.ReferenceW2_us / (w2Median * 1e6)), "≥ 20×", w2Bytes.ToString("0", inv));
            table.AddRow("W3 500 × 30 rollouts, ms (median · p99)", $"{w3Median * 1e3:0.0} · {w3P99 * 1e3:0.0}", $"{LearningWorkloads.ReferenceW3_ms}",
                Ratio(LearningWorkloads.ReferenceW3_ms / (w3Median * 1e3)), "≥ 1.5×", w3Bytes.ToString("0", inv));
            table.AddRow("W4 PPO update (2048 × 10 epochs), ms (median · p99)", $"{w4Median * 1e3:0.0} · {w4P99 * 1e3:0.0}", $"{LearningWorkloads.ReferenceW4_ms}",
                Ratio(LearningWorkloads.ReferenceW4_ms / (w4Median * 1e3)), "≥ 2×", w4Bytes.ToString("0", inv));
            table.AddRow("W5 100 Jacobians, ms (median · p99)", $"{w5Median * 1e3:0.000} · {w5P99 * 1e3:0.000}", $"{LearningWorkloads.ReferenceW5_ms}",
                Ratio(LearningWorkloads.ReferenceW5_ms / (w5Median * 1e3)), "≥ 5×", w5Bytes.ToString("0", inv));
            // End to end: PPO on the pendulum task of the shipped robot file, collection and learning timed apart (rsl_rl's split).
            if (File.Exists(PendulumRobot))
            {
                var (task, model) = Training.PolicyTraining.TaskOf(Core.Spec.RobotSpecLoader.LoadFile(PendulumRobot));
                var options = Training.OnPolicySettings.Read(Core.Spec.RobotSpecLoader.LoadFile(PendulumRobot)) with { TotalSteps = 100_000, Seed = 1 };
                var trainer = new Learning.Rl.OnPolicyTrainer(task, model, options, blas: blas);
                trainer.Run();
                double collect = trainer.History.Sum(h => h.CollectSeconds), learn = trainer.History.Sum(h => h.LearnSeconds);
                var rate = trainer.History[^1].Steps / (collect + learn);
                table.AddRow("PPO on the pendulum (1e5 steps), env steps/s", $"{rate:N0} (collection {collect:0.00} s · learning {learn:0.00} s)",
                    "970 (Stable-Baselines3 log)", Ratio(rate / 970), "≥ 10×", "–");
            }
            console.Write(table);
            console.MarkupLine("[grey]Reference: PyTorch 1.13 on this kind of machine (2 threads, OPENBLAS_NUM_THREADS=1), measured once; figures drift ±20–30 % between runs.[/]");
            return ExitCodes.Success;
        });
        return command;
    }
}
