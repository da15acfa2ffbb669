using RlRobotics.Core.Frames;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;

namespace RlRobotics.Hal.Tests;

public class SafetyFilterTests
{
    private sealed record Rig(RecordingComponent Hw, ResourceManager Rm, SafetyFilter Filter, ControlLoop Loop);

    private static readonly string[] Commands = { "j/effort", "p/position", "p/velocity" };

    private static Rig Build(Action<CommandFrame, CycleTime> script, double duration_s, IClock? clock = null)
    {
        var spec = Robots.Load(Robots.EffortJoint);
        var hw = new RecordingComponent("hw", new[] { "j/position", "j/velocity", "p/position", "p/velocity" }, Commands);
        hw.Values[2] = 0.25;
        var rm = new ResourceManager(new[] { hw });
        rm.ConfigureAndActivate();
        var filter = new SafetyFilter(spec, rm.State, rm.Command);
        var loop = new ControlLoop(new ControlLoopOptions { RateHz = 1000, Duration_s = duration_s }, clock ?? new SimulatedClock(), rm,
            new ScriptedController(Commands, script), filter);
        return new Rig(hw, rm, filter, loop);
    }

    // Regression: a failed read marks the state stale with Stamp_ns = long.MinValue, and now − long.MinValue
    // overflowed to a negative age, so the filter never noticed. Degraded reads (a resting bus) take the same path.
    [Theory]
    [InlineData(HardwareResult.Degraded)]
    [InlineData(HardwareResult.Error)]
    public void A_failed_read_makes_every_joint_safe_that_same_cycle(HardwareResult failure)
    {
        Rig? rig = null;
        rig = Build((c, t) =>
        {
            c["j/effort"] = 1.0; c["p/position"] = 0.25; c["p/velocity"] = 0;
            if (t.Cycle == 99) rig!.Hw.ReadResult = failure; // fails from the read of cycle 100 on
            if (t.Cycle == 149) rig!.Hw.ReadResult = HardwareResult.Ok;
        }, 0.3);
        rig.Loop.Run();
        Assert.False(rig.Filter.InSafeMode && failure == HardwareResult.Degraded);
        if (failure == HardwareResult.Degraded)
        {
            // The component stayed up and was written every cycle: safe values while its reads failed.
            Assert.Equal(LifecycleState.Active, rig.Hw.State);
            Assert.Equal(50, rig.Rm.DegradedReads);
            Assert.All(rig.Hw.Written.Skip(100).Take(50), w => Assert.Equal(0.0, w[0]));
            Assert.Equal(1.0, rig.Hw.Written[99][0]);
            Assert.Equal(1, rig.Filter.Counters.WatchdogTrips);
        }
        else
        {
            // An error takes the component down; it is not written again, and the state stays stale.
            Assert.Equal(LifecycleState.Unconfigured, rig.Hw.State);
            Assert.Equal(100, rig.Hw.Written.Count);
            Assert.True(rig.Filter.InSafeMode);
        }
        Assert.True(rig.Filter.Counters.SafeCycles >= 50);
    }

    [Fact]
    public void A_nan_command_is_never_written_and_latches_the_estop_with_its_reason()
    {
        var rig = Build((c, t) =>
        {
            c["j/effort"] = t.Cycle == 100 ? double.NaN : 1.0;
            c["p/position"] = 0.25; c["p/velocity"] = 0;
        }, 0.3);
        rig.Loop.Run();
        Assert.All(rig.Hw.Written, w => Assert.All(w, v => Assert.True(double.IsFinite(v))));
        Assert.True(rig.Filter.EStopLatched);
        Assert.Equal("non-finite command on j/effort", rig.Filter.EStopReason);
        Assert.Equal(1, rig.Filter.Counters.NonFinite);
        // From the NaN cycle on, the effort joint is limp and the position joint holds.
        Assert.All(rig.Hw.Written.Skip(100), w => Assert.Equal(new[] { 0.0, 0.25, 0.0 }, w));
        var e = Assert.Single(rig.Filter.Events);
        Assert.Equal(SafetyEventKind.EStopLatched, e.Kind);
    }

    [Fact]
    public void The_estop_stays_latched_until_released_and_then_commands_resume_rate_limited()
    {
        var rig = Build((c, _) => { c["j/effort"] = 5.0; c["p/position"] = 0.25; c["p/velocity"] = 0; }, 0.2);
        rig.Filter.RequestEStop("operator");
        rig.Loop.Run();
        Assert.All(rig.Hw.Written, w => Assert.Equal(0.0, w[0]));
        Assert.Equal("operator", rig.Filter.EStopReason);

        var rig2 = Build((c, _) => { c["j/effort"] = 5.0; c["p/position"] = 0.25; c["p/velocity"] = 0; }, 0.01);
        rig2.Filter.RequestEStop("operator");
        rig2.Filter.RequestRelease(); // processed first, so the e-stop that follows wins this cycle
        rig2.Loop.Run();
        Assert.True(rig2.Filter.EStopLatched);
    }

    [Fact]
    public void Release_resumes_from_the_safe_values_under_the_rate_limit()
    {
        var filterRef = (SafetyFilter?)null;
        var rig = Build((c, t) =>
        {
            if (t.Cycle == 10) filterRef!.RequestRelease();
            c["j/effort"] = 5.0; c["p/position"] = 0.25; c["p/velocity"] = 0;
        }, 0.03);
        filterRef = rig.Filter;
        rig.Filter.RequestEStop("test");
        rig.Loop.Run();
        Assert.False(rig.Filter.EStopLatched);
        var efforts = rig.Hw.Written.Select(w => w[0]).ToArray();
        Assert.Equal(0.0, efforts[9]);       // released during cycle 10, applied by that cycle's filter pass
        Assert.Equal(1.0, efforts[10], 9);   // 1000 N·m/s × 1 ms
        Assert.Equal(2.0, efforts[11], 9);
    }

    [Fact]
    public void A_stale_state_makes_every_joint_safe_within_one_cycle()
    {
        RecordingComponent? hw = null;
        var rig = Build((c, t) =>
        {
            if (t.Cycle == 50) hw!.Stale = true;   // the sensor stops updating from the next read on
            if (t.Cycle == 120) hw!.Stale = false;
            c["j/effort"] = 0.5; c["p/position"] = 0.3; c["p/velocity"] = 0.01;
        }, 0.2);
        hw = rig.Hw;
        rig.Loop.Run();
        var w = rig.Hw.Written;
        // Last fresh sample at cycle 50; watchdog 5 ms: cycles 51–55 are within it, 56 is the first stale one.
        Assert.Equal(0.5, w[55][0], 9);
        Assert.Equal(new[] { 0.0, w[56][1], 0.0 }, w[56]);
        Assert.All(w.Skip(56).Take(64), x => Assert.Equal(0.0, x[0]));
        Assert.Equal(1, rig.Filter.Counters.WatchdogTrips);
        Assert.False(rig.Filter.EStopLatched);          // the watchdog does not latch: fresh state resumes control
        Assert.Equal(0.5, w[^1][0], 9);
    }

    [Fact]
    public void Limits_and_rate_limits_hold_under_adversarial_commands()
    {
        foreach (var seed in Enumerable.Range(0, 20))
        {
            var random = new Random(seed);
            RecordingComponent? hw = null;
            var rig = Build((c, _) =>
            {
                // A hostile controller: huge, tiny, sign-flipping commands; the state wanders, beyond soft limits too.
                c["j/effort"] = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(0, 6));
                c["p/position"] = (random.NextDouble() - 0.5) * 4;
                c["p/velocity"] = (random.NextDouble() - 0.5) * 20;
                hw!.Values[0] = (random.NextDouble() - 0.5) * 2.4;
                hw.Values[1] = (random.NextDouble() - 0.5) * 6;
                hw.Values[2] = random.NextDouble() * 0.6 - 0.05;
            }, 0.5);
            hw = rig.Hw;
            rig.Loop.Run();
            double prevEffort = 0, prevVelocity = 0, prevPosition = double.NaN;
            foreach (var w in rig.Hw.Written)
            {
                Assert.InRange(w[0], -5.0, 5.0);                          // effort limit
                Assert.InRange(w[0] - prevEffort, -1.0 - 1e-9, 1.0 + 1e-9); // 1000 N·m/s at 1 kHz
                Assert.InRange(w[1], 0.0, 0.5);                           // hard position limits
                Assert.InRange(w[2], -0.2, 0.2);                          // velocity limit
                Assert.InRange(w[2] - prevVelocity, -0.004 - 1e-12, 0.004 + 1e-12); // acceleration 4 m/s²
                if (!double.IsNaN(prevPosition)) Assert.InRange(Math.Abs(w[1] - prevPosition), 0, 0.2e-3 + 1e-12); // ≤ v_max·dt per cycle
                (prevEffort, prevVelocity, prevPosition) = (w[0], w[2], w[1]);
            }
            Assert.True(rig.Filter.Counters.Interventions > 0);
            Assert.False(rig.Filter.EStopLatched);
        }
    }

    [Fact]
    public void Soft_limits_push_an_effort_joint_back_near_its_position_limit()
    {
        RecordingComponent? hw = null;
        var rig = Build((c, _) =>
        {
            hw!.Values[0] = 0.95; hw.Values[1] = 0.0;      // past the soft upper limit 0.9
            c["j/effort"] = 5.0;                            // pushing further out
            c["p/position"] = 0.25; c["p/velocity"] = 0;
        }, 0.02);
        hw = rig.Hw;
        rig.Loop.Run();
        // v_max = clamp(−10·(0.95 − 0.9)) = −0.5; e_max = clamp(−20·(0 − (−0.5))) = −10 → −5: the filter pushes inward.
        Assert.True(rig.Hw.Written[^1][0] < 0);
        Assert.True(rig.Filter.Counters.EffortLimited > 0);
    }

    [Fact]
    public void A_throwing_controller_latches_the_estop_and_the_loop_keeps_running()
    {
        var rig = Build((c, t) =>
        {
            if (t.Cycle == 20) throw new InvalidOperationException("boom");
            c["j/effort"] = 1.0; c["p/position"] = 0.25; c["p/velocity"] = 0;
        }, 0.1);
        rig.Loop.Run();
        Assert.Equal(100, rig.Loop.Statistics.Cycles);
        Assert.Equal("boom", rig.Loop.ControllerFault?.Message);
        Assert.Equal("controller 'scripted' threw an exception", rig.Filter.EStopReason);
        Assert.All(rig.Hw.Written.Skip(20), w => Assert.Equal(0.0, w[0]));
    }
}
