using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;

namespace RlRobotics.Control.Tests;

public class PdControllerTests
{
    private static (TaskMonitor Monitor, SafetyFilter Filter) Run(string robotFile, string controller, double seconds)
    {
        var (monitor, filter, _) = LqrTests.RunRobot(robotFile, controller, seconds, seed: 3);
        return (monitor, filter);
    }

    [Fact]
    public void Lqr_with_gravity_feedforward_reaches_the_arm_goal_pose()
    {
        var (monitor, filter) = Run("robots/arm2.sim.yaml", "lqr", 5);
        Assert.True(monitor.Succeeded, string.Join("; ", monitor.Results().Select(r => $"{r.Interface} {r.FinalError}")));
        Assert.False(filter.EStopLatched);
    }

    [Fact]
    public void Pd_on_the_arm_sags_under_gravity_and_fails_the_tight_tolerance()
    {
        // Plain PD has no gravity compensation: a steady-state error the task monitor must catch.
        var (monitor, _) = Run("robots/arm2.sim.yaml", "pd", 5);
        Assert.False(monitor.Succeeded);
    }

    [Fact]
    public void Hold_keeps_the_diffdrive_wheels_still()
    {
        var (monitor, filter) = Run("robots/diffdrive.sim.yaml", "hold", 3);
        Assert.True(monitor.Succeeded);
        Assert.Equal(0, filter.Counters.Interventions);
    }

    [Fact]
    public void Lqr_balances_the_pendulum_and_the_acrobot()
    {
        Assert.True(Run("robots/pendulum.sim.yaml", "lqr", 4).Monitor.Succeeded);
        Assert.True(Run("robots/acrobot.sim.yaml", "lqr", 4).Monitor.Succeeded);
    }
}
