using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Components;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;
using RlRobotics.Ros2.Hal;
using RlRobotics.Ros2.Messages.Types.diagnostic_msgs;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;

namespace RlRobotics.Ros2.Tests;

/// <summary>The node's own /joint_states and /diagnostics: what a ROS 2 tool sees while the loop runs.</summary>
public sealed class TelemetryTests
{
    const uint Domain = 88;

    [Fact]
    public void The_node_publishes_the_loops_joint_states_and_diagnostics_and_its_real_time_side_allocates_nothing()
    {
        using var driverContext = Ros2Test.Context(Domain);
        var driver = driverContext.CreateNode("driver", "/cartpole");
        var states = driver.CreatePublisher<JointState>("joint_states");
        var message = new JointState { Name = ["pole", "cart"], Position = [3.0, 0.25], Velocity = [0.5, -1], Effort = [0, 2] };
        var listener = driverContext.CreateNode("listener");
        var jointStates = new List<JointState>();
        var diagnostics = new List<DiagnosticArray>();
        var jsSub = listener.CreateSubscription<JointState>("/joint_states", jointStates.Add);
        var diagSub = listener.CreateSubscription<DiagnosticArray>("/diagnostics", diagnostics.Add);

        using (Ros2Test.Pump(() => states.Publish(message)))
        {
            var spec = Ros2Test.CartpoleSpec(Domain);
            var resources = new ResourceManager(new ComponentRegistry().AddRos2().CreateAll(spec, 0, null));
            Assert.Empty(resources.ConfigureAndActivate());
            var component = (Ros2TopicsSystem)resources.Components.Single();
            var filter = new SafetyFilter(spec, resources.State, resources.Command);
            var loop = new LoopStatistics();
            using var telemetry = new Ros2Telemetry(component.Settings, spec, resources.State);
            telemetry.Bind(new TelemetrySources(loop, filter, resources, () => null));
            telemetry.Start(background: false);
            Assert.True(Ros2Test.WaitFor(() => jsSub.PublisherCount == 1 && diagSub.PublisherCount == 1));

            // Real time: read the driver's state and hand it to the telemetry every cycle. Warm up, then measure.
            var cycle = 0L;
            void Cycle()
            {
                var time = new CycleTime(++cycle * 4_000_000, 0.004, cycle);
                resources.ReadAll(time);
                telemetry.OnCycle(resources.State, resources.Command, time);
            }
            Assert.True(Ros2Test.WaitFor(() =>
            {
                Cycle();
                return resources.State.Values[resources.State.IndexOf("cart/position")] == 0.25;
            }));
            for (var i = 0; i < 100; i++) Cycle();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++) Cycle();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

            Assert.True(telemetry.PublishJointState());
            Assert.False(telemetry.PublishJointState()); // nothing new since
            Assert.True(Ros2Test.SpinUntil(listener, () => jointStates.Count == 1));
            var js = jointStates[0];
            Assert.Equal(["cart", "pole"], js.Name);                 // the robot's joint order
            Assert.Equal([0.25, 3.0], js.Position);
            Assert.Equal([-1, 0.5], js.Velocity);
            Assert.Equal(2.0, js.Effort[0]);
            Assert.True(double.IsNaN(js.Effort[1]));                 // the pole reports no effort
            Assert.True(js.Header.Stamp.Sec > 1_700_000_000);        // ROS time, not loop time

            // The filter latches an e-stop: diagnostics say so, with the event.
            filter.RequestEStop("operator pressed stop");
            filter.Apply(resources.State, resources.Command, new CycleTime(++cycle * 4_000_000, 0.004, cycle), cycle * 4_000_000);
            Assert.True(telemetry.PublishDiagnostics());
            Assert.True(Ros2Test.SpinUntil(listener, () => diagnostics.Count == 1));
            var status = diagnostics[0].Status.ToDictionary(s => s.Name);
            Assert.Equal(["rlr/cartpole: control loop", "rlr/cartpole: safety filter", "rlr/cartpole: hardware cartpole_driver"], status.Keys);
            var safety = status["rlr/cartpole: safety filter"];
            Assert.Equal(DiagnosticStatus.ERROR, safety.Level);
            Assert.Contains("operator pressed stop", safety.Message);
            Assert.Equal("1", safety.Values.Single(v => v.Key == "estops").Value);
            Assert.Contains(safety.Values, v => v.Key.StartsWith("event ") && v.Value.Contains("operator pressed stop"));
            Assert.Equal("250", status["rlr/cartpole: control loop"].Values.Single(v => v.Key == "rate_hz_target").Value);
            Assert.Equal(DiagnosticStatus.OK, status["rlr/cartpole: hardware cartpole_driver"].Level);

            // Events are reported once: the next array lists none.
            Assert.True(telemetry.PublishDiagnostics());
            Assert.True(Ros2Test.SpinUntil(listener, () => diagnostics.Count == 2));
            Assert.DoesNotContain(diagnostics[1].Status.Single(s => s.Name.EndsWith("safety filter")).Values, v => v.Key.StartsWith("event "));
            resources.ShutdownAll();
        }
    }

    [Theory]
    [InlineData("joint_states_topic: joint_states", "joint_states_topic", "is the driver's state topic")]
    [InlineData("joint_states_topic: forward_command_controller/commands", "joint_states_topic", "is the command topic")]
    [InlineData("diagnostics_topic: 'bad name!'", "diagnostics_topic", "")]
    [InlineData("telemetry_hz: 0", "telemetry_hz", "more than 0")]
    public void Telemetry_settings_that_cannot_work_are_refused_with_their_location(string line, string key, string expected)
    {
        var ex = Assert.Throws<SpecException>(() =>
            new ComponentRegistry().AddRos2().CreateAll(Ros2Test.CartpoleSpec(Domain, y => y.Replace("      connect_timeout_s: 10", $"      connect_timeout_s: 10\n      {line}")), 0, null));
        Assert.Contains(ex.Errors, e => e.ToString().Contains(key) && e.ToString().Contains(expected));
    }

    [Fact]
    public void Off_turns_a_topic_off()
    {
        var components = new ComponentRegistry().AddRos2().CreateAll(
            Ros2Test.CartpoleSpec(Domain, y => y.Replace("      connect_timeout_s: 10", "      connect_timeout_s: 10\n      joint_states_topic: off\n      diagnostics_topic: off")), 0, null);
        var settings = ((Ros2TopicsSystem)components.Single()).Settings;
        Assert.Null(settings.JointStatesTopic);
        Assert.False(settings.PublishesTelemetry);
    }
}
