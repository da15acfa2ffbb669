using System.Diagnostics;
using RlRobotics.Mqtt.Tests.Rig;
using Xunit.Abstractions;

namespace RlRobotics.Mqtt.Tests;

/// <summary>Timing-sensitive tests run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(PerformanceCollection), DisableParallelization = true)]
public class PerformanceCollection;

/// <summary>QoS 0 publish allocates nothing; throughput against mosquitto next to mosquitto_pub.</summary>
[Collection(nameof(PerformanceCollection))]
public class PerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Qos0_publish_allocates_nothing_per_message()
    {
        await using var broker = new FakeBroker(async (c, _) =>
        {
            await c.ReadConnectAsync();
            await c.AcceptAsync();
            await c.DiscardUntilClosedAsync();
        });
        using var client = new MqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("alloc").WithKeepAlivePeriod(TimeSpan.Zero).Build());
        var message = new MqttApplicationMessageBuilder().WithTopic("robot/joint_states").WithPayload(new byte[64]).Build();
        for (int i = 0; i < 2_000; i++) await client.PublishAsync(message);

        // Measured on this thread: every publish below completes synchronously (the socket takes 64 B at once).
        const int count = 2_000;
        int synchronous = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < count; i++)
        {
            var t = client.PublishAsync(message);
            if (t.IsCompletedSuccessfully) synchronous++;
            else await t;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{allocated} B for {count} publishes, {synchronous} synchronous");
        Assert.Equal(count, synchronous);
        // The runtime's socket layer allocates now and then (measured ~0.5 B per send on average); one allocation per
        // message of our own would be ≥ 24 B × 2000 = 48 KB.
        Assert.True(allocated <= 2048, $"{allocated} B for {count} publishes");
    }
}
