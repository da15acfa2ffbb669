using System.Collections.Concurrent;
using RlRobotics.Mqtt.Managed;
using RlRobotics.Mqtt.Protocol;
using RlRobotics.Mqtt.Tests.Rig;
using Xunit.Abstractions;

namespace RlRobotics.Mqtt.Tests;

/// <summary>The reconnecting client: broker restart mid-stream, queue overflow, reconnect after protocol errors.</summary>
public class ManagedClientTests(ITestOutputHelper output)
{
    private static ManagedMqttClientOptions Managed(MosquittoBroker broker, string id, int capacity = 10_000) => new()
    {
        ClientOptions = broker.Options(id).WithCleanSession(false).WithKeepAlivePeriod(TimeSpan.FromSeconds(5)).Build(),
        MaxPendingMessages = capacity,
        MinReconnectDelay = TimeSpan.FromMilliseconds(20),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(300),
    };

    private static MqttApplicationMessage Message(string topic, int i) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(i.ToString()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private static async Task WaitUntil(Func<bool> condition, double timeout_s, Func<string> describe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeout_s);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not reached within {timeout_s} s: {describe()}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Broker_restart_mid_stream_loses_nothing_within_the_queue_bound()
    {
        using var broker = new MosquittoBroker();
        string topic = "test/restart";
        string suffix = Guid.NewGuid().ToString("N")[..6];
        var counts = new ConcurrentDictionary<int, int>();
        await using var subscriber = new ManagedMqttClient(Managed(broker, "restart-sub-" + suffix));
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            counts.AddOrUpdate(int.Parse(e.ApplicationMessage.ConvertPayloadToString()), 1, (_, n) => n + 1);
            return Task.CompletedTask;
        };
        await subscriber.StartAsync();
        await WaitUntil(() => subscriber.IsConnected, 10, () => "subscriber connect");
        Assert.NotNull(await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce));

        await using var publisher = new ManagedMqttClient(Managed(broker, "restart-pub-" + suffix));
        await publisher.StartAsync();
        await WaitUntil(() => publisher.IsConnected, 10, () => "publisher connect");

        // 400 messages, one every 5 ms (2 s); the broker gets SIGTERM at 0.5 s and comes back at 1.0 s.
        const int count = 400;
        var restart = Task.Run(async () =>
        {
            await Task.Delay(500);
            broker.Stop();
            await Task.Delay(500);
            broker.Start();
        });
        var pace = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            Assert.True(publisher.Enqueue(Message(topic, i)));
            var due = TimeSpan.FromMilliseconds(5 * (i + 1));
            if (pace.Elapsed < due) await Task.Delay(due - pace.Elapsed);
        }
        await restart;

        await WaitUntil(() => counts.Count == count, 30, () => $"{counts.Count}/{count} distinct, publisher {publisher.Statistics}, subscriber {subscriber.Statistics}");
        await WaitUntil(() => publisher.Statistics.Delivered == count, 10, () => publisher.Statistics.ToString());
        var stats = publisher.Statistics;
        int duplicates = counts.Values.Sum() - count;
        output.WriteLine($"publisher {stats}; subscriber {subscriber.Statistics}; duplicates {duplicates}");
        Assert.Equal(0, stats.Dropped);
        Assert.Equal(count, stats.Enqueued);
        Assert.True(stats.Reconnects >= 1, stats.ToString());
        Assert.True(subscriber.Statistics.Reconnects >= 1);
        Assert.Equal(0, stats.Pending);
        Assert.Equal(0, stats.InFlight);
    }

    [Fact]
    public async Task Queue_overflow_drops_the_oldest_and_counts_it()
    {
        using var broker = new MosquittoBroker();
        string topic = "test/overflow";
        string suffix = Guid.NewGuid().ToString("N")[..6];
        // A persistent subscriber registered before the broker goes away, so the broker keeps what arrives later.
        var received = new MessageCollector();
        using var subscriber = new MqttClient();
        subscriber.ApplicationMessageReceivedAsync += received.Handle;
        var subscriberOptions = broker.Options("overflow-sub-" + suffix).WithCleanSession(false).Build();
        await subscriber.ConnectAsync(subscriberOptions);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.DisconnectAsync();
        broker.Stop();

        await using var publisher = new ManagedMqttClient(Managed(broker, "overflow-pub-" + suffix, capacity: 10));
        await publisher.StartAsync();
        for (int i = 0; i < 25; i++) Assert.True(publisher.Enqueue(Message(topic, i)));
        Assert.False(publisher.Enqueue(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("qos0").Build())); // QoS 0 while offline
        var offline = publisher.Statistics;
        Assert.Equal((25L, 16L, 10, 0L), (offline.Enqueued, offline.Dropped, offline.Pending, offline.Delivered));
        await WaitUntil(() => publisher.Statistics.ConnectFailures > 0, 10, () => "a failed connect attempt");
        Assert.IsType<MqttCommunicationException>(publisher.LastConnectError);

        broker.Start();
        await WaitUntil(() => publisher.Statistics.Delivered == 10, 20, () => publisher.Statistics.ToString());
        await subscriber.ConnectAsync(subscriberOptions);
        await received.WaitUntilAsync(m => m.Count >= 10);
        Assert.Equal(Enumerable.Range(15, 10).Select(i => i.ToString()), received.Payloads);
    }

    [Fact]
    public async Task Reconnects_after_protocol_errors_and_counts_them()
    {
        // Connections 0-2 get a malformed CONNACK, 3 a good one followed later by a malformed packet, 4 stays good.
        var dropNow = new TaskCompletionSource();
        await using var broker = new FakeBroker(async (c, index) =>
        {
            await c.ReadConnectAsync();
            if (index < 3)
            {
                await c.SendAsync([0x20, 0x02, 0x00, 0x09]); // return code 9 does not exist
                await c.DrainUntilClosedAsync();
                return;
            }
            await c.AcceptAsync(sessionPresent: true);
            if (index == 3)
            {
                await dropNow.Task;
                await c.SendAsync([0x90, 0x03, 0x00, 0x01, 0x03]); // SUBACK code 3
            }
            await c.DrainUntilClosedAsync(30);
        });
        await using var client = new ManagedMqttClient(new ManagedMqttClientOptions
        {
            ClientOptions = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("managed").WithCleanSession(false).Build(),
            MinReconnectDelay = TimeSpan.FromMilliseconds(5),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(50),
        });
        await client.StartAsync();
        await WaitUntil(() => client.IsConnected, 10, () => client.Statistics.ToString());
        Assert.Equal((3L, 3L, 0L), (client.Statistics.ProtocolErrors, client.Statistics.ConnectFailures, client.Statistics.Reconnects));
        Assert.IsType<MqttProtocolException>(client.LastConnectError);

        dropNow.SetResult();
        await WaitUntil(() => client.Statistics.Reconnects == 1 && client.IsConnected, 10, () => client.Statistics.ToString());
        Assert.Equal(4, client.Statistics.ProtocolErrors);
        Assert.Equal(5, broker.Connections);
    }
}
