using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;

namespace RlRobotics.Hal.Tests;

public class ControlLoopTests
{
    private static (ControlLoop Loop, List<long> Starts) Build(IClock clock, double? duration_s)
    {
        var spec = Robots.Load(Robots.EffortJoint);
        var hw = new RecordingComponent("hw", new[] { "j/position", "j/velocity", "p/position", "p/velocity" }, new[] { "j/effort", "p/position", "p/velocity" });
        hw.Values[2] = 0.25;
        var rm = new ResourceManager(new[] { hw });
        rm.ConfigureAndActivate();
        var starts = new List<long>();
        var controller = new ScriptedController(new[] { "j/effort" }, (c, t) => { starts.Add(t.Now_ns); c["p/position"] = 0.25; });
        var loop = new ControlLoop(new ControlLoopOptions { RateHz = 1000, Duration_s = duration_s }, clock, rm, controller, new SafetyFilter(spec, rm.State, rm.Command));
        return (loop, starts);
    }

    [Fact]
    public void The_simulated_clock_runs_exact_periods()
    {
        var (loop, starts) = Build(new SimulatedClock(), 1.0);
        loop.Run();
        Assert.Equal(1000, loop.Statistics.Cycles);
        Assert.All(starts.Zip(starts.Skip(1)), p => Assert.Equal(1_000_000, p.Second - p.First));
        Assert.Equal(0, loop.Statistics.Overruns);
        Assert.Equal(0, loop.Statistics.Lateness.Max_us);
    }

    [Fact]
    public void A_stall_skips_whole_periods_and_never_runs_cycles_back_to_back()
    {
        // The 11th sleep overshoots by 7.3 ms, the 31st by 0.4 ms (late but within one period).
        var (loop, starts) = Build(new StallingClock(new() { [10] = 7_300_000, [30] = 400_000 }), 0.1);
        loop.Run();
        var s = loop.Statistics;
        Assert.Equal(1, s.Overruns);
        Assert.Equal(7, s.SkippedPeriods);
        Assert.Equal(7300, s.Lateness.Max_us);
        var gaps = starts.Zip(starts.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, g => Assert.True(g >= 600_000, $"cycles ran back to back: gap {g} ns"));
        // After the stall the schedule keeps its phase: cycle starts stay on whole milliseconds.
        Assert.Equal(0, starts[^1] % 1_000_000);
        Assert.Equal(100 - 7, s.Cycles);
    }

    [Fact]
    public void Stop_ends_a_loop_that_has_no_duration()
    {
        var (loop, _) = Build(new SimulatedClock(), duration_s: null);
        loop.Start();
        while (loop.Statistics.Cycles < 500) Thread.Yield();
        loop.Stop();
        loop.Join();
        Assert.False(loop.IsRunning);
        Assert.True(loop.Statistics.Cycles >= 500);
    }

    [Fact]
    public void Histogram_percentiles_are_exact_on_known_data()
    {
        var h = new Histogram(1000);
        for (var i = 1; i <= 100; i++) h.Record(i * 1000L);
        Assert.Equal(50, h.Percentile_us(0.5));
        Assert.Equal(99, h.Percentile_us(0.99));
        Assert.Equal(100, h.Max_us);
        h.Record(5_000_000);
        Assert.Equal(5000, h.Percentile_us(1.0));
    }
}
