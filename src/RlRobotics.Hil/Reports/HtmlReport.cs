using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RlRobotics.Hil.Faults;
using RlRobotics.Hil.Scenarios;
using static RlRobotics.Hil.Reports.SvgPlot;

namespace RlRobotics.Hil.Reports;

/// <summary>
/// The human-readable result of a <c>rlr hil run</c>: one self-contained HTML file (inline CSS and SVG, no script, no
/// external resource) with a section per scenario: verdict, criteria, faults, and four plots from the recording —
/// states against their goals and bounds, commands against their limits, the safety events on the timeline, and the
/// loop's wake-up lateness. The document is also well-formed XML, so tests (and tools) can parse it.
/// </summary>
public static class HtmlReport
{
    /// <summary>Stroke colours of the state series (one per panel, cycling), then the command series, and the other marks.</summary>
    static readonly string[] StateColours = ["#1f77b4", "#17becf", "#9467bd"];
    static readonly string[] CommandColours = ["#2ca02c", "#8c564b", "#bcbd22"];
    const string GoalColour = "#333333", BoundColour = "#1f77b4", ToleranceColour = "#17becf", LimitColour = "#d62728";
    const string FaultColour = "#ff7f0e", SafeColour = "#9467bd", NonFiniteColour = "#e377c2", LimitedColour = "#8c564b";
    const string OverrunColour = "#000000", BarColour = "#6a3d9a";
    const double FaultOpacity = 0.22, BandOpacity = 0.12;
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    const string Css = """
        body { font-family: system-ui, sans-serif; color: #222; max-width: 1140px; margin: 0 auto; padding: 0 16px 32px; }
        h1 { font-size: 22px; margin: 16px 0 4px; }
        h2 { font-size: 19px; margin: 12px 0 4px; }
        h3 { font-size: 15px; margin: 14px 0 4px; }
        section.scenario { border-top: 4px solid #bbb; margin-top: 28px; }
        section.pass { border-color: #2e7d32; }
        section.fail { border-color: #c62828; }
        .verdict { display: inline-block; padding: 1px 8px; border-radius: 3px; color: #fff; font-size: 15px; margin-right: 6px; }
        .verdict.pass, td.pass { background: #2e7d32; color: #fff; }
        .verdict.fail, td.fail { background: #c62828; color: #fff; }
        .description { margin: 2px 0; }
        .figures { color: #555; font-size: 13px; margin: 2px 0; }
        .reason { color: #c62828; font-weight: bold; margin: 6px 0; }
        table { border-collapse: collapse; margin: 4px 0 10px; font-size: 13px; }
        th, td { border: 1px solid #ddd; padding: 2px 8px; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; }
        td.pass, td.fail { font-weight: bold; text-align: center; }
        figure { margin: 4px 0 12px; }
        figcaption { font-size: 12px; color: #555; }
        svg { display: block; max-width: 100%; height: auto; }
        ul.toc { font-size: 14px; padding-left: 20px; }
        """;

    /// <summary>The report for every scenario of a run; <paramref name="total_s"/> is the run's wall time.</summary>
    public static string ToHtml(IReadOnlyList<ScenarioResult> results, double total_s)
    {
        var passed = results.Count(r => r.Passed);
        var ids = Ids(results);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
            .Append($"<title>rlr hil run: {passed} of {results.Count} passed</title>\n<style>\n{Css}</style>\n</head>\n<body>\n")
            .Append($"<h1>rlr hil run</h1>\n<p class=\"summary\">{passed} of {results.Count} scenarios passed in ")
            .Append(total_s.ToString("0.#", Inv)).Append(" s.</p>\n<ul class=\"toc\">\n");
        for (var i = 0; i < results.Count; i++)
            html.Append($"<li><a href=\"#{ids[i]}\">{Verdict(results[i].Passed)} {E(results[i].Name)}</a></li>\n");
        html.Append("</ul>\n");
        for (var i = 0; i < results.Count; i++) Section(html, results[i], ids[i]);
        return html.Append("</body>\n</html>\n").ToString();
    }

    static void Section(StringBuilder html, ScenarioResult r, string id)
    {
        var verdict = r.Passed ? "pass" : "fail";
        html.Append($"<section class=\"scenario {verdict}\" id=\"{id}\">\n")
            .Append($"<h2><span class=\"verdict {verdict}\">{Verdict(r.Passed)}</span> {E(r.Name)}</h2>\n");
        if (r.Description.Length > 0) html.Append($"<p class=\"description\">{E(r.Description)}</p>\n");
        var rig = r.Recording is { Scenario: var s } ? $" · {s.Controller ?? "the robot file's controller"} on {Path.GetFileName(s.Robot)}, {s.Clock} clock" : "";
        html.Append("<p class=\"figures\">").Append(E(string.Create(Inv,
            $"{Path.GetFileName(r.File)}{rig} · {r.Cycles} cycles · {r.LoopTime_s:0.###} s of loop time · {r.WallTime_s:0.##} s wall time · safe for {r.SafeTime_s * 1e3:0.#} ms · {r.Overruns} overruns"))).Append("</p>\n");
        if (r.Error is not null) html.Append($"<p class=\"reason\">error: the rig did not run: {E(r.Error)}</p>\n");
        else if (!r.Passed) html.Append($"<p class=\"reason\">failed: {E(r.FailureReason)}</p>\n");

        if (r.Criteria.Count > 0)
        {
            html.Append("<h3>Criteria</h3>\n<table class=\"criteria\">\n<thead><tr><th>criterion</th><th>result</th><th>detail</th></tr></thead>\n<tbody>\n");
            foreach (var c in r.Criteria)
                html.Append($"<tr class=\"{(c.Passed ? "pass" : "fail")}\"><td>{E(c.Name)}</td><td class=\"{(c.Passed ? "pass" : "fail")}\">{Verdict(c.Passed)}</td><td>{E(c.Detail)}</td></tr>\n");
            html.Append("</tbody>\n</table>\n");
        }
        if (r.Faults.Count > 0)
        {
            html.Append("<h3>Faults</h3>\n<table class=\"faults\">\n<thead><tr><th>kind</th><th>description</th><th>detection</th><th>recovery</th></tr></thead>\n<tbody>\n");
            foreach (var f in r.Faults)
                html.Append($"<tr><td>{E(f.Kind)}</td><td>{E(f.Description)}</td><td>{E(f.Detected_s is null && f.Kind is "push" or "broker_restart" ? "none expected" : HilReports.Seconds(f.Detected_s))}</td><td>{E(HilReports.Seconds(f.Recovered_s))}</td></tr>\n");
            html.Append("</tbody>\n</table>\n");
        }
        if (r.RigEvents.Count > 0)
        {
            html.Append("<h3>Rig</h3>\n<ul class=\"rig\">\n");
            foreach (var line in r.RigEvents) html.Append($"<li>{E(line)}</li>\n");
            html.Append("</ul>\n");
        }
        if (r.Recording is { } rec)
        {
            Figure(html, "States vs goal", StatesPlot(id, rec),
                "Each tracked interface with its goal (dashed), the tracking bound as a band over its time window and the recovery tolerance (dotted); faults shaded.");
            Figure(html, "Commands vs limits", CommandsPlot(id, rec), "Every command as written to the actuators, with its joint's limits (dashed); faults shaded.");
            Figure(html, "Safety events", SafetyPlot(id, rec),
                "Fault windows, the filter's safe mode, and a tick in every cycle in which the filter replaced a non-finite command, limited a command, or the loop overran.");
            Figure(html, "Loop lateness", LatenessPlot(id, rec, out var stats), stats);
        }
        html.Append("</section>\n");
    }

    static void Figure(StringBuilder html, string title, string svg, string caption) =>
        html.Append($"<h3>{E(title)}</h3>\n<figure>\n{svg}\n<figcaption>{E(caption)}</figcaption>\n</figure>\n");

    // (a) The tracked interfaces: those with a tracking bound, a recovery goal or a recovery tolerance; the position
    // states when the scenario tracks none.
    static string StatesPlot(string id, ScenarioRecording rec)
    {
        var (s, run) = rec;
        var plot = new SvgPlot(id + "-states", "plot plot-states", $"{s.Name}: states vs goal");
        var c = s.Criteria;
        var names = c.Tracking.Select(t => t.Interface).Concat(s.Goals.Keys).Concat(c.RecoveryTolerance.Keys).Distinct()
            .Where(run.StateNames.Contains).ToList();
        if (names.Count == 0) names = run.StateNames.Where(n => n.EndsWith("/position", StringComparison.Ordinal)).ToList();
        if (names.Count == 0) names = [.. run.StateNames];
        var time = TimeRange(rec);
        for (var p = 0; p < names.Count; p++)
        {
            var name = names[p];
            var index = IndexOf(run.StateNames, name);
            var bounds = c.Tracking.Where(t => t.Interface == name).ToList();
            double? goal = s.Goals.TryGetValue(name, out var g) ? g : bounds.Count > 0 ? bounds[0].Goal : null;
            double? tolerance = c.RecoveryTolerance.TryGetValue(name, out var tol) ? tol : null;
            var extent = Column(run.States, index, run.StateNames.Count, run.Count)
                .Concat(bounds.SelectMany(b => new[] { b.Goal - b.Bound, b.Goal + b.Bound }))
                .Concat(goal is { } gv ? new[] { gv - (tolerance ?? 0), gv + (tolerance ?? 0) } : []);
            var colour = StateColours[p % StateColours.Length];
            var legend = new List<LegendItem> { new(name, colour, Swatch.Line) };
            if (goal is not null) legend.Add(new("goal", GoalColour, Swatch.Dashed));
            if (bounds.Count > 0) legend.Add(new("± tracking bound", BoundColour, Swatch.Fill, BandOpacity));
            if (tolerance is not null && goal is not null) legend.Add(new("± recovery tolerance", ToleranceColour, Swatch.Dashed));
            if (s.Faults.Count > 0) legend.Add(new("fault", FaultColour, Swatch.Fill, FaultOpacity));
            var panel = plot.AddPanel(name, 170, time, AxisRange.Of(extent), legend);
            FaultSpans(panel, s);
            foreach (var b in bounds)
                panel.Rect(b.From_s, b.Until_s ?? time.Max, b.Goal - b.Bound, b.Goal + b.Bound, "bound", BoundColour, BandOpacity);
            if (goal is { } gl)
            {
                if (tolerance is { } t)
                {
                    panel.HLine(gl - t, "tolerance", ToleranceColour, "2 3");
                    panel.HLine(gl + t, "tolerance", ToleranceColour, "2 3");
                }
                panel.HLine(gl, "goal", GoalColour, "6 4");
            }
            panel.Series(name, "series state", colour, run.Time_s, run.States, index, run.StateNames.Count, run.Count);
        }
        plot.Caption("time (s)");
        return plot.ToSvg();
    }

    // (b) Every command interface against its joint's limits (infinite limits are not drawn).
    static string CommandsPlot(string id, ScenarioRecording rec)
    {
        var (s, run) = rec;
        var plot = new SvgPlot(id + "-commands", "plot plot-commands", $"{s.Name}: commands vs limits");
        var time = TimeRange(rec);
        for (var i = 0; i < run.CommandNames.Count; i++)
        {
            var name = run.CommandNames[i];
            var limits = run.CommandLimits.Where(l => l.Index == i).SelectMany(l => new[] { l.Min, l.Max }).Where(double.IsFinite).ToList();
            var colour = CommandColours[i % CommandColours.Length];
            var legend = new List<LegendItem> { new(name, colour, Swatch.Line) };
            if (limits.Count > 0) legend.Add(new("limits", LimitColour, Swatch.Dashed));
            if (s.Faults.Count > 0) legend.Add(new("fault", FaultColour, Swatch.Fill, FaultOpacity));
            var panel = plot.AddPanel(name, 150, time, AxisRange.Of(Column(run.Commands, i, run.CommandNames.Count, run.Count).Concat(limits)), legend);
            FaultSpans(panel, s);
            foreach (var limit in limits) panel.HLine(limit, "limit", LimitColour, "6 4");
            panel.Series(name, "series command", colour, run.Time_s, run.Commands, i, run.CommandNames.Count, run.Count);
        }
        plot.Caption(run.CommandNames.Count == 0 ? "the robot has no command interfaces" : "time (s)");
        return plot.ToSvg();
    }

    // (c) One lane per kind of event, top to bottom: faults, safe mode, non-finite commands replaced, commands limited,
    // overruns. Counters are cumulative, so an event is a cycle whose counter is above the previous cycle's.
    static string SafetyPlot(string id, ScenarioRecording rec)
    {
        var (s, run) = rec;
        var n = run.Count;
        var last = n - 1;
        string[] lanes =
        [
            $"faults ({s.Faults.Count})",
            $"safe mode ({Intervals(run.Safe, n).Count()}×)",
            $"non-finite ({(n > 0 ? run.NonFinite[last] : 0)})",
            $"limited ({(n > 0 ? run.Limited[last] : 0)})",
            $"overruns ({(n > 0 ? run.Overruns[last] : 0)})",
        ];
        // Lane i spans y ∈ [L − 1 − i + 0.15, L − 1 − i + 0.85], so the first lane is on top.
        double Lane(int i) => lanes.Length - 1 - i;
        var plot = new SvgPlot(id + "-safety", "plot plot-safety", $"{s.Name}: safety events");
        var time = TimeRange(rec);
        LegendItem[] legend =
        [
            new("fault", FaultColour, Swatch.Fill), new("safe mode", SafeColour, Swatch.Fill),
            new("non-finite replaced", NonFiniteColour, Swatch.Line), new("limited", LimitedColour, Swatch.Line), new("overrun", OverrunColour, Swatch.Line),
        ];
        var panel = plot.AddPanel("filter and loop", 5 * 26, time, new AxisRange(0, lanes.Length), legend,
            [.. lanes.Select((label, i) => (Lane(i) + 0.5, label))]);
        FaultSpans(panel, s);
        foreach (var f in s.Faults)
            panel.Rect(f.At_s, f.End_s, Lane(0) + 0.15, Lane(0) + 0.85, "fault-lane", FaultColour, 1);
        var dt = n > 1 ? run.Time_s[1] - run.Time_s[0] : 0;
        foreach (var (from, to) in Intervals(run.Safe, n))
            panel.Rect(run.Time_s[from], run.Time_s[to] + dt, Lane(1) + 0.15, Lane(1) + 0.85, "safe", SafeColour, 1);
        panel.Markers(Increases(run.Time_s, run.NonFinite, n), Lane(2) + 0.15, Lane(2) + 0.85, "event non-finite", NonFiniteColour);
        panel.Markers(Increases(run.Time_s, run.Limited, n), Lane(3) + 0.15, Lane(3) + 0.85, "event limited", LimitedColour);
        panel.Markers(Increases(run.Time_s, run.Overruns, n), Lane(4) + 0.15, Lane(4) + 0.85, "event overrun", OverrunColour);
        plot.Caption("time (s)");
        return plot.ToSvg();
    }

    // (d) Wake-up lateness per cycle: 50 linear bins in µs, counts on a log scale (log₁₀(1 + count)) so the rare late
    // cycles show next to the thousands on time. The overrun threshold (one period) is marked when in range.
    static string LatenessPlot(string id, ScenarioRecording rec, out string stats)
    {
        var (s, run) = rec;
        var n = run.Count;
        var us = new double[n];
        for (var k = 0; k < n; k++) us[k] = run.Lateness_s[k] * 1e6;
        var sorted = us.Where(double.IsFinite).Order().ToArray();
        var period_us = n > 1 ? (run.Time_s[n - 1] - run.Time_s[0]) / (n - 1) * 1e6 : double.NaN;
        var lo = Math.Min(0, sorted.FirstOrDefault());
        var hi = sorted.Length > 0 ? sorted[^1] : 0;
        var x = new AxisRange(lo, hi > lo ? hi : lo + 1).Rounded(10);
        const int bins = 50;
        var counts = new long[bins];
        foreach (var v in sorted) counts[Math.Clamp((int)((v - x.Min) / (x.Max - x.Min) * bins), 0, bins - 1)]++;
        var top = Math.Log10(1 + Math.Max(1, counts.Max()));
        var yTicks = new List<(double, string)>();
        for (var decade = 1L; decade <= counts.Max(); decade *= 10) yTicks.Add((Math.Log10(1 + decade), decade.ToString(Inv)));

        var plot = new SvgPlot(id + "-lateness", "plot plot-lateness", $"{s.Name}: loop wake-up lateness");
        var legend = new List<LegendItem> { new("cycles per bin (log scale)", BarColour, Swatch.Fill) };
        var showPeriod = double.IsFinite(period_us) && period_us >= x.Min && period_us <= x.Max;
        if (showPeriod) legend.Add(new("one period: overrun", OverrunColour, Swatch.Dashed));
        var panel = plot.AddPanel("lateness histogram", 170, x, new AxisRange(0, top * 1.05), legend, yTicks);
        for (var b = 0; b < bins; b++)
            if (counts[b] > 0)
                panel.Rect(x.Min + (x.Max - x.Min) * b / bins, x.Min + (x.Max - x.Min) * (b + 1) / bins, 0, Math.Log10(1 + counts[b]), "bar", BarColour, 1);
        if (showPeriod) panel.VLine(period_us, "overrun-threshold", OverrunColour, "6 4");
        plot.Caption("wake-up lateness (µs)");

        double Quantile(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        stats = string.Create(Inv, $"{sorted.Length} cycles: median {Quantile(0.5):0.#} µs, 99th percentile {Quantile(0.99):0.#} µs, max {hi:0.#} µs; ")
            + string.Create(Inv, $"{(n > 0 ? run.Overruns[n - 1] : 0)} overruns (wake-ups a whole period, {period_us:0.#} µs, late)")
            + (s.Clock == "sim" ? "; on the simulated clock the loop never waits, so it is never late." : ".");
        return plot.ToSvg();
    }

    static void FaultSpans(Panel panel, Scenario s)
    {
        foreach (var f in s.Faults) panel.Span(f.At_s, f.End_s, "fault", FaultColour, FaultOpacity);
    }

    static AxisRange TimeRange(ScenarioRecording rec) =>
        new(0, Math.Max(rec.Scenario.Duration_s, rec.Run.Count > 0 ? rec.Run.Time_s[rec.Run.Count - 1] : 0));

    static IEnumerable<double> Column(double[] rowMajor, int index, int stride, int count)
    {
        for (var k = 0; k < count; k++) yield return rowMajor[k * stride + index];
    }

    // Runs of true as (first, last) cycle.
    static IEnumerable<(int From, int To)> Intervals(bool[] on, int count)
    {
        for (var k = 0; k < count; k++)
        {
            if (!on[k]) continue;
            var from = k;
            while (k + 1 < count && on[k + 1]) k++;
            yield return (from, k);
        }
    }

    static IEnumerable<double> Increases(double[] time_s, long[] counter, int count)
    {
        for (var k = 0; k < count; k++)
            if (counter[k] > (k > 0 ? counter[k - 1] : 0)) yield return time_s[k];
    }

    static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
            if (names[i] == name) return i;
        return -1;
    }

    // Element ids from the scenario names: lower case, runs of anything but [a-z0-9] as one '-', unique within the report.
    static string[] Ids(IReadOnlyList<ScenarioResult> results)
    {
        var used = new HashSet<string>();
        return [.. results.Select(r =>
        {
            var slug = Regex.Replace(r.Name.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
            if (slug.Length == 0 || !char.IsAsciiLetter(slug[0])) slug = "scenario-" + slug;
            var id = slug;
            for (var n = 2; !used.Add(id); n++) id = $"{slug}-{n}";
            return id;
        })];
    }

    static string Verdict(bool passed) => passed ? "PASS" : "FAIL";
    static string E(string text) => SvgPlot.Encode(text);
}
