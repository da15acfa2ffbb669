using System.Text;
using System.Threading.Channels;
using RlRobotics.Mqtt.Protocol;
using RlRobotics.Mqtt.Tests.Rig;

namespace RlRobotics.Mqtt.Tests;

/// <summary>Client behaviour against the scripted fake broker: ordering, QoS 2 dedup, session resume, keep-alive, errors.</summary>
public class ClientBehaviourTests
{
    private static MqttClientOptionsBuilder Options(FakeBroker broker, string id = "c") =>
        new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId(id).WithTimeout(TimeSpan.FromSeconds(5));

    private static MqttApplicationMessage Message(string payload, MqttQualityOfServiceLevel qos) =>
        new MqttApplicationMessageBuilder().WithTopic("t").WithPayload(payload).WithQualityOfServiceLevel(qos).Build();

    [Fact]
    public async Task Publishes_leave_in_call_order_when_the_window_is_full()
    {
        var seen = new List<string>();
        var done = new TaskCompletionSource();
        await using var broker = new FakeBroker(async (c, _) =>
        {
            await c.ReadConnectAsync();
            await c.AcceptAsync();
            while (true)
            {
                var p = (PublishPacket)await c.ReadAsync();
                lock (seen) seen.Add(Encoding.UTF8.GetString(p.Payload.Span));
                await c.SendAsync(new PacketIdPacket(MqttPacketType.PubAck, p.PacketId));
            }
        });
        using var client = new MqttClient();
        await client.ConnectAsync(Options(broker).WithMaximumInFlight(5).Build());
        var sends = Enumerable.Range(0, 300).Select(i => client.PublishAsync(Message(i.ToString(), MqttQualityOfServiceLevel.AtLeastOnce))).ToArray();
        await Task.WhenAll(sends);
        lock (seen) Assert.Equal(Enumerable.Range(0, 300).Select(i => i.ToString()), seen);
    }

    [Fact]
    public async Task Suback_failure_code_is_reported_per_filter()
    {
        await using var broker = new FakeBroker(async (c, _) =>
        {
            await c.ReadConnectAsync();
            await c.AcceptAsync();
            var s = (SubscribePacket)await c.ReadAsync();
            await c.SendAsync(new SubAckPacket(s.PacketId, [0x80, 0x01]));
            await c.DrainUntilClosedAsync();
        });
        using var client = new MqttClient();
        await client.ConnectAsync(Options(broker).Build());
        var r = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("denied/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("ok/+", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal([MqttClientSubscribeResultCode.UnspecifiedError, MqttClientSubscribeResultCode.GrantedQoS1], r.Items.Select(i => i.ResultCode));
    }

    [Fact]
    public async Task Inbound_qos2_redelivery_is_acknowledged_but_not_delivered_twice()
    {
        var brokerSaw = new List<string>();
        var finished = new TaskCompletionSource();
        await using var broker = new FakeBroker(async (c, _) =>
        {
            await c.ReadConnectAsync();
            await c.AcceptAsync();
            var first = new PublishPacket { Topic = "t", Payload = "x"u8.ToArray(), Qos = MqttQualityOfServiceLevel.ExactlyOnce, PacketId = 7 };
            await c.SendAsync(first);
            brokerSaw.Add(Describe(await c.ReadAsync()));
            await c.SendAsync(new PublishPacket { Topic = "t", Payload = "x"u8.ToArray(), Qos = MqttQualityOfServiceLevel.ExactlyOnce, PacketId = 7, Dup = true });
            brokerSaw.Add(Describe(await c.ReadAsync()));
            await c.SendAsync(new PacketIdPacket(MqttPacketType.PubRel, 7));
            brokerSaw.Add(Describe(await c.ReadAsync()));
            // Id 7 is free again: a new message with it is a new message.
            await c.SendAsync(new PublishPacket { Topic = "t", Payload = "y"u8.ToArray(), Qos = MqttQualityOfServiceLevel.ExactlyOnce, PacketId = 7 });
            brokerSaw.Add(Describe(await c.ReadAsync()));
            finished.SetResult();
            await c.DrainUntilClosedAsync();
        });
        var received = new MessageCollector();
        using var client = new MqttClient();
        client.ApplicationMessageReceivedAsync += received.Handle;
        await client.ConnectAsync(Options(broker).Build());
        await finished.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await received.WaitUntilAsync(m => m.Count >= 2);
        Assert.Equal(["x", "y"], received.Payloads);
        Assert.Equal(["PUBREC 7", "PUBREC 7", "PUBCOMP 7", "PUBREC 7"], brokerSaw);
    }

    private static string Describe(MqttPacket p) => p switch
    {
        PacketIdPacket a => $"{MqttPacketReader.Name(a.Type)} {a.PacketId}",
        PublishPacket pub => $"PUBLISH {pub.PacketId} dup={pub.Dup} {Encoding.UTF8.GetString(pub.Payload.Span)}",
        _ => MqttPacketReader.Name(p.Type),
    };

    [Fact]
    public async Task Persistent_session_resends_unacknowledged_publish_with_dup_and_pubrel_after_reconnect()
    {
        var second = new TaskCompletionSource<List<string>>();
        await using var broker = new FakeBroker(async (c, index) =>
        {
            var connect = await c.ReadConnectAsync();
            Assert.False(connect.CleanSession);
            await c.AcceptAsync(sessionPresent: index > 0);
            if (index == 0)
            {
                var q1 = (PublishPacket)await c.ReadAsync();   // never acknowledged
                var q2 = (PublishPacket)await c.ReadAsync();
                await c.SendAsync(new PacketIdPacket(MqttPacketType.PubRec, q2.PacketId));
                await c.ReadAsync();                            // PUBREL, never completed
                return;                                         // drop the connection
            }
            var got = new List<string> { Describe(await c.ReadAsync()), Describe(await c.ReadAsync()) };
            second.SetResult(got);
            await c.SendAsync(new PacketIdPacket(MqttPacketType.PubAck, 1));
            await c.SendAsync(new PacketIdPacket(MqttPacketType.PubComp, 2));
            await c.DrainUntilClosedAsync();
        });
        using var client = new MqttClient();
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>();
        client.DisconnectedAsync += e => { disconnected.TrySetResult(e); return Task.CompletedTask; };
        var options = Options(broker, "persistent").WithCleanSession(false).Build();
        await client.ConnectAsync(options);
        var q1 = client.PublishAsync(Message("one", MqttQualityOfServiceLevel.AtLeastOnce));
        var q2 = client.PublishAsync(Message("two", MqttQualityOfServiceLevel.ExactlyOnce));
        var gone = await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MqttClientDisconnectReason.ServerClosedConnection, gone.Reason);
        Assert.False(q1.IsCompleted);
        Assert.Equal(2, client.InFlightCount);

        var result = await client.ConnectAsync(options);
        Assert.True(result.IsSessionPresent);
        Assert.Equal(["PUBLISH 1 dup=True one", "PUBREL 2"], await second.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, (await q1.WaitAsync(TimeSpan.FromSeconds(10))).PacketIdentifier);
        Assert.Equal(2, (await q2.WaitAsync(TimeSpan.FromSeconds(10))).PacketIdentifier);
        Assert.Equal(0, client.InFlightCount);
    }

    [Fact]
    public async Task Clean_session_fails_unacknowledged_publishes_on_disconnect()
    {
        await using var broker = new FakeBroker(async (c, _) =>
        {
            await c.ReadConnectAsync();
            await c.AcceptAsync();
            await c.ReadAsync();
        });
        using var client = new MqttClient();
        await client.ConnectAsync(Options(broker).Build());
        var e = await Assert.ThrowsAsync<MqttClientDisconnectedException>(() => client.PublishAsync(Message("lost", MqttQualityOfServiceLevel.AtLeastOnce)).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("ended", e.Message);
        Assert.Equal(0, client.InFlightCount);
    }

    [Fact]
    public async Task Keep_alive_sends_pingreq_when_idle_and_disconnects_when_pingresp_never_comes()
    {
        var time = new ManualTimeProvider();
        var pings = Channel.CreateUnbounded<int>();
        await using var broker = new FakeBroker(async (c, _) =>
        {
            await c.ReadConnectAsync();
            await c.AcceptAsync();
            for (int n = 1; ; n++)
            {
                var p = await c.ReadAsync();
                Assert.Equal(MqttPacketType.PingReq, p.Type);
                await pings.Writer.WriteAsync(n);
                if (n == 1) await c.SendAsync(MqttPacketWriter.Encode(EmptyPacket.PingResp)); // answer only the first
            }
        });
        using var client = new MqttClient();
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>();
        client.DisconnectedAsync += e => { disconnected.TrySetResult(e); return Task.CompletedTask; };
        await client.ConnectAsync(Options(broker).WithKeepAlivePeriod(TimeSpan.FromSeconds(10)).WithTimeout(TimeSpan.FromSeconds(3)).WithTimeProvider(time).Build());

        await time.WaitForTimersAsync();
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(pings.Reader.TryRead(out _));                 // not idle long enough yet
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await pings.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));

        // The PINGRESP came: the next ping is one idle period later, and the connection stays up.
        await WaitUntil(() => PingAnswered(client));
        await time.WaitForTimersAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, await pings.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(client.IsConnected);

        // No PINGRESP this time: after the 3 s timeout the client gives up.
        await time.WaitForTimersAsync();
        time.Advance(TimeSpan.FromSeconds(3));
        var gone = await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(MqttClientDisconnectReason.KeepAliveTimeout, gone.Reason);
        Assert.Contains("no PINGRESP", gone.Exception!.Message);
        Assert.False(client.IsConnected);
    }

    private static bool PingAnswered(MqttClient client) => client.PingOutstanding == false;

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in 5 s");
            await Task.Delay(1);
        }
    }

    [Fact]
    public async Task Protocol_error_after_connect_closes_with_a_typed_reason()
    {
        await using var broker = new FakeBroker(async (c, _) =>
        {
            await c.ReadConnectAsync();
            await c.AcceptAsync();
            await c.SendAsync(Convert.FromHexString("3003000123")); // PUBLISH to topic "#"
            await c.DrainUntilClosedAsync();
        });
        using var client = new MqttClient();
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>();
        client.DisconnectedAsync += e => { disconnected.TrySetResult(e); return Task.CompletedTask; };
        await client.ConnectAsync(Options(broker).Build());
        var gone = await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MqttClientDisconnectReason.ProtocolError, gone.Reason);
        var e = Assert.IsType<MqttProtocolException>(gone.Exception);
        Assert.Contains("wildcard", e.Message);
        Assert.Equal(1, client.ProtocolErrors);
    }

    [Fact]
    public async Task A_throwing_handler_does_not_break_the_connection()
    {
        await using var broker = new FakeBroker(async (c, _) =>
        {
            await c.ReadConnectAsync();
            await c.AcceptAsync();
            for (ushort id = 1; id <= 2; id++)
            {
                await c.SendAsync(new PublishPacket { Topic = "t", Payload = new byte[] { (byte)id }, Qos = MqttQualityOfServiceLevel.AtLeastOnce, PacketId = id });
                Assert.Equal(MqttPacketType.PubAck, (await c.ReadAsync()).Type);
            }
            await c.DrainUntilClosedAsync();
        });
        using var client = new MqttClient();
        int calls = 0;
        client.ApplicationMessageReceivedAsync += _ => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("handler bug") : Task.CompletedTask;
        await client.ConnectAsync(Options(broker).Build());
        await WaitUntil(() => Volatile.Read(ref calls) == 2);
        Assert.True(client.IsConnected);
        Assert.Empty(broker.ScriptErrors);
    }
}
