using System.Diagnostics;
using System.Text.Json;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages.Types.diagnostic_msgs;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Cli.Tests;

/// <summary>
/// The cart-pole over ROS 2 in separate processes, as on a robot: <c>rlr sim serve --ros2</c> is the driver,
/// <c>rlr run</c> with robots/cartpole.ros2-sim.yaml the node, and the test watches what the node publishes.
/// Wall-clock control at 250 Hz: it runs in the serial collection, so CPU-heavy tests cannot starve the loop and drop the pole.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class Ros2RobotTests : IDisposable
{
    const uint Domain = 89;
    readonly List<Process> _processes = new();
    readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();
    readonly string _report = Path.Combine(Path.GetTempPath(), $"rlr-ros2-{Guid.NewGuid():N}.json");

    Process Rlr(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RunCommandTests.Root(), RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rlr.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["ROS_DOMAIN_ID"] = Domain.ToString();
        var process = Process.Start(start)!;
        var name = $"{args[0]} {args[1]}";
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) _output.Enqueue($"[{name}] {line}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) _output.Enqueue($"[{name} stderr] {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    Process Driver() => Rlr("sim", "serve", "--robot", "robots/cartpole.sim.yaml", "--ros2");

    [Fact]
    public void Killing_the_driver_trips_the_watchdog_and_the_node_goes_safe_and_restarting_it_recovers()
    {
        using var context = new RosContext(new RosContextOptions { DomainId = Domain, Network = DdsNetwork.Loopback });
        var watcher = context.CreateNode("watcher");
        DiagnosticStatus? safety = null;
        JointState? joints = null;
        watcher.CreateSubscription<DiagnosticArray>("/diagnostics", m => safety = m.Status.Single(s => s.Name == "rlr/cartpole: safety filter"));
        watcher.CreateSubscription<JointState>("/joint_states", m => joints = m);
        using var spin = watcher.SpinInBackground();
        long Value(string key) => long.Parse(Volatile.Read(ref safety)!.Values.Single(v => v.Key == key).Value);
        // Upright is θ = π; the driver wraps angles, so balancing right at the top can read −π as well.
        bool Upright() => Volatile.Read(ref joints) is { } j && Math.Abs(Core.Dynamics.Angles.Wrap(j.Position[1] - Math.PI)) < 0.05;

        var driver = Driver();
        var node = Rlr("run", "--robot", "robots/cartpole.ros2-sim.yaml", "--controller", "lqr", "--clock", "wall", "--duration", "0", "--report", _report, "--quiet");

        // Balancing over ROS 2: the node's joint states show the pole up, its diagnostics show a clean filter.
        Assert.True(WaitFor(() => Upright() && safety is { Level: DiagnosticStatus.OK }, 60), $"the node never balanced the cart-pole over ROS 2: {Describe(safety)}; {Describe(joints)}{Output()}");
        Assert.Equal(0, Value("watchdog_trips"));

        // The driver dies: no more joint states, so the watchdog trips and every joint goes safe.
        driver.Kill(entireProcessTree: true);
        Assert.True(WaitFor(() => safety is { Level: DiagnosticStatus.WARN } s && s.Message.Contains("safe mode"), 20), $"the node did not go safe: {Describe(safety)}{Output()}");
        Assert.Equal(1, Value("watchdog_trips"));
        Assert.False(node.HasExited);

        // A new driver (the simulated robot restarts upright): the state is fresh again and the node balances it.
        Driver();
        Assert.True(WaitFor(() => safety is { Level: DiagnosticStatus.OK } && Upright(), 60), $"the node did not recover when the driver came back: {Describe(safety)}; {Describe(joints)}{Output()}");

        Assert.True(Interrupt(node), "rlr run did not stop on SIGINT");
        using var report = JsonDocument.Parse(File.ReadAllText(_report));
        var filter = report.RootElement.GetProperty("safety");
        Assert.Equal(1, filter.GetProperty("watchdog_trips").GetInt32());
        Assert.False(filter.GetProperty("e_stop_latched").GetBoolean());
        Assert.Equal(["WatchdogTripped", "WatchdogCleared"],
            filter.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).Where(k => k!.StartsWith("Watchdog")));
    }

    static string Describe(DiagnosticStatus? s) =>
        s is null ? "no diagnostics" : $"level {s.Level} '{s.Message}' " + string.Join(", ", s.Values.Select(v => $"{v.Key}={v.Value}"));

    static string Describe(JointState? j) =>
        j is null ? "no joint states" : "joints " + string.Join(", ", j.Name.Zip(j.Position, (n, p) => $"{n}={p:F3}"));

    // What the processes printed, for a failure message: a failed run in CI must say why without a rerun.
    string Output() => "\n" + string.Join("\n", _output.TakeLast(60));

    static bool Interrupt(Process process)
    {
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString()])) kill.WaitForExit();
        return process.WaitForExit(30_000);
    }

    // Real time: two processes exchange DDS traffic on loopback.
    static bool WaitFor(Func<bool> condition, double seconds)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline) return false;
            Thread.Sleep(20);
        }
        return true;
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        File.Delete(_report);
    }
}
