using RlRobotics.Core.Frames;
using RlRobotics.Hal.Components;

namespace RlRobotics.Hal.Tests;

public class LifecycleAndResourceTests
{
    private static RecordingComponent Component(string name = "hw") => new(name, new[] { "j/position" }, new[] { "j/effort" });

    [Fact]
    public void Lifecycle_follows_ros2_control_transitions()
    {
        var c = Component();
        Assert.Equal(LifecycleState.Unconfigured, c.State);
        Assert.False(c.Activate());                       // not from Unconfigured
        Assert.Contains("cannot activate", c.LastError);
        Assert.True(c.Configure());
        Assert.Equal(LifecycleState.Inactive, c.State);
        Assert.True(c.Activate());
        Assert.Equal(LifecycleState.Active, c.State);
        Assert.True(c.Deactivate());
        Assert.True(c.Cleanup());
        Assert.Equal(LifecycleState.Unconfigured, c.State);
        Assert.True(c.Shutdown());
        Assert.Equal(LifecycleState.Finalized, c.State);
        Assert.False(c.Configure());
    }

    [Fact]
    public void Failed_configure_stays_unconfigured_and_error_recovers_to_unconfigured()
    {
        var c = Component();
        c.ConfigureResult = CallbackResult.Failure;
        Assert.False(c.Configure());
        Assert.Equal(LifecycleState.Unconfigured, c.State);
        c.ConfigureResult = CallbackResult.Success;
        c.Configure(); c.Activate();
        c.HandleError();
        Assert.Equal(LifecycleState.Unconfigured, c.State); // recovery path: configure and activate again
        Assert.True(c.Configure() && c.Activate());
    }

    [Fact]
    public void Inactive_components_are_read_but_never_written()
    {
        var active = new RecordingComponent("a", new[] { "a/position" }, new[] { "a/effort" });
        var inactive = new RecordingComponent("b", new[] { "b/position" }, new[] { "b/effort" });
        var rm = new ResourceManager(new[] { active, inactive });
        active.Configure(); active.Activate();
        inactive.Configure();
        inactive.Values[0] = 0.7;
        var t = new CycleTime(1, 1e-3, 0);
        rm.ReadAll(t);
        rm.WriteAll(t);
        Assert.Equal(0.7, rm.State["b/position"]);
        Assert.Single(active.Written);
        Assert.Empty(inactive.Written);
    }

    [Fact]
    public void A_second_claimant_of_a_command_interface_is_refused()
    {
        var rm = new ResourceManager(new[] { Component() });
        rm.Claim("j/effort", "controller 'lqr'");
        rm.Claim("j/effort", "controller 'lqr'"); // the same claimant again is fine
        var ex = Assert.Throws<ClaimConflictException>(() => rm.Claim("j/effort", "controller 'pd'"));
        Assert.Contains("already claimed by 'controller 'lqr''", ex.Message);
        rm.Release("controller 'lqr'");
        rm.Claim("j/effort", "controller 'pd'");
        Assert.Equal("controller 'pd'", rm.ClaimantOf("j/effort"));
        Assert.Throws<ClaimConflictException>(() => rm.Claim("k/effort", "x"));
    }

    [Fact]
    public void Two_components_exporting_one_interface_are_refused()
    {
        var ex = Assert.Throws<ClaimConflictException>(() => new ResourceManager(new[] { Component("a"), Component("b") }));
        Assert.Contains("exported by both 'a' and 'b'", ex.Message);
    }

    [Fact]
    public void A_failing_read_sends_the_component_through_error_handling()
    {
        var c = Component();
        var rm = new ResourceManager(new[] { c });
        rm.ConfigureAndActivate();
        c.ReadResult = HardwareResult.Error;
        Assert.False(rm.ReadAll(new CycleTime(5, 1e-3, 0)));
        Assert.Equal(LifecycleState.Unconfigured, c.State);
        Assert.Equal(1, rm.ReadErrors);
        Assert.Equal(long.MinValue, rm.State.Stamp_ns); // stale for the watchdog
    }
}
