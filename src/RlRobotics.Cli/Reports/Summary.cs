using System.Globalization;
using Spectre.Console;

namespace RlRobotics.Cli.Reports;

/// <summary>The end-of-run summary table.</summary>
internal static class Summary
{
    public static void Write(IAnsiConsole console, RunReport r)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn("");
        table.HideHeaders();
        void Row(string k, string v) => table.AddRow(new Markup($"[grey]{Markup.Escape(k)}[/]"), new Markup(v));
        static string F(double v, string f = "0.####") => v.ToString(f, CultureInfo.InvariantCulture);

        if (r.Task is { } task)
        {
            Row("task", task.Success ? $"[green]success[/] (every tolerance held from t = {F(task.SettledS, "0.###")} s)" : "[red]failed[/]");
            foreach (var c in task.Criteria)
                Row($"  {c.Interface}", $"{(c.Held ? "[green]held[/]" : "[red]not held[/]")} |error| {F(c.FinalError, "0.#####")} ≤ {F(c.Tolerance)} for the last {F(task.HoldS)} s");
        }
        if (r.Mpc is { } mpc)
        {
            Row("planner", $"{mpc.Planner}: {mpc.Solves} plans · {(r.Clock == "sim" ? "lockstep with the simulated clock" : $"{F(mpc.PlanningRateHz, "0.#")} plans/s")} · " +
                           $"solve ms p50 {F(mpc.SolveMsP50, "0.###")} · p99 {F(mpc.SolveMsP99, "0.###")} · max {F(mpc.SolveMsMax, "0.###")}" +
                           (mpc.DivergedSolves > 0 ? $" · [yellow]{mpc.DivergedSolves} diverged[/]" : ""));
            Row("fallback", mpc.FallbackEvents == 0 ? "[green]never used[/]" :
                $"[yellow]{mpc.FallbackEvents} events, {mpc.FallbackCycles} cycles[/] ({Markup.Escape(string.Join(", ", mpc.FallbackCyclesByReason.Select(kv => $"{kv.Key} {kv.Value}")))})" +
                (mpc.FirstFallbackS is { } first ? $" · first at t = {F(first, "0.###")} s" : ""));
            if (!mpc.PlannerAlive) Row("planner thread", $"[red]dead[/] {Markup.Escape(mpc.PlannerFault ?? "")}");
        }
        if (r.Policy is { } policy)
            Row("policy", $"{Markup.Escape(policy.Algorithm)}: {policy.Decisions} decisions every {F(policy.StepS, "0.###")} s · " +
                          (policy.Shielded ? $"shield on, {policy.ShieldInterventions} actions changed" : "shield off"));
        Row("final state", Markup.Escape(string.Join("  ", r.FinalState.Select(kv => $"{kv.Key}={F(kv.Value, "0.####")}"))));
        Row("loop", $"{r.Loop.Cycles} cycles in {F(r.ElapsedS, "0.###")} s ({F(r.Loop.AchievedRateHz, "0.#")} Hz) · wall {F(r.WallTimeS, "0.###")} s");
        Row("lateness µs", $"p50 {r.Loop.LatenessUs.P50} · p99 {r.Loop.LatenessUs.P99} · p99.9 {r.Loop.LatenessUs.P999} · max {r.Loop.LatenessUs.Max}");
        Row("compute µs", $"p50 {r.Loop.ComputeUs.P50} · p99 {r.Loop.ComputeUs.P99} · max {r.Loop.ComputeUs.Max}");
        Row("overruns", $"{r.Loop.Overruns} ({r.Loop.SkippedPeriods} periods skipped)");
        foreach (var g in r.Realtime)
            Row("  " + g.Setting, g.Granted ? "[green]granted[/]" : $"[yellow]refused[/] {Markup.Escape(g.Detail)}");
        var s = r.Safety;
        Row("safety", s.Interventions == 0 ? "[green]0 interventions[/]" :
            $"[yellow]{s.Interventions} interventions[/] (non-finite {s.NonFinite}, position {s.PositionLimited}, velocity {s.VelocityLimited}, effort {s.EffortLimited}, rate {s.RateLimited}, watchdog {s.WatchdogTrips}, e-stops {s.EStops})");
        if (s.EStopLatched) Row("e-stop", $"[red]latched[/]: {Markup.Escape(s.EStopReason ?? "")}");
        foreach (var b in r.Buses)
        {
            var trouble = b.Retries + b.Timeouts + b.CrcErrors + b.Failures + b.CircuitOpenings > 0;
            Row($"bus {b.Component}", $"{Markup.Escape(b.Port)} @ {b.Baud} bit/s · {b.Transactions} transactions · " +
                (trouble ? $"[yellow]{b.Retries} retries, {b.Timeouts} timeouts, {b.CrcErrors} CRC errors, {b.Failures} failed, circuit opened {b.CircuitOpenings}×[/]"
                         : "[green]no retries[/]") + $" · circuit {b.Circuit}" +
                (b.LateBytes > 0 ? $" · [yellow]{b.LateBytes} late bytes discarded[/] in {b.QuietWaits} waits for a quiet line" : ""));
        }
        foreach (var c in r.Components.Where(c => c.LastError is not null))
            Row($"  {c.Name}", $"{c.State} · last error: {Markup.Escape(c.LastError!)}");
        Row("allocations", $"{F(r.Allocations.BytesPerCycle, "0.###")} bytes/cycle over {r.Allocations.CyclesMeasured} cycles");
        if (r.ControllerFault is { } fault) Row("controller fault", $"[red]{Markup.Escape(fault)}[/]");
        console.Write(table);
    }
}
