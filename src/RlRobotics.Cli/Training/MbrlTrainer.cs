using System.Diagnostics;
using System.Globalization;
using System.Text;
using RlRobotics.Cli.Node;
using RlRobotics.Cli.Reports;
using RlRobotics.Control;
using RlRobotics.Control.Controllers;
using RlRobotics.Control.Planning;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Recording;
using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Data;
using RlRobotics.Learning.Dynamics;

namespace RlRobotics.Cli.Training;

/// <summary>What <c>rlr train mbrl</c> was asked to do.</summary>
/// <param name="RobotPath">The robot file.</param>
/// <param name="Episodes">Episodes at most, the first with random actions.</param>
/// <param name="Planner">Planner on the learned model (null: <c>agent.learned.planner</c>).</param>
/// <param name="Seed">Seed for the model, planner, exploration and sensor noise.</param>
/// <param name="OutDir">Where the artefacts go.</param>
/// <param name="StopAfterSuccesses">Stop early once this many episodes in a row succeeded (null: run them all).</param>
internal sealed record MbrlOptions(string RobotPath, int Episodes, string? Planner, int Seed, string OutDir, int? StopAfterSuccesses = null);

/// <summary>One episode's metrics (a row of <c>metrics.csv</c>).</summary>
internal sealed record EpisodeResult(int Episode, string Controller, double Return, bool Success, double? Settled_s,
    double HeldOutMse, double HeldOutNll, int FitEpochs, double ValidationMse, double FitSeconds, double PlanMsP50,
    double EpisodeSeconds, int Transitions);

/// <summary>
/// Model-based RL with a learned model only (PETS's loop): episode 0 explores with random actions; then, repeatedly, fit
/// the ensemble to every transition so far, run one episode of MPC on the learned model through the HAL and the safety
/// filter (the simulator's own model is never given to the agent: it only supplies the state and control names), and
/// record. Transitions leave the real-time loop through <see cref="SampleRecorder"/>'s ring and are paired off the loop
/// by <see cref="TransitionAssembler"/>. Writes <c>episodes.csv</c>, <c>metrics.csv</c>, <c>learning_curve.svg</c> and
/// <c>model.ckpt</c> into the output folder.
/// </summary>
internal sealed class MbrlTrainer
{
    private readonly MbrlOptions _options;

    public MbrlTrainer(MbrlOptions options) => _options = options;

    public EnsembleDynamicsModel? Model { get; private set; }

    public List<EpisodeResult> Results { get; } = new();

    /// <summary>Runs every episode; <paramref name="onEpisode"/> sees each result as it lands.</summary>
    public void Run(Action<EpisodeResult>? onEpisode = null, Action<string>? onPhase = null)
    {
        var robot = RobotSpecLoader.LoadFile(_options.RobotPath);
        var settings = LearnedSettings.Read(robot);
        Directory.CreateDirectory(_options.OutDir);
        var episodesPath = Path.Combine(_options.OutDir, "episodes.csv");
        if (File.Exists(episodesPath)) File.Delete(episodesPath);

        // Names and angle flags only: the agent learns its dynamics from data.
        var components = RobotNode.DefaultRegistry().CreateAll(robot, _options.Seed, settings.InitialState);
        var names = RobotNode.AgentModel(robot, components) ?? throw new InvalidOperationException("the robot has no state/control description for a learned model (add agent.model or a simulated component)");
        var periodic = Enumerable.Range(0, names.StateSize).Select(names.IsPeriodic).ToArray();
        var model = new EnsembleDynamicsModel(names.StateNames, names.ControlNames, periodic, settings.Model, Blas.Default, _options.Seed);
        Model = model;
        var trainer = new EnsembleTrainer(model, settings.Training with { Seed = _options.Seed });

        // The planning setup, read once for its cost (the episode return) and the latency it compensates.
        var agent = robot.Agent.Node;
        var planner = _options.Planner ?? settings.Planner;
        var setup = PlannerConfig.Read(robot, agent, model, planner, lockstep: true, _options.Seed, agent["learned"]);
        agent.Diagnostics.ThrowIfAny();
        var cost = setup!.Problem.Cost.Clone();
        cost.WrapAngles = true;
        var delaySteps = (int)Math.Round(setup.Mpc.Latency_s / model.Dt_s);
        var everyCycles = Math.Max(1, (int)Math.Round(model.Dt_s * robot.RateHz));
        var header = new EpisodeFile(names.StateNames, names.ControlNames, model.Dt_s, delaySteps);

        var steps = settings.EpisodeSteps;
        var buffer = new ReplayBuffer(model.StateSize, model.ControlSize, Math.Max(1, _options.Episodes * steps));
        var assembler = new TransitionAssembler(model.StateSize, model.ControlSize, model.Dt_s, delaySteps);
        FitReport? fit = null;
        for (var episode = 0; episode < _options.Episodes; episode++)
        {
            var started = Stopwatch.GetTimestamp();
            if (episode > 0)
            {
                onPhase?.Invoke($"episode {episode}: fitting the model to {buffer.Count} transitions");
                fit = trainer.Fit(buffer);
                model.Save(Path.Combine(_options.OutDir, "model.ckpt"));
            }
            onPhase?.Invoke($"episode {episode}: {(episode == 0 ? "random actions" : $"{planner} MPC on the learned model")}");
            var recorder = new SampleRecorder(names.StateNames, names.ControlNames, everyCycles);
            var random = episode == 0 ? new RandomActionController(robot, names.ControlNames, model.Dt_s, _options.Seed) : null;
            using var node = RobotNode.Build(new NodeOptions
            {
                Robot = robot,
                Controller = ControllerFactory.LearnedMpc,
                ControllerInstance = random,
                Model = model,
                Planner = planner,
                Clock = new SimulatedClock(),
                Seed = _options.Seed * 1000 + episode,
                InitialState = settings.InitialState,
                // One loop cycle past the last step, so its interval closes and its record is written.
                Duration_s = steps * model.Dt_s + robot.Period_s,
                Observers = new[] { recorder },
            });
            var refused = node.Activate();
            if (refused.Count > 0) throw new InvalidOperationException("hardware refused to start: " + string.Join("; ", refused));

            // The learner side: drain the ring while the loop runs on its own thread.
            var start = buffer.Count;
            var records = new List<(int, int, double[])>();
            var record = new double[recorder.Ring.Width];
            assembler.Reset();
            void Drain()
            {
                while (recorder.Ring.TryRead(record))
                {
                    if (records.Count >= steps) continue;
                    assembler.Add(record, buffer, episode);
                    records.Add((episode, records.Count, (double[])record.Clone()));
                }
            }
            node.Loop.Start();
            while (node.Loop.IsRunning) { Drain(); Thread.Sleep(1); }
            node.Loop.Join();
            Drain();
            if (node.Loop.ControllerFault is { } fault) throw new InvalidOperationException($"episode {episode}: the controller failed: {fault.Message}");
            EpisodeFile.Append(episodesPath, header, records);

            var added = buffer.Count - start;
            var heldOut = episode > 0 ? EnsembleTrainer.Evaluate(model, buffer, start, added) : new ModelEvaluation(0, double.NaN, double.NaN);
            double ret = 0;
            foreach (var (_, _, r) in records) ret -= cost.Running(r.AsSpan(1, model.StateSize), r.AsSpan(1 + model.StateSize, model.ControlSize));
            var planMs = double.NaN;
            if (node.Controller is MpcController mpc)
            {
                var times = mpc.Planner.RecentSolveTimes();
                Array.Sort(times);
                if (times.Length > 0) planMs = 1000 * times[times.Length / 2];
            }
            var result = new EpisodeResult(episode, episode == 0 ? "random" : planner + "-mpc", ret, node.Monitor?.Succeeded ?? false,
                node.Monitor?.Settled_s, heldOut.Mse, heldOut.Nll, fit?.Epochs ?? 0, fit?.ValidationMse ?? double.NaN, fit?.Seconds ?? 0,
                planMs, Stopwatch.GetElapsedTime(started).TotalSeconds, added);
            Results.Add(result);
            onEpisode?.Invoke(result);
            if (_options.StopAfterSuccesses is { } enough && Results.Count >= enough && Results.TakeLast(enough).All(r => r.Success)) break;
        }
        if (Results.Count == 1) model.Save(Path.Combine(_options.OutDir, "model.ckpt"));
        WriteMetrics(Path.Combine(_options.OutDir, "metrics.csv"));
        File.WriteAllText(Path.Combine(_options.OutDir, "learning_curve.svg"), PlotSvg.Panels($"MBRL on {robot.Name}: {planner} MPC on a learned ensemble",
            Results.Select(r => (double)r.Episode).ToList(), new (string, double[], bool)[]
            {
                ("return", Results.Select(r => r.Return).ToArray(), false),
                ("success (1 = held)", Results.Select(r => r.Success ? 1.0 : 0.0).ToArray(), true),
                ("held-out model MSE", Results.Select(r => double.IsFinite(r.HeldOutMse) ? r.HeldOutMse : 0).ToArray(), false),
                ("planning ms / step (p50)", Results.Select(r => double.IsFinite(r.PlanMsP50) ? r.PlanMsP50 : 0).ToArray(), false),
            }));
    }

    /// <summary>The first episode that succeeded, and the first from which every later episode succeeded (null: none).</summary>
    public (int? First, int? Keeps) SuccessEpisodes()
    {
        int? first = Results.FirstOrDefault(r => r.Success)?.Episode;
        int? keeps = null;
        for (var i = Results.Count - 1; i >= 0 && Results[i].Success; i--) keeps = Results[i].Episode;
        return (first, keeps);
    }

    private void WriteMetrics(string path)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("episode,controller,return,success,settled_s,heldout_mse,heldout_nll,fit_epochs,validation_mse,fit_s,plan_ms_p50,episode_s,transitions\n");
        foreach (var r in Results)
            sb.AppendLine(string.Join(",", r.Episode.ToString(inv), r.Controller, r.Return.ToString("G6", inv), r.Success ? "1" : "0",
                r.Settled_s?.ToString("G6", inv) ?? "", r.HeldOutMse.ToString("G6", inv), r.HeldOutNll.ToString("G6", inv), r.FitEpochs.ToString(inv),
                r.ValidationMse.ToString("G6", inv), r.FitSeconds.ToString("G4", inv), r.PlanMsP50.ToString("G4", inv), r.EpisodeSeconds.ToString("G4", inv),
                r.Transitions.ToString(inv)));
        File.WriteAllText(path, sb.ToString());
    }
}
