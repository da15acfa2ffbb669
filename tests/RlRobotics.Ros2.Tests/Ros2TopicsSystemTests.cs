using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Components;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;
using RlRobotics.Ros2.Messages.Types.std_msgs;

namespace RlRobotics.Ros2.Tests;

/// <summary>The ros2-topics component against a driver played by the test: state freshness, a silent driver, commands.</summary>
public sealed class Ros2TopicsSystemTests
{
    const uint Domain = 81;

    static ResourceManager Robot() => new(new ComponentRegistry().AddRos2().CreateAll(Ros2Test.CartpoleSpec(Domain), 0, null));

    [Fact]
    public void State_goes_stale_when_the_driver_stops_and_fresh_when_it_returns_and_commands_reach_the_driver()
    {
        using var driverContext = Ros2Test.Context(Domain);
        var driver = driverContext.CreateNode("driver", "/cartpole");
        var states = driver.CreatePublisher<JointState>("joint_states");
        var commands = new List<double[]>();
        driver.CreateSubscription<Float64MultiArray>("forward_command_controller/commands", m => commands.Add([.. m.Data]));
        var message = new JointState { Name = ["pole", "cart"], Position = [3.0, 0.25], Velocity = [0.5, -1], Effort = [0, 2] };
        var publishing = true;
        using (Ros2Test.Pump(() => { if (Volatile.Read(ref publishing)) states.Publish(message); }))
        {
            var resources = Robot();
            Assert.Empty(resources.ConfigureAndActivate()); // configure waited for the first complete JointState
            var component = (Hal.Ros2TopicsSystem)resources.Components.Single();
            var cycle = 0L;
            long Step()
            {
                var time = new CycleTime(++cycle * 4_000_000, 0.004, cycle);
                resources.ReadAll(time);
                return component.StateStamp_ns;
            }

            // The first read normally takes the state configure waited for; if it lands while the driver's
            // listener is writing a newer one (a seqlock, odd while writing) it takes it a cycle later.
            Assert.True(Ros2Test.WaitFor(() => Step() > 0));
            Assert.Equal(cycle * 4_000_000, component.StateStamp_ns); // stamped with the cycle that read it
            var state = resources.State;
            Assert.Equal(0.25, state.Values[state.IndexOf("cart/position")]); // matched by name, not by order
            Assert.Equal(3.0, state.Values[state.IndexOf("pole/position")]);
            Assert.Equal(2.0, state.Values[state.IndexOf("cart/effort")]);

            // The driver falls silent: the stamp stops advancing, so the safety filter's watchdog will trip.
            Volatile.Write(ref publishing, false);
            Thread.Sleep(300);
            var last = Step();
            Thread.Sleep(100);
            Assert.Equal(last, Step());
            Assert.Equal(last, Step());

            // It comes back: fresh again.
            Volatile.Write(ref publishing, true);
            Assert.True(Ros2Test.WaitFor(() => Step() > last));

            // Commands go out as Float64MultiArray, one value per commanded joint (the cart).
            resources.Command.Values[resources.Command.IndexOf("cart/effort")] = 1.5;
            resources.WriteAll(new CycleTime(cycle * 4_000_000, 0.004, cycle));
            Assert.True(Ros2Test.SpinUntil(driver, () => commands.Any(c => c is [1.5])));
            resources.ShutdownAll();
        }
    }

    [Fact]
    public void Configure_names_the_topic_when_no_driver_answers()
    {
        var resources = new ResourceManager(new ComponentRegistry().AddRos2().CreateAll(
            Ros2Test.CartpoleSpec(82, yaml => yaml.Replace("connect_timeout_s: 10", "connect_timeout_s: 0.3")), 0, null));
        var problems = resources.ConfigureAndActivate();
        Assert.Contains(problems, p => p.Contains("/cartpole/joint_states") && p.Contains("within 0.3 s"));
    }
}
