using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RlRobotics.Cli.Node;
using RlRobotics.Core.Control;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr bench</c>: the loop benchmarks of reference/benchmarks.md, measured on this machine.</summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var bench = new Command("bench", "Benchmarks: l1 (loop lateness next to the native reference), cycles (simulated-clock throughput), b1 (iLQR), sampling (CEM/MPPI), learning (W1, W2, W3, W5), serial (Dynamixel round trip), ros2 (DDS round trip and throughput)");
        bench.Subcommands.Add(L1(output, error));
        bench.Subcommands.Add(Cycles(output, error));
        bench.Subcommands.Add(PlanningBenchCommands.B1Command(output));
        bench.Subcommands.Add(PlanningBenchCommands.SamplingCommand(output));
        bench.Subcommands.Add(LearningBenchCommand.Create(output));
        bench.Subcommands.Add(SerialBenchCommand.Create(output, error));
        bench.Subcommands.Add(Ros2BenchCommand.Create(output, error));
        bench.Subcommands.Add(MqttBenchCommand.Create(output, error));
        return bench;
    }

    // ---- L1 ---------------------------------------------------------------------------------------

    private sealed record L1Result(string Implementation, long P50, long P99, long P999, long Max, long Overruns, long Periods, string Granted);

    private static Command L1(TextWriter output, TextWriter error)
    {
        var duration = CliOptions.Positive("--duration", "Seconds per run", 30, "s");
        var rate = CliOptions.Positive("--rate", "Loop rate", 1000, "Hz");
        var fifo = new Option<int>("--fifo") { Description = "SCHED_FIFO priority (0 = default scheduler)", DefaultValueFactory = _ => 0 };
        fifo.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 0 or > 99) r.AddError($"--fifo: expected a priority from 0 to 99, got {v}"); });
        var slack = new Option<int>("--slack-ns") { Description = "Timer slack, ns (0 = leave the default 50 µs)", DefaultValueFactory = _ => 0 };
        var lockMemory = new Option<bool>("--lock-memory") { Description = "mlockall before running" };
        var busy = new Option<bool>("--busy") { Description = "Keep one other core busy during the runs" };
        var which = new Option<string>("--impl") { Description = "both, native or managed", DefaultValueFactory = _ => "both" };
        which.AcceptOnlyFromAmong("both", "native", "managed");
        var json = new Option<string?>("--json") { Description = "Write the results as JSON here", HelpName = "out.json" };
        var command = new Command("l1", "L1: a 1 kHz loop sleeping to absolute deadlines; wake-up lateness of the native C reference and of RlRobotics' ControlLoop")
        {
            duration, rate, fifo, slack, lockMemory, busy, which, json,
        };
        command.SetAction(parse =>
        {
            var spec = new RealtimeSpec { SchedFifoPriority = parse.GetValue(fifo), TimerSlack_ns = parse.GetValue(slack), LockMemory = parse.GetValue(lockMemory) };
            var seconds = parse.GetValue(duration);
            var hz = parse.GetValue(rate);
            var impl = parse.GetValue(which)!;
            using var load = parse.GetValue(busy) ? new BusyCore() : null;
            var results = new List<L1Result>();
            if (impl is "both" or "native")
            {
                var native = RunNative(hz, seconds, spec, error);
                if (native is null) return ExitCodes.TaskFailed;
                results.Add(native);
            }
            if (impl is "both" or "managed") results.Add(RunManaged(hz, seconds, spec));
            var console = RunCommand.Console(output);
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("implementation", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "overruns", "periods", "granted");
            foreach (var r in results)
                table.AddRow(r.Implementation, $"{r.P50}", $"{r.P99}", $"{r.P999}", $"{r.Max}", $"{r.Overruns}", $"{r.Periods}", Markup.Escape(r.Granted));
            console.MarkupLine($"L1: {hz:0} Hz for {seconds:0.#} s · {(spec.SchedFifoPriority > 0 ? $"SCHED_FIFO {spec.SchedFifoPriority}" : "default scheduler")}" +
                               $"{(spec.TimerSlack_ns > 0 ? $" · timer slack {spec.TimerSlack_ns} ns" : "")}{(load is null ? " · idle" : " · one core busy")}");
            console.Write(table);
            if (parse.GetValue(json) is { } path)
                File.WriteAllText(path, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static L1Result? RunNative(double hz, double seconds, RealtimeSpec spec, TextWriter error)
    {
        var source = FindNativeSource();
        if (source is null) { error.WriteLine("rlr bench l1: tests/RlRobotics.Benchmarks/native/l1_loop.c not found (run from the repository)"); return null; }
        var binary = Path.Combine(Path.GetTempPath(), "rlr-l1-loop");
        var gcc = Process.Start(new ProcessStartInfo("gcc", ["-O2", "-o", binary, source]) { RedirectStandardError = true });
        if (gcc is null) { error.WriteLine("rlr bench l1: gcc not found (apt-get install -y gcc)"); return null; }
        gcc.WaitForExit();
        if (gcc.ExitCode != 0) { error.WriteLine("rlr bench l1: gcc failed: " + gcc.StandardError.ReadToEnd()); return null; }
        var run = Process.Start(new ProcessStartInfo(binary,
            [hz.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture), spec.SchedFifoPriority.ToString(CultureInfo.InvariantCulture),
             spec.TimerSlack_ns.ToString(CultureInfo.InvariantCulture), spec.LockMemory ? "1" : "0"]) { RedirectStandardOutput = true })!;
        var line = run.StandardOutput.ReadToEnd();
        run.WaitForExit();
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        return new L1Result("native C (clock_nanosleep)", r.GetProperty("p50_us").GetInt64(), r.GetProperty("p99_us").GetInt64(), r.GetProperty("p999_us").GetInt64(),
            r.GetProperty("max_us").GetInt64(), r.GetProperty("overruns").GetInt64(), r.GetProperty("periods").GetInt64(), r.GetProperty("granted").GetString()!.Trim());
    }

    private static string? FindNativeSource()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "RlRobotics.Benchmarks", "native", "l1_loop.c");
            if (File.Exists(candidate)) return candidate;
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "native", "l1_loop.c");
        return File.Exists(beside) ? beside : null;
    }

    /// <summary>The real <see cref="ControlLoop"/> with no components and a controller that does nothing.</summary>
    private static L1Result RunManaged(double hz, double seconds, RealtimeSpec spec)
    {
        var robot = EmptyRobot(hz);
        var resources = new ResourceManager(Array.Empty<IHardwareComponent>());
        var filter = new SafetyFilter(robot, resources.State, resources.Command);
        var loop = new ControlLoop(new ControlLoopOptions { RateHz = hz, Duration_s = seconds, Realtime = spec }, WallClock.Instance, resources,
            new IdleController(), filter);
        loop.Start();
        loop.Join();
        var s = loop.Statistics;
        return new L1Result("RlRobotics ControlLoop", s.Lateness.Percentile_us(0.5), s.Lateness.Percentile_us(0.99), s.Lateness.Percentile_us(0.999),
            s.Lateness.Max_us, s.Overruns, s.Cycles, string.Join(" ", loop.Grants.Select(g => g.Granted ? g.Setting : g.Setting + " refused")));
    }

    internal static RobotSpec EmptyRobot(double hz) => new()
    {
        Name = "empty", SourcePath = "(benchmark)", RateHz = hz,
        Joints = Array.Empty<JointSpec>(), Sensors = Array.Empty<SensorSpec>(), Components = Array.Empty<ComponentSpec>(),
        Safety = new SafetySpec { Watchdog_s = 1, SoftMargin = 0, KPosition = 1, KVelocity = 1 },
        Realtime = RealtimeSpec.None,
        Agent = new AgentSpec { Controller = "none", Node = ConfigNode.Root(null, new Diagnostics("(benchmark)")) },
    };

    private sealed class IdleController : IController
    {
        public string Kind => "none";
        public IReadOnlyList<string> ClaimedCommands => Array.Empty<string>();
        public void Bind(StateFrame state, CommandFrame command) { }
        public void Start(StateFrame state) { }
        public void Update(StateFrame state, CommandFrame command, in CycleTime time) { }
    }

    /// <summary>Spins one thread for the duration, to measure the loop with one core busy.</summary>
    private sealed class BusyCore : IDisposable
    {
        private volatile bool _stop;
        private readonly Thread _thread;

        public BusyCore()
        {
            _thread = new Thread(() => { var x = 1.0; while (!_stop) x = x * 1.0000001 + 1e-9; GC.KeepAlive(x); }) { IsBackground = true };
            _thread.Start();
        }

        public void Dispose() { _stop = true; _thread.Join(); }
    }

    // ---- cycles ------------------------------------------------------------------------------------

    private static Command Cycles(TextWriter output, TextWriter error)
    {
        var robot = CliOptions.Robot();
        var controller = new Option<string?>("--controller") { Description = "Controller (default: the robot file's)" };
        var duration = CliOptions.Positive("--duration", "Simulated seconds to run", 60, "s");
        var command = new Command("cycles", "Cycles per second of the full loop (sim component, controller, filter) on the simulated clock, and bytes allocated per cycle")
        {
            robot, controller, duration,
        };
        command.SetAction(parse =>
        {
            RobotNode node;
            try
            {
                node = RobotNode.Build(new NodeOptions
                {
                    Robot = RobotSpecLoader.LoadFile(parse.GetValue(robot)!),
                    Controller = parse.GetValue(controller),
                    Duration_s = parse.GetValue(duration),
                });
            }
            catch (SpecException ex)
            {
                foreach (var e in ex.Errors) error.WriteLine(e);
                return ExitCodes.BadInput;
            }
            using (node)
            {
                node.Activate();
                var wall = Stopwatch.StartNew();
                node.Loop.Run();
                wall.Stop();
                var s = node.Loop.Statistics;
                var console = RunCommand.Console(output);
                console.MarkupLine($"{Markup.Escape(node.Robot.Name)} with {node.Controller.Kind} on the simulated clock: " +
                                   $"[cyan]{s.Cycles / wall.Elapsed.TotalSeconds:N0}[/] cycles/s ({wall.Elapsed.TotalMilliseconds * 1000 / s.Cycles:0.00} µs per cycle), " +
                                   $"[cyan]{s.AllocatedBytesPerCycle:0.###}[/] bytes allocated per cycle over {s.AllocationCycles} cycles");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
