using RlRobotics.Ros2.Messages.Types.std_msgs;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Ros2.Tests;

/// <summary>Immediate delivery: callbacks on Cyclone's receive thread through a DDS listener.</summary>
public sealed class ImmediateDeliveryTests
{
    [Fact]
    public void An_immediate_subscription_gets_its_messages_on_the_receive_thread_without_spinning()
    {
        using var context = Ros2Test.Context(90);
        var node = context.CreateNode("immediate");
        var publisher = node.CreatePublisher<Float64>("/immediate/value");
        var got = new List<(double Value, int Thread)>();
        using var arrived = new ManualResetEventSlim();
        var subscription = node.CreateSubscription<Float64>("/immediate/value", m =>
        {
            lock (got) got.Add((m.Data, Environment.CurrentManagedThreadId));
            if (m.Data < 0) throw new InvalidOperationException("negative");
            if (got.Count == 3) arrived.Set();
        }, delivery: Delivery.Immediate);
        Assert.True(Ros2Test.WaitFor(() => publisher.SubscriptionCount == 1));
        publisher.Publish(new() { Data = 1 });
        publisher.Publish(new() { Data = -2 }); // the callback throws: recorded, never reaches Cyclone's thread
        publisher.Publish(new() { Data = 3 });
        Assert.True(arrived.Wait(TimeSpan.FromSeconds(20)), $"got {got.Count}");
        Assert.Equal([1.0, -2, 3], got.Select(g => g.Value));
        Assert.Contains("negative", subscription.LastError);
        Assert.Equal(0, node.SpinOnce(TimeSpan.Zero)); // nothing left for the executor
    }
}
