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

    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtMostOnce, 20_000)]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce, 20_000)]
    public async Task Throughput_to_mosquitto_keeps_up_with_mosquitto_pub(MqttQualityOfServiceLevel qos, int count)
    {
        var broker = MosquittoBroker.Shared;
        string topic = "test/perf-" + Guid.NewGuid().ToString("N")[..8];
        string payload = "0123456789012345678901234567890";
        using var client = new MqttClient();
        await client.ConnectAsync(broker.Options("perf").Build());
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build();
        var probe = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("end").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        for (int i = 0; i < 1000; i++) await client.PublishAsync(message); // warm-up (JIT)

        var sw = Stopwatch.StartNew();
        var pending = new Task[count];
        for (int i = 0; i < count; i++) pending[i] = client.PublishAsync(message);
        await Task.WhenAll(pending);
        await client.PublishAsync(probe); // acknowledged only after the broker has read everything before it
        double ours_s = sw.Elapsed.TotalSeconds;

        sw.Restart();
        Tool.Run("mosquitto_pub", $"-h 127.0.0.1 -p {broker.Port} -u {MosquittoBroker.User} -P {MosquittoBroker.Password} -V mqttv311 -t {topic} -q {(int)qos} -m {payload} --repeat {count}");
        double theirs_s = sw.Elapsed.TotalSeconds;
        output.WriteLine($"QoS {(int)qos}: ours {count / ours_s:F0} msg/s ({ours_s * 1000:F0} ms), mosquitto_pub {count / theirs_s:F0} msg/s ({theirs_s * 1000:F0} ms, process start included)");
        // A regression guard with room for a busy 2-core machine; the measured numbers are in the test output.
        Assert.True(ours_s < theirs_s * 2, $"ours {ours_s:F3} s vs mosquitto_pub {theirs_s:F3} s");
    }
}
