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
using RlRobotics.Hil.Rig;
using RlRobotics.Hil.Reports;
using RlRobotics.Hil.Scenarios;
using RlRobotics.Ros2.Hal;
using RlRobotics.Serial.Dynamixel;
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
        var repeat = new Option<int>("--repeat") { Description = "Run each scenario this many times; prints time to safe and to recovered per fault kind (median, max)", DefaultValueFactory = _ => 1, HelpName = "n" };
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML report with plots of every scenario here", HelpName = "out.html" };
        var run = new Command("run", "Run every scenario against its rig; exit 1 when any fails, naming the criteria that failed") { target, junit, json, html, repeat };
        run.SetAction(p => Run(p.GetValue(target)!, p.GetValue(junit), p.GetValue(json), p.GetValue(html), p.GetValue(repeat), output, error));
        hil.Subcommands.Add(run);
        return hil;
    }

    static int Run(string target, string? junit, string? json, string? html, int repeat, TextWriter output, TextWriter error)
    {
        if (repeat is < 1 or > 1000)
        {
            error.WriteLine($"rlr hil run: --repeat takes 1 … 1000, got {repeat}");
            return ExitCodes.BadInput;
        }
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
        for (var n = 1; n <= repeat; n++)
        {
            var result = RunOne(s);
            if (repeat > 1) result = result with { Name = $"{s.Name} #{n}" };
            results.Add(result);
            console.MarkupLine((result.Passed ? "[green]PASS[/] " : "[red]FAIL[/] ") + Markup.Escape(
                $"{result.Name} ({Path.GetFileName(s.File)}): {result.Cycles} cycles, {result.LoopTime_s:0.##} s of loop time in {result.WallTime_s:0.##} s; " +
                $"safe for {result.SafeTime_s * 1e3:0.#} ms, {result.Overruns} overruns"));
            foreach (var f in result.Faults)
                console.MarkupLine(Markup.Escape($"     fault {f.Description}: detected {HilReports.Seconds(f.Detected_s)}, recovered {HilReports.Seconds(f.Recovered_s)}"));
            foreach (var c in result.Criteria)
                console.MarkupLine((c.Passed ? "     [green]✓[/] " : "     [red]✗[/] ") + Markup.Escape($"{c.Name}: {c.Detail}"));
            if (result.Error is { } e) console.MarkupLine("     [red]✗[/] " + Markup.Escape(e));
            foreach (var line in result.RigEvents) console.MarkupLine("     [grey]rig: " + Markup.Escape(line) + "[/]");
        }
        total.Stop();
        var passed = results.Count(r => r.Passed);
        var summary = FaultSummary.Of(results);
        if (repeat > 1 && summary.Count > 0)
        {
            var table = new Table().AddColumns("fault kind", "runs", "to safe, median", "to safe, max", "to recovered, median", "to recovered, max");
            foreach (var k in summary)
                table.AddRow(Markup.Escape(k.Kind), k.Runs.ToString(CultureInfo.InvariantCulture), HilReports.Seconds(k.DetectedMedian_s),
                    HilReports.Seconds(k.DetectedMax_s), HilReports.Seconds(k.RecoveredMedian_s), HilReports.Seconds(k.RecoveredMax_s));
            console.Write(table);
        }
        console.MarkupLine($"{passed} of {results.Count} scenarios passed in {total.Elapsed.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s");
        try
        {
            if (junit is not null) File.WriteAllText(junit, HilReports.ToJUnit(results, total.Elapsed.TotalSeconds));
            if (json is not null) File.WriteAllText(json, HilReports.ToJson(results, total.Elapsed.TotalSeconds, summary));
            if (html is not null) File.WriteAllText(html, HtmlReport.ToHtml(results, total.Elapsed.TotalSeconds));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"rlr hil run: could not write a report: {ex.Message}");
            return ExitCodes.TaskFailed;
        }
        return passed == results.Count ? ExitCodes.Success : ExitCodes.TaskFailed;
    }

    /// <summary>
    /// Starts the scenario's rig (broker, driver, serial proxies, jitter clock), builds the node on it, plays the faults,
    /// records, and judges; a rig that cannot start is an error result. Everything it started is torn down on return.
    /// </summary>
    internal static ScenarioResult RunOne(Scenario s)
    {
        var wall = Stopwatch.StartNew();
        HilRig? rig = null;
        try
        {
            uint domain = 0;
            rig = s.Rig.Ros2Driver is not null || s.Rig.MqttBroker ? new HilRig(s.Rig, file => DriverCommand(file, domain)) : null;
            var yaml = File.ReadAllText(s.Robot);
            var robot = RobotSpecLoader.Load(yaml, s.Robot);
            if (rig is not null)
            {
                rig.Start(robot.Name);
                if (s.Rig.MqttBroker) robot = RobotSpecLoader.Load(rig.WithBroker(yaml), s.Robot);
            }
            var injector = new FaultInjector(s.Faults);
            var slot = new ObserverSlot();
            IClock clock = s.Clock == "wall" ? WallClock.Instance : new SimulatedClock();
            var jitter = s.Faults.Any(f => f.Kind == FaultKind.ClockJitter) ? new JitterClock(clock, s.Seed) : null;
            var registry = RobotNode.DefaultRegistry(wrapBus: injector.NeedsSerialProxy ? (bus, settings) => SerialFaultProxy.Around(bus, settings.Baud, s.Seed) : null);
            using var node = RobotNode.Build(new NodeOptions
            {
                Robot = robot,
                Controller = s.Controller,
                Clock = jitter ?? clock,
                Seed = s.Seed,
                InitialState = s.InitialState,
                Duration_s = s.Duration_s,
                ApplyRealtime = s.Clock == "wall",
                WrapController = injector.Wrap,
                Observers = [injector, slot],
            }, registry);
            var recorder = new RunRecorder(robot, node.Filter, node.Loop.Statistics, node.Resources.State, node.Resources.Command, (int)(s.Duration_s * robot.RateHz) + 16);
            slot.Target = recorder;
            injector.Attach(node.Resources.Components, jitter, rig);
            if (rig is not null && s.Rig.Ros2Driver is not null)
            {
                domain = node.Resources.Components.OfType<Ros2TopicsSystem>().FirstOrDefault()?.Settings.DomainId
                         ?? throw new InvalidOperationException("rig.ros2_driver: the robot has no ros2-topics hardware to talk to the driver");
                rig.StartDriver();
            }
            if (node.Activate() is { Count: > 0 } refused)
                throw new InvalidOperationException("hardware refused to start: " + string.Join("; ", refused) + (rig is null ? "" : "\n" + rig.DriverOutput));
            node.Loop.Start();
            node.Loop.Join();
            TelemetryCount? telemetry = null;
            if (node.Fleet is { } fleet && rig is not null)
            {
                rig.WaitIdle(TimeSpan.FromSeconds(10)); // a broker restart still under way
                fleet.Flush(TimeSpan.FromSeconds(5));
                var (missing, received, gaps) = rig.TelemetryLoss(fleet.StatePublished, TimeSpan.FromSeconds(5));
                telemetry = new TelemetryCount(fleet.StatePublished, received, missing, gaps, fleet.Link.Reconnects);
            }
            rig?.WaitIdle(TimeSpan.FromSeconds(10));
            var events = (rig?.Events ?? []).Concat(node.Resources.Components.OfType<DynamixelSystem>()
                .Where(b => b.Simulation is SerialFaultProxy).SelectMany(b => new[] { ProxyLine(b.Name, (SerialFaultProxy)b.Simulation!), BusLine(b) })).ToList();
            return ScenarioResult.Evaluate(s, recorder, injector, wall.Elapsed.TotalSeconds, telemetry) with { RigEvents = events };
        }
        catch (Exception ex) when (ex is SpecException or ArgumentException or InvalidOperationException or IOException)
        {
            return new ScenarioResult(s.Name, s.File, s.Description, false, [], [], 0, 0, wall.Elapsed.TotalSeconds, ex.Message) { RigEvents = rig?.Events ?? [] };
        }
        finally
        {
            rig?.Dispose();
        }
    }

    // What the driver made of it: its retries and failures, and the late replies it refused to take as fresh.
    static string BusLine(DynamixelSystem system)
    {
        var b = system.Bus?.Statistics ?? new BusStatistics();
        return $"bus '{system.Name}': {b.Timeouts} timeouts, {b.CrcErrors} CRC errors, {b.Failures} failed transactions, circuit opened {b.CircuitOpenings}×; " +
               $"{b.LateBytes} late bytes discarded in {b.QuietWaits} waits for a quiet line";
    }

    static string ProxyLine(string bus, SerialFaultProxy proxy)
    {
        var (forwarded, corrupted, dropped, swallowed) = proxy.Counters;
        return $"serial proxy on '{bus}': {forwarded} bytes forwarded, {corrupted} corrupted, {dropped} dropped, {swallowed} status packets swallowed";
    }

    // rlr sim serve --ros2 for the rig's driver: this same rlr, in its own process, on the node's DDS domain.
    static ProcessStartInfo DriverCommand(string robotFile, uint domain)
    {
        var start = new ProcessStartInfo("dotnet");
        foreach (var a in new[] { typeof(HilCommand).Assembly.Location, "sim", "serve", "--robot", robotFile, "--ros2", "--domain-id", domain.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        return start;
    }

    // The recorder needs the node's frames and filter, which exist only once the node is built.
    sealed class ObserverSlot : ICycleObserver
    {
        public ICycleObserver? Target;
        public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time) => Target?.OnCycle(state, command, time);
    }
}
