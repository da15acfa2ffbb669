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
            Row("task", task.Success ? "[green]success[/]" : "[red]failed[/]");
            foreach (var c in task.Criteria)
                Row($"  {c.Interface}", $"{(c.Held ? "[green]held[/]" : "[red]not held[/]")} |error| {F(c.FinalError, "0.#####")} ≤ {F(c.Tolerance)} for the last {F(task.HoldS)} s");
        }
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
        Row("allocations", $"{F(r.Allocations.BytesPerCycle, "0.###")} bytes/cycle over {r.Allocations.CyclesMeasured} cycles");
        if (r.ControllerFault is { } fault) Row("controller fault", $"[red]{Markup.Escape(fault)}[/]");
        console.Write(table);
    }
}
