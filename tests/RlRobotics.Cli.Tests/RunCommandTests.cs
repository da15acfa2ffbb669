using System.Text.Json;
using RlRobotics.Cli.Node;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;

namespace RlRobotics.Cli.Tests;

[Collection(SerialCollection.Name)]
public class RunCommandTests
{
    internal static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RlRobotics.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }

    internal static (int Code, string Out, string Err) Rlr(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(Root());
        try
        {
            var code = Program.Run(args, output, error);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    [Fact]
    public void Cartpole_lqr_from_0_2_rad_balances_with_no_interventions_and_writes_the_report()
    {
        var report = Path.Combine(Path.GetTempPath(), $"rlr-{Guid.NewGuid():N}.json");
        var (code, output, error) = Rlr("run", "--robot", "robots/cartpole.sim.yaml", "--controller", "lqr", "--duration", "10",
            "--clock", "sim", "--initial-state", "0,2.94,0,0", "--report", report);
        Assert.True(code == 0, error + output);
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        var r = doc.RootElement;
        Assert.Equal("cartpole", r.GetProperty("robot").GetString());
        Assert.Equal("lqr", r.GetProperty("controller").GetString());
        Assert.Equal("sim", r.GetProperty("clock").GetString());
        Assert.Equal(10, r.GetProperty("duration_s").GetDouble());
        Assert.True(r.GetProperty("task").GetProperty("success").GetBoolean());
        Assert.Equal(2, r.GetProperty("task").GetProperty("criteria").GetArrayLength());
        var final = r.GetProperty("final_state");
        Assert.True(Math.Abs(final.GetProperty("pole/position").GetDouble() - Math.PI) < 0.02);
        Assert.True(Math.Abs(final.GetProperty("cart/position").GetDouble()) < 0.05);
        var loop = r.GetProperty("loop");
        Assert.Equal(10_000, loop.GetProperty("cycles").GetInt64());
        foreach (var key in new[] { "p50", "p99", "max" }) Assert.True(loop.GetProperty("lateness_us").TryGetProperty(key, out _));
        Assert.Equal(0, loop.GetProperty("overruns").GetInt64());
        Assert.Equal(0, r.GetProperty("safety").GetProperty("interventions").GetInt64());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("safety").GetProperty("e_stop_reason").ValueKind);
        Assert.Equal(0, r.GetProperty("allocations").GetProperty("bytes_per_cycle").GetDouble());
        Assert.Equal(0, r.GetProperty("exit_code").GetInt32());
        File.Delete(report);
    }

    [Fact]
    public void Steady_state_cycles_allocate_zero_bytes_on_the_sim_clock()
    {
        var spec = RobotSpecLoader.LoadFile(Path.Combine(Root(), "robots/cartpole.sim.yaml"));
        foreach (var controller in new[] { "lqr", "pd", "hold" })
        {
            using var node = RobotNode.Build(new NodeOptions { Robot = spec, Controller = controller, Duration_s = 5, Clock = new SimulatedClock() });
            Assert.Empty(node.Activate());
            node.Loop.Run();   // on this thread: the loop measures GC.GetAllocatedBytesForCurrentThread() after warm-up
            var stats = node.Loop.Statistics;
            Assert.Equal(5000 - 200, stats.AllocationCycles);
            Assert.True(stats.AllocatedBytes == 0, $"{controller}: {stats.AllocatedBytes} bytes over {stats.AllocationCycles} cycles");
        }
        // (Measuring around a whole run from outside is not used: tiered JIT promotions land on this thread at
        // wall-clock-dependent moments and allocate a few KB, so only the loop's own post-warm-up count is exact.)
    }

    [Fact]
    public void Runs_are_deterministic_on_the_sim_clock()
    {
        string Final()
        {
            var spec = RobotSpecLoader.LoadFile(Path.Combine(Root(), "robots/pendulum.sim.yaml")); // has sensor noise
            using var node = RobotNode.Build(new NodeOptions { Robot = spec, Duration_s = 2, Seed = 9 });
            node.Activate();
            node.Loop.Run();
            return string.Join(",", node.Resources.State.Values.Select(v => v.ToString("R")));
        }
        Assert.Equal(Final(), Final());
    }

    [Fact]
    public void Wall_clock_run_reports_realtime_grants_and_lateness()
    {
        var report = Path.Combine(Path.GetTempPath(), $"rlr-{Guid.NewGuid():N}.json");
        var (code, output, error) = Rlr("run", "--clock", "wall", "--duration", "3", "--quiet", "--report", report);
        Assert.True(code == 0, error + output);
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        var r = doc.RootElement;
        Assert.Equal("wall", r.GetProperty("clock").GetString());
        Assert.Equal(3, r.GetProperty("realtime").GetArrayLength()); // mlockall, timer slack, SCHED_FIFO: granted or refused, each reported
        Assert.True(r.GetProperty("loop").GetProperty("cycles").GetInt64() > 2000);
        Assert.True(r.GetProperty("loop").GetProperty("lateness_us").GetProperty("max").GetInt64() > 0);
        File.Delete(report);
    }

    [Fact]
    public void A_failing_task_exits_1()
    {
        // The arm with plain PD sags under gravity and misses its 0.02 rad tolerance.
        var (code, output, _) = Rlr("run", "--robot", "robots/arm2.sim.yaml", "--controller", "pd", "--duration", "3");
        Assert.Equal(1, code);
        Assert.Contains("failed", output);
    }

    [Fact]
    public void Doctor_reports_each_check()
    {
        var (code, output, _) = Rlr("doctor");
        Assert.Contains(".NET runtime", output);
        Assert.Contains("SCHED_FIFO", output);
        Assert.Contains("libddsc", output);
        Assert.True(code is 0 or 1);
    }
}
