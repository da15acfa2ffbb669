using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RlRobotics.Cli.Node;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Loop;
using RlRobotics.Hil;
using RlRobotics.Hil.Faults;
using RlRobotics.Hil.Reports;
using RlRobotics.Hil.Scenarios;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr hil run</c>: hardware-in-the-loop scenarios with scheduled faults, judged by their pass criteria.</summary>
internal static class HilCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var hil = new Command("hil", "Hardware-in-the-loop rigs: run scenarios with scheduled faults and decide pass or fail from the numbers");
        var target = new Argument<string>("scenarios") { Description = "A scenario file or a folder of them (hil/scenarios/)" };
        var junit = new Option<string?>("--junit") { Description = "Write JUnit XML results here", HelpName = "out.xml" };
        var json = new Option<string?>("--json") { Description = "Write every figure as JSON here", HelpName = "out.json" };
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML report with plots of every scenario here", HelpName = "out.html" };
        var run = new Command("run", "Run every scenario against its rig; exit 1 when any fails, naming the criteria that failed") { target, junit, json, html };
        run.SetAction(p => Run(p.GetValue(target)!, p.GetValue(junit), p.GetValue(json), p.GetValue(html), output, error));
        hil.Subcommands.Add(run);
        return hil;
    }

    static int Run(string target, string? junit, string? json, string? html, TextWriter output, TextWriter error)
    {
        List<Scenario> scenarios;
        try { scenarios = ScenarioLoader.Find(target).Select(ScenarioLoader.LoadFile).ToList(); }
        catch (Exception ex) when (ex is SpecException or ArgumentException or IOException)
        {
            error.WriteLine($"rlr hil run: {ex.Message}");
            return ExitCodes.BadInput;
        }
        var console = RunCommand.Console(output);
        var total = Stopwatch.StartNew();
        var results = new List<ScenarioResult>();
        foreach (var s in scenarios)
        {
            var result = RunOne(s);
            results.Add(result);
            console.MarkupLine((result.Passed ? "[green]PASS[/] " : "[red]FAIL[/] ") + Markup.Escape(
                $"{s.Name} ({Path.GetFileName(s.File)}): {result.Cycles} cycles, {result.LoopTime_s:0.##} s of loop time in {result.WallTime_s:0.##} s"));
            foreach (var f in result.Faults)
                console.MarkupLine(Markup.Escape($"     fault {f.Description}: detected {HilReports.Seconds(f.Detected_s)}, recovered {HilReports.Seconds(f.Recovered_s)}"));
            foreach (var c in result.Criteria)
                console.MarkupLine((c.Passed ? "     [green]✓[/] " : "     [red]✗[/] ") + Markup.Escape($"{c.Name}: {c.Detail}"));
            if (result.Error is { } e) console.MarkupLine("     [red]✗[/] " + Markup.Escape(e));
        }
        total.Stop();
        var passed = results.Count(r => r.Passed);
        console.MarkupLine($"{passed} of {results.Count} scenarios passed in {total.Elapsed.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s");
        try
        {
            if (junit is not null) File.WriteAllText(junit, HilReports.ToJUnit(results, total.Elapsed.TotalSeconds));
            if (json is not null) File.WriteAllText(json, HilReports.ToJson(results, total.Elapsed.TotalSeconds));
            if (html is not null) File.WriteAllText(html, HtmlReport.ToHtml(results, total.Elapsed.TotalSeconds));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"rlr hil run: could not write a report: {ex.Message}");
            return ExitCodes.TaskFailed;
        }
        return passed == results.Count ? ExitCodes.Success : ExitCodes.TaskFailed;
    }

    /// <summary>Builds the node on the scenario's rig, plays the faults, records, and judges; a rig that cannot start is an error result.</summary>
    internal static ScenarioResult RunOne(Scenario s)
    {
        var wall = Stopwatch.StartNew();
        try
        {
            var robot = RobotSpecLoader.LoadFile(s.Robot);
            var injector = new FaultInjector(s.Faults);
            var slot = new ObserverSlot();
            using var node = RobotNode.Build(new NodeOptions
            {
                Robot = robot,
                Controller = s.Controller,
                Clock = s.Clock == "wall" ? WallClock.Instance : new SimulatedClock(),
                Seed = s.Seed,
                InitialState = s.InitialState,
                Duration_s = s.Duration_s,
                WrapController = injector.Wrap,
                Observers = [injector, slot],
            });
            var recorder = new RunRecorder(robot, node.Filter, node.Loop.Statistics, node.Resources.State, node.Resources.Command, (int)(s.Duration_s * robot.RateHz) + 16);
            slot.Target = recorder;
            injector.Attach(node.Resources.Components);
            if (node.Activate() is { Count: > 0 } refused) throw new InvalidOperationException("hardware refused to start: " + string.Join("; ", refused));
            node.Loop.Start();
            node.Loop.Join();
            return ScenarioResult.Evaluate(s, recorder, injector, wall.Elapsed.TotalSeconds);
        }
        catch (Exception ex) when (ex is SpecException or ArgumentException or InvalidOperationException or IOException)
        {
            return new ScenarioResult(s.Name, s.File, s.Description, false, [], [], 0, 0, wall.Elapsed.TotalSeconds, ex.Message);
        }
    }

    // The recorder needs the node's frames and filter, which exist only once the node is built.
    sealed class ObserverSlot : ICycleObserver
    {
        public ICycleObserver? Target;
        public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time) => Target?.OnCycle(state, command, time);
    }
}
