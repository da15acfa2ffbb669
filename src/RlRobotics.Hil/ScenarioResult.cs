using System.Globalization;
using System.Text.Json.Serialization;
using RlRobotics.Hil.Faults;
using RlRobotics.Hil.Scenarios;

namespace RlRobotics.Hil;

/// <summary>One pass criterion's verdict, with what was measured.</summary>
public sealed record CriterionResult(string Name, bool Passed, string Detail);

/// <summary>What one fault did: when the filter reacted (detection) and when the robot was back (recovery), seconds after its start/end.</summary>
public sealed record FaultResult(string Kind, string Description, double At_s, double Duration_s, double? Detected_s, double? Recovered_s);

/// <summary>Per fault kind over every run of a HIL session: how long to the safety reaction and to recovered (median, max).</summary>
public sealed record FaultSummary(string Kind, int Runs, double? DetectedMedian_s, double? DetectedMax_s, double? RecoveredMedian_s, double? RecoveredMax_s)
{
    public static IReadOnlyList<FaultSummary> Of(IEnumerable<ScenarioResult> results) =>
        results.SelectMany(r => r.Faults).GroupBy(f => f.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var detected = g.Where(f => f.Detected_s is not null).Select(f => f.Detected_s!.Value).Order().ToArray();
            var recovered = g.Where(f => f.Recovered_s is not null).Select(f => f.Recovered_s!.Value).Order().ToArray();
            return new FaultSummary(g.Key, g.Count(), Median(detected), detected.Length > 0 ? detected[^1] : null,
                Median(recovered), recovered.Length > 0 ? recovered[^1] : null);
        }).ToList();

    static double? Median(double[] sorted) => sorted.Length == 0 ? null
        : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

/// <summary>What the rig's persistent-session subscriber saw of the fleet link's QoS 1 state samples.</summary>
public sealed record TelemetryCount(long Published, long Received, long Missing, string FirstGaps, long Reconnects);

/// <summary>The outcome of one scenario run.</summary>
public sealed record ScenarioResult(string Name, string File, string Description, bool Passed, IReadOnlyList<CriterionResult> Criteria,
    IReadOnlyList<FaultResult> Faults, long Cycles, double LoopTime_s, double WallTime_s, string? Error = null)
{
    /// <summary>Loop time the filter held the robot in its safe state, s.</summary>
    public double SafeTime_s { get; init; }
    /// <summary>The loop's overruns (wake-ups a whole period late).</summary>
    public long Overruns { get; init; }
    /// <summary>The rig's log (processes stopped and started, serial proxy counters), when it ran any.</summary>
    public IReadOnlyList<string> RigEvents { get; init; } = [];

    /// <summary>Why it failed, one line per failed criterion (or the error that stopped it).</summary>
    public string FailureReason => Error ?? string.Join("; ", Criteria.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Detail}"));

    /// <summary>The scenario and its per-cycle recording, for the HTML report's plots; null when the rig never ran. Not in the JSON.</summary>
    [JsonIgnore]
    public ScenarioRecording? Recording { get; init; }

    /// <summary>Decides the scenario's criteria from a finished run's recording.</summary>
    public static ScenarioResult Evaluate(Scenario scenario, RunRecorder run, FaultInjector faults, double wall_s, TelemetryCount? telemetry = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var criteria = new List<CriterionResult>();
        var c = scenario.Criteria;
        int Index(string name)
        {
            for (var i = 0; i < run.StateNames.Count; i++)
                if (run.StateNames[i] == name) return i;
            throw new InvalidOperationException($"{scenario.File}: the robot has no state interface '{name}'");
        }

        foreach (var t in c.Tracking)
        {
            var i = Index(t.Interface);
            var (worst, at) = (0.0, 0.0);
            for (var k = 0; k < run.Count; k++)
            {
                if (run.Time_s[k] < t.From_s || run.Time_s[k] > (t.Until_s ?? double.PositiveInfinity)) continue;
                var e = Math.Abs(run.State(k, i) - t.Goal);
                if (!(e <= worst)) (worst, at) = (e, run.Time_s[k]); // NaN counts as worst
            }
            var until = t.Until_s is { } u ? string.Create(inv, $" until {u} s") : "";
            criteria.Add(new CriterionResult($"tracking {t.Interface}", worst <= t.Bound,
                string.Create(inv, $"max |error| {worst:0.####} at {at:0.###} s (bound {t.Bound}, from {t.From_s} s{until})")));
        }

        var faultResults = new List<FaultResult>();
        for (var n = 0; n < scenario.Faults.Count; n++)
        {
            var f = scenario.Faults[n];
            var start_s = faults.StartedAt_ns[n] >= 0 ? faults.StartedAt_ns[n] * 1e-9 : f.At_s;
            var detected = f.ExpectsReaction ? Detection(run, f, start_s) : null;
            var recovered = Recovery(scenario, run, f, Index);
            faultResults.Add(new FaultResult(Fault.Name(f.Kind), f.Describe(), f.At_s, f.Duration_s, detected, recovered));
            if (c.SafeWithin_s is { } safe && f.ExpectsReaction)
                criteria.Add(new CriterionResult($"safe after {Fault.Name(f.Kind)} at {f.At_s} s", detected is { } d && d <= safe,
                    detected is { } d2 ? string.Create(inv, $"reacted after {d2 * 1e3:0.#} ms (bound {safe * 1e3:0.#} ms)") : "the filter never reacted"));
            if (c.RecoverWithin_s is { } bound)
                criteria.Add(new CriterionResult($"recovered from {Fault.Name(f.Kind)} at {f.At_s} s", recovered is { } r && r <= bound,
                    recovered is { } r2 ? string.Create(inv, $"back {r2:0.###} s after the fault ended (bound {bound} s)") : "never back within the run"));
        }

        if (c.EStopLatched is { } latched)
            criteria.Add(new CriterionResult(latched ? "e-stop latched at the end" : "no e-stop latched", run.EStopLatched == latched,
                run.EStopLatched ? $"latched: {run.EStopReason}" : "not latched"));
        if (c.NoUnsafeCommands)
            criteria.Add(new CriterionResult("no unsafe command at the actuators", run.UnsafeCommands == 0,
                run.UnsafeCommands == 0 ? $"{run.Count} cycles, every command finite and within limits" : $"{run.UnsafeCommands} unsafe, first: {run.FirstUnsafe}"));

        if (c.NoLostTelemetry)
            criteria.Add(telemetry is { } t
                ? new CriterionResult("no lost QoS 1 telemetry", t.Missing == 0 && t.Published > 0,
                    t.Missing == 0 ? $"all {t.Published} state samples arrived (the robot's link reconnected {t.Reconnects} times)"
                                   : $"{t.Missing} of {t.Published} state samples never arrived (first: seq {t.FirstGaps}; {t.Reconnects} reconnects)")
                : new CriterionResult("no lost QoS 1 telemetry", false, "the node had no fleet link to count"));

        var loop_s = run.Count > 0 ? run.Time_s[run.Count - 1] : 0;
        var safe_s = 0.0;
        for (var k = 1; k < run.Count; k++)
            if (run.Safe[k]) safe_s += run.Time_s[k] - run.Time_s[k - 1];
        return new ScenarioResult(scenario.Name, scenario.File, scenario.Description, criteria.All(x => x.Passed), criteria, faultResults, run.Count, loop_s, wall_s)
        {
            SafeTime_s = safe_s,
            Overruns = run.Count > 0 ? run.Overruns[run.Count - 1] : 0,
            Recording = new ScenarioRecording(scenario, run),
        };
    }

    // The first cycle from the fault's start in which the filter showed the reaction this kind of fault calls for.
    static double? Detection(RunRecorder run, Fault f, double start_s)
    {
        var first = FirstAtOrAfter(run, start_s);
        if (first < 0) return null;
        var before = first > 0 ? first - 1 : first;
        for (var k = first; k < run.Count && run.Time_s[k] <= f.End_s + 1.0; k++)
        {
            var reacted = f.Expect switch
            {
                Reaction.SafeMode => run.Safe[k],
                Reaction.NonFinite => run.NonFinite[k] > run.NonFinite[before],
                Reaction.Limited => run.Limited[k] > run.Limited[before],
                Reaction.Overrun => run.Overruns[k] > run.Overruns[before],
                _ => false,
            };
            if (reacted) return Math.Max(0, run.Time_s[k] - start_s);
        }
        return null;
    }

    // From the fault's end: the first cycle after which the filter is out of safe mode and every recovery interface stays
    // within its tolerance of the goal for the hold time.
    static double? Recovery(Scenario scenario, RunRecorder run, Fault f, Func<string, int> index)
    {
        var tolerance = scenario.Criteria.RecoveryTolerance.Select(t => (Index: index(t.Key), Goal: scenario.Goals[t.Key], Tol: t.Value)).ToArray();
        var hold = scenario.Criteria.RecoveryHold_s;
        int? since = null;
        for (var k = FirstAtOrAfter(run, f.End_s); k >= 0 && k < run.Count; k++)
        {
            var back = !run.Safe[k] && tolerance.All(t => Math.Abs(run.State(k, t.Index) - t.Goal) <= t.Tol);
            if (!back) { since = null; continue; }
            since ??= k;
            if (run.Time_s[k] - run.Time_s[since.Value] >= hold) return Math.Max(0, run.Time_s[since.Value] - f.End_s);
        }
        return null;
    }

    static int FirstAtOrAfter(RunRecorder run, double t_s)
    {
        for (var k = 0; k < run.Count; k++)
            if (run.Time_s[k] >= t_s - 1e-9) return k;
        return -1;
    }
}
