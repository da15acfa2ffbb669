using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RlRobotics.Hil;
using RlRobotics.Hil.Reports;

namespace RlRobotics.Cli.Tests.Hil;

/// <summary>
/// <c>rlr hil run --html</c>: the report of a passing and a failing run has a section per scenario with its verdict,
/// criteria and faults as in the JSON, and four plots whose data, axes and fault windows are where the numbers say;
/// and headless Chromium really renders it (a screenshot with the plots' colours in them, and the SVG in its DOM).
/// Serial: Chromium loads both cores for a few seconds, and the rest of the class shares its runs.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class HtmlReportTests(HtmlReportTests.Runs runs) : IClassFixture<HtmlReportTests.Runs>
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    static readonly string[] PlotKinds = ["states", "commands", "safety", "lateness"];

    /// <summary>The shipped push scenario (passes) and a sensor freeze with too tight criteria (fails), each run once with --html and --json.</summary>
    public sealed class Runs : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("rlr-hil-html-").FullName;
        public string PushHtml => Path.Combine(Dir, "push.html");
        public string TightHtml => Path.Combine(Dir, "tight.html");

        public Runs()
        {
            var (code, output, error) = RunCommandTests.Rlr("hil", "run", "hil/scenarios/cartpole-push.yaml", "--html", PushHtml, "--json", Path.Combine(Dir, "push.json"));
            Assert.True(code == ExitCodes.Success, error + output);
            var tight = Path.Combine(Dir, "too-tight.yaml");
            File.WriteAllText(tight, $$"""
                scenario: too-tight
                description: a 30 ms sensor freeze judged against a 5 ms bound and a 0.01 rad tracking bound
                robot: {{Path.Combine(RunCommandTests.Root(), "robots", "cartpole.sim.yaml")}}
                controller: lqr
                duration_s: 3
                initial_state: [0, 3.04, 0, 0]
                faults:
                  - { kind: sensor_freeze, at_s: 1.0, duration_s: 0.03 }
                criteria:
                  tracking: [ { interface: pole/position, goal: pi, bound: 0.01 } ]
                  safe_within_s: 0.005
                """);
            (code, output, error) = RunCommandTests.Rlr("hil", "run", tight, "--html", TightHtml, "--json", Path.Combine(Dir, "tight.json"));
            Assert.True(code == ExitCodes.TaskFailed, error + output);
        }

        public JsonElement Json(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, name + ".json"))).RootElement.GetProperty("scenarios")[0];

        public void Dispose()
        {
            try { Directory.Delete(Dir, true); } catch (IOException) { }
        }
    }

    [Fact]
    public void The_push_report_has_four_plots_with_data_on_their_axes_the_fault_window_at_its_time_and_the_criteria_of_the_result()
    {
        var doc = Parse(File.ReadAllText(runs.PushHtml));
        var section = Single(doc, "section", "scenario");
        Assert.Equal("cartpole-push", section.Attribute("id")!.Value);
        Assert.Contains("pass", Classes(section));
        Assert.Equal("PASS cartpole-push", Normalize(section.Element("h2")!.Value));
        Assert.Empty(ByClass(section, "p", "reason"));

        // Four plots, found by class and id.
        foreach (var kind in PlotKinds)
            Assert.Equal($"cartpole-push-{kind}", Single(section, "svg", "plot-" + kind).Attribute("id")!.Value);

        // (a) The tracked interface over the whole run, downsampled to at most 1500 points with its spike kept: the
        // largest |state − goal| read back through the y axis is the criterion's "max |error|", within a pixel and a half.
        var states = Single(section, "svg", "plot-states");
        var series = Single(states, "polyline", "state");
        Assert.Equal("pole/position", series.Attribute("data-name")!.Value);
        var points = Points(series);
        Assert.InRange(points.Count, 500, 1500);
        var (x, y) = (Axis(states, "xtick"), Axis(states, "ytick"));
        Assert.InRange(x.ToData(points[0].X), 0, 0.01);
        Assert.InRange(x.ToData(points[^1].X), 5.98, 6.001);
        var json = runs.Json("push");
        var tracking = json.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "tracking pole/position");
        var worst = double.Parse(Regex.Match(tracking.GetProperty("detail").GetString()!, @"max \|error\| ([0-9.]+)").Groups[1].Value, Inv);
        Assert.InRange(points.Max(p => Math.Abs(y.ToData(p.Y) - Math.PI)), worst - 1.5 * y.PerPixel, worst + 1.5 * y.PerPixel);
        Assert.InRange(y.ToData(double.Parse(Single(states, "line", "goal").Attribute("y1")!.Value, Inv)), Math.PI - y.PerPixel, Math.PI + y.PerPixel);
        var band = Single(states, "rect", "bound");
        Assert.InRange(y.ToData(Attr(band, "y")), Math.PI + 0.5 - y.PerPixel, Math.PI + 0.5 + y.PerPixel);

        // The push (10 N at 2 s for 0.1 s) is shaded from 2 s to 2.1 s on each time plot.
        foreach (var kind in new[] { "states", "commands", "safety" })
        {
            var plot = Single(section, "svg", "plot-" + kind);
            var time = Axis(plot, "xtick");
            var window = ByClass(plot, "rect", "fault").First();
            Assert.InRange(Attr(window, "x"), time.ToPixel(2.0) - 0.15, time.ToPixel(2.0) + 0.15);
            Assert.InRange(Attr(window, "width"), time.ToPixel(2.1) - time.ToPixel(2.0) - 0.2, time.ToPixel(2.1) - time.ToPixel(2.0) + 0.2);
        }

        // (b) The cart's effort, with dashed lines at its ±10 N limits.
        var commands = Single(section, "svg", "plot-commands");
        Assert.Equal("cart/effort", Single(commands, "polyline", "command").Attribute("data-name")!.Value);
        Assert.InRange(Points(Single(commands, "polyline", "command")).Count, 500, 1500);
        var effort = Axis(commands, "ytick");
        Assert.Equal([-10.0, 10.0], ByClass(commands, "line", "limit").Select(l => Math.Round(effort.ToData(Attr(l, "y1")))).Order());
        Assert.All(ByClass(commands, "line", "limit"), l => Assert.NotNull(l.Attribute("stroke-dasharray")));

        // (c) and (d): lanes for the safety events; a histogram with every cycle in some bar.
        var safety = Single(section, "svg", "plot-safety");
        Assert.Equal(["faults (1)", "safe mode (0×)", "non-finite (0)", "limited (0)", "overruns (0)"],
            ByClass(safety, "g", "ytick").Select(t => t.Elements().Single(e => e.Name.LocalName == "text").Value));
        Assert.Single(ByClass(safety, "rect", "fault-lane"));
        var lateness = Single(section, "svg", "plot-lateness");
        Assert.NotEmpty(ByClass(lateness, "rect", "bar"));
        Assert.Contains("(µs)", lateness.Value);
        Assert.Contains(json.GetProperty("cycles").GetInt64().ToString(Inv) + " cycles", Normalize(section.Descendants().Single(e => e.Name.LocalName == "figcaption" && e.Value.Contains("median")).Value));

        // The criteria table is the result's criteria, in order; the fault table has the push with its recovery time.
        var rows = Single(section, "table", "criteria").Descendants().Where(e => e.Name.LocalName == "tr" && e.Parent!.Name.LocalName == "tbody").ToList();
        var criteria = json.GetProperty("criteria").EnumerateArray().ToList();
        Assert.Equal(criteria.Count, rows.Count);
        foreach (var (row, c) in rows.Zip(criteria))
            Assert.Equal([c.GetProperty("name").GetString()!, c.GetProperty("passed").GetBoolean() ? "PASS" : "FAIL", c.GetProperty("detail").GetString()!], Cells(row));
        var fault = json.GetProperty("faults")[0];
        var faultRow = Single(section, "table", "faults").Descendants().Single(e => e.Name.LocalName == "tr" && e.Parent!.Name.LocalName == "tbody");
        Assert.Equal(["push", fault.GetProperty("description").GetString()!, "none expected", HilReports.Seconds(fault.GetProperty("recovered_s").GetDouble())], Cells(faultRow));
    }

    [Fact]
    public void A_failing_scenario_shows_FAIL_the_reason_the_failed_criteria_and_the_safe_mode_interval_where_the_filter_reacted()
    {
        var section = Single(Parse(File.ReadAllText(runs.TightHtml)), "section", "scenario");
        Assert.Contains("fail", Classes(section));
        Assert.Equal("FAIL too-tight", Normalize(section.Element("h2")!.Value));
        var reason = Normalize(Single(section, "p", "reason").Value);
        Assert.Contains("safe after sensor_freeze at 1 s: reacted after 10 ms (bound 5 ms)", reason);
        Assert.Contains("tracking pole/position: max |error|", reason);
        var rows = Single(section, "table", "criteria").Descendants().Where(e => e.Name.LocalName == "tr" && e.Parent!.Name.LocalName == "tbody").Select(Cells).ToList();
        Assert.Equal(["FAIL", "FAIL", "PASS"], rows.Select(r => r[1]));
        Assert.Equal("safe after sensor_freeze at 1 s", rows[1][0]);
        Assert.All(section.Descendants().Where(e => e.Name.LocalName == "tr" && Classes(e).Contains("fail")), r => Assert.Contains("FAIL", r.Value));

        // Safe mode starts where the report says the filter reacted: the fault's start plus its detection time.
        var safety = Single(section, "svg", "plot-safety");
        var time = Axis(safety, "xtick");
        var fault = runs.Json("tight").GetProperty("faults")[0];
        var reacted_s = fault.GetProperty("at_s").GetDouble() + fault.GetProperty("detected_s").GetDouble();
        var safe = Single(safety, "rect", "safe");
        Assert.InRange(time.ToData(Attr(safe, "x")), reacted_s - 1.5 * time.PerPixel, reacted_s + 1.5 * time.PerPixel);
        Assert.Contains("safe mode (1×)", safety.Value);
    }

    [Fact]
    public void A_rig_that_did_not_start_gets_a_section_with_the_error_and_no_plots_and_all_text_is_escaped()
    {
        var error = "hardware refused to start: <sim://bus> & \"port\" busy";
        var html = HtmlReport.ToHtml([new ScenarioResult("rig <b>1</b> & co", "/tmp/rig.yaml", "it's \"broken\"", false, [], [], 0, 0, 0.1, error)], 0.2);
        Assert.DoesNotContain("<b>", html);
        var section = Single(Parse(html), "section", "scenario");
        Assert.Equal("rig-b-1-b-co", section.Attribute("id")!.Value);
        Assert.Equal("FAIL rig <b>1</b> & co", Normalize(section.Element("h2")!.Value));
        Assert.Equal("error: the rig did not run: " + error, Single(section, "p", "reason").Value);
        Assert.DoesNotContain(section.Descendants(), e => e.Name.LocalName is "svg" or "table");
    }

    [Fact]
    public void Headless_chromium_renders_the_report_with_the_plots_in_their_colours()
    {
        var html = File.ReadAllText(runs.PushHtml);
        var section = Single(Parse(html), "section", "scenario");
        // What each plot draws in a colour of its own: the state, the command, the fault's lane, the histogram's bars.
        string[] colours =
        [
            Single(section, "polyline", "state").Attribute("stroke")!.Value,
            Single(section, "polyline", "command").Attribute("stroke")!.Value,
            Single(section, "rect", "fault-lane").Attribute("fill")!.Value,
            ByClass(section, "rect", "bar").First().Attribute("fill")!.Value,
        ];
        Assert.Equal(colours.Length, colours.Distinct().Count());

        var png = Path.Combine(runs.Dir, "shot.png");
        Chromium("--screenshot=" + png, "--window-size=1200,2400", new Uri(runs.PushHtml).AbsoluteUri);
        Assert.True(File.Exists(png), $"chromium wrote no screenshot at {png}");
        var image = PngImage.Decode(File.ReadAllBytes(png));
        Assert.Equal((1200, 2400), (image.Width, image.Height));
        var white = image.Find("#ffffff", 0).Count;
        Assert.True(image.Width * image.Height - white > 50_000, $"the screenshot is (nearly) blank: {white} of {image.Width * image.Height} pixels white");

        // Each plot's colour is on screen in quantity (a polyline ~950 px long, 2 px wide; a 16 × 18 px lane box; bars),
        // far more than its legend swatch alone, and the plots come in the report's order from top to bottom.
        int[] minimum = [800, 800, 200, 1000];
        var found = colours.Select(c => image.Find(c)).ToArray();
        for (var i = 0; i < colours.Length; i++)
            Assert.True(found[i].Count >= minimum[i], $"{PlotKinds[i]} plot: {found[i].Count} pixels of {colours[i]} in the screenshot, expected ≥ {minimum[i]} "
                + $"(all: {string.Join(", ", colours.Zip(found, (c, f) => $"{c} {f.Count} px around row {f.MeanY:0}"))})");
        for (var i = 1; i < colours.Length; i++)
            Assert.True(found[i].MeanY > found[i - 1].MeanY, $"the {PlotKinds[i]} plot (mean row {found[i].MeanY:0}) is not below the {PlotKinds[i - 1]} plot ({found[i - 1].MeanY:0})");
    }

    [Fact]
    public void Headless_chromium_builds_the_four_plots_into_its_DOM()
    {
        var dom = Chromium("--dump-dom", new Uri(runs.PushHtml).AbsoluteUri);
        // The DOM as Chromium serializes it, not our text: every svg parses, and the plots are there with their data.
        var svgs = Regex.Matches(dom, "<svg\\b.*?</svg>", RegexOptions.Singleline).Select(m => XElement.Parse(m.Value)).ToList();
        Assert.Equal(PlotKinds.Select(k => "cartpole-push-" + k), svgs.Select(s => s.Attribute("id")!.Value));
        Assert.All(svgs, s => Assert.Equal("http://www.w3.org/2000/svg", s.Name.NamespaceName));
        Assert.InRange(Points(Single(svgs[0], "polyline", "state")).Count, 500, 1500);
        Assert.InRange(Points(Single(svgs[1], "polyline", "command")).Count, 500, 1500);
        Assert.Single(ByClass(svgs[2], "rect", "fault-lane"));
        Assert.NotEmpty(ByClass(svgs[3], "rect", "bar"));
    }

    // Runs Debian's chromium headless (new headless mode; --no-sandbox because tests may run as root) with a throw-away
    // profile, and returns its standard output. Killed, and the test failed, after 60 s.
    string Chromium(params string[] args)
    {
        var binary = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "chromium")).FirstOrDefault(File.Exists);
        Assert.True(binary is not null, "chromium is not on PATH: the HTML report's rendering tests need it; `scripts/install-deps.sh test` installs it (Debian package chromium)");
        var profile = Directory.CreateDirectory(Path.Combine(runs.Dir, "chromium-" + Guid.NewGuid().ToString("N"))).FullName;
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=" + profile }.Concat(args))
            start.ArgumentList.Add(a);
        using var chromium = Process.Start(start)!;
        var (stdout, stderr) = (chromium.StandardOutput.ReadToEndAsync(), chromium.StandardError.ReadToEndAsync());
        if (!chromium.WaitForExit(60_000))
        {
            chromium.Kill(entireProcessTree: true);
            Assert.Fail($"chromium did not finish within 60 s: {binary} {string.Join(' ', start.ArgumentList)}");
        }
        // A helper process could keep the pipes open after chromium itself exited: wait for them, but not forever.
        Assert.True(Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(10)), "chromium exited but its output did not close");
        Assert.True(chromium.ExitCode == 0, $"chromium exited with {chromium.ExitCode}: {binary} {string.Join(' ', start.ArgumentList)}\n{Tail(stderr.Result)}");
        return stdout.Result;
    }

    static string Tail(string text) => text.Length > 3000 ? text[^3000..] : text;

    // The HTML is also well-formed XML (the test would fail here if it were not); the doctype is HTML's, not XML's.
    static XDocument Parse(string html) => XDocument.Parse(html.Replace("<!DOCTYPE html>", ""));

    static IEnumerable<XElement> ByClass(XContainer root, string element, string cssClass) =>
        root.Descendants().Where(e => e.Name.LocalName == element && Classes(e).Contains(cssClass));

    static XElement Single(XContainer root, string element, string cssClass) => Assert.Single(ByClass(root, element, cssClass));

    static string[] Classes(XElement e) => (e.Attribute("class")?.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    static string[] Cells(XElement row) => [.. row.Elements().Where(e => e.Name.LocalName == "td").Select(e => e.Value)];

    static string Normalize(string text) => Regex.Replace(text, @"\s+", " ").Trim();

    static double Attr(XElement e, string name) => double.Parse(e.Attribute(name)!.Value, Inv);

    static List<(double X, double Y)> Points(XElement polyline) =>
        [.. polyline.Attribute("points")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], Inv), double.Parse(p[1], Inv)))];

    /// <summary>An axis's data ↔ pixel mapping, recovered from the first and last labelled gridline of the first panel.</summary>
    sealed record AxisMap(double V0, double P0, double V1, double P1)
    {
        public double ToData(double px) => V0 + (px - P0) * (V1 - V0) / (P1 - P0);
        public double ToPixel(double v) => P0 + (v - V0) * (P1 - P0) / (V1 - V0);
        public double PerPixel => Math.Abs((V1 - V0) / (P1 - P0));
    }

    static AxisMap Axis(XElement svg, string tickClass)
    {
        var ticks = ByClass(ByClass(svg, "g", "panel").First(), "g", tickClass).Select(g =>
        {
            var line = g.Elements().Single(e => e.Name.LocalName == "line");
            var value = double.Parse(g.Elements().Single(e => e.Name.LocalName == "text").Value, Inv);
            return (Value: value, Pixel: Attr(line, tickClass == "xtick" ? "x1" : "y1"));
        }).ToList();
        return new AxisMap(ticks[0].Value, ticks[0].Pixel, ticks[^1].Value, ticks[^1].Pixel);
    }
}
