using System.Text;
using RlRobotics.Mqtt.Tests.Rig;

namespace RlRobotics.Mqtt.Tests;

/// <summary>The client against a real mosquitto 2 (the shared rig broker): auth, ACL, QoS, wildcards, retain, will, sessions.</summary>
public class BrokerTests
{
    private static MosquittoBroker Broker => MosquittoBroker.Shared;

    private static string Unique(string name) => $"test/{name}-{Guid.NewGuid():N}"[..Math.Min(60, name.Length + 38)];

    private static async Task<(MqttClient Client, MessageCollector Received)> ConnectAsync(string id, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var client = new MqttClient();
        var received = new MessageCollector();
        client.ApplicationMessageReceivedAsync += received.Handle;
        var options = Broker.Options(id + "-" + Guid.NewGuid().ToString("N")[..6]);
        configure?.Invoke(options);
        await client.ConnectAsync(options.Build());
        return (client, received);
    }

    private static MqttApplicationMessage Message(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtMostOnce, bool retain = false) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).WithRetainFlag(retain).Build();

    [Fact]
    public async Task Connect_with_valid_credentials_is_accepted()
    {
        var connected = new TaskCompletionSource<MqttClientConnectedEventArgs>();
        using var client = new MqttClient();
        client.ConnectedAsync += e => { connected.TrySetResult(e); return Task.CompletedTask; };
        var result = await client.ConnectAsync(Broker.Options("auth-ok").Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.False(result.IsSessionPresent);
        Assert.True(client.IsConnected);
        Assert.Same(result, (await connected.Task).ConnectResult);
        await client.DisconnectAsync();
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Wrong_password_is_refused_with_the_connack_code_in_the_message()
    {
        using var client = new MqttClient();
        var e = await Assert.ThrowsAsync<MqttConnectingFailedException>(() => client.ConnectAsync(Broker.Options("auth-bad", password: "wrong").Build()));
        // mosquitto answers a wrong password on 3.1.1 with 5 (not authorized); 4 is the other legal answer.
        Assert.Contains(e.Result.ResultCode, new[] { MqttClientConnectResultCode.NotAuthorized, MqttClientConnectResultCode.BadUserNameOrPassword });
        Assert.Contains($"127.0.0.1:{Broker.Port} refused the connection: CONNACK {(int)e.Result.ResultCode}", e.Message);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Anonymous_client_is_not_authorized()
    {
        using var client = new MqttClient();
        var e = await Assert.ThrowsAsync<MqttConnectingFailedException>(() =>
            client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Broker.Port).WithClientId("anon").Build()));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, e.Result.ResultCode);
        Assert.Contains("not authorized", e.Message);
    }

    [Fact]
    public async Task Unreachable_broker_is_reported_with_the_endpoint()
    {
        using var client = new MqttClient();
        var e = await Assert.ThrowsAsync<MqttCommunicationException>(() =>
            client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", MosquittoBroker.FreePort()).Build()));
        Assert.Contains("cannot reach the broker at 127.0.0.1:", e.Message);
    }

    [Fact]
    public async Task Publish_denied_by_the_acl_is_dropped_silently_by_the_broker()
    {
        string topic = Unique("acl");
        var (subscriber, received) = await ConnectAsync("acl-sub");
        using var _ = subscriber;
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var (viewer, _) = await ConnectAsync("acl-viewer", o => o.WithCredentials(MosquittoBroker.Viewer, MosquittoBroker.ViewerPassword));
        using var __ = viewer;
        // mosquitto still acknowledges it (3.1.1 has no way to say no), but delivers it to nobody.
        await viewer.PublishAsync(Message(topic, "denied", MqttQualityOfServiceLevel.AtLeastOnce));
        await subscriber.PublishAsync(Message(topic, "marker", MqttQualityOfServiceLevel.AtLeastOnce));
        await received.WaitForPayloadAsync("marker");
        Assert.DoesNotContain("denied", received.Payloads);
    }

    [Fact]
    public async Task Subscribe_outside_the_acl_is_granted_by_mosquitto_2_0_but_delivers_nothing()
    {
        // mosquitto 2.0.11's acl_file does not refuse SUBSCRIBE (it filters at delivery); the 0x80 path is covered
        // against the fake broker in ClientBehaviourTests.
        var (client, received) = await ConnectAsync("acl-subscribe");
        using var _ = client;
        string ok = Unique("ok");
        var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("private/#", MqttQualityOfServiceLevel.AtLeastOnce).WithTopicFilter(ok, MqttQualityOfServiceLevel.ExactlyOnce).Build());
        Assert.Equal(2, result.Items.Count);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS2, result.Items[1].ResultCode);
        Tool.Run("mosquitto_pub", $"-h 127.0.0.1 -p {Broker.Port} -u {MosquittoBroker.User} -P {MosquittoBroker.Password} -t private/x -q 1 -m secret");
        await client.PublishAsync(Message(ok, "marker", MqttQualityOfServiceLevel.AtLeastOnce));
        await received.WaitForPayloadAsync("marker");
        Assert.DoesNotContain("secret", received.Payloads);
    }

    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData(MqttQualityOfServiceLevel.ExactlyOnce)]
    public async Task Round_trip_through_mosquitto_keeps_order_and_qos(MqttQualityOfServiceLevel qos)
    {
        string topic = Unique("qos" + (int)qos);
        var (subscriber, received) = await ConnectAsync("rt-sub");
        var (publisher, _) = await ConnectAsync("rt-pub");
        using var _1 = subscriber;
        using var _2 = publisher;
        var granted = await subscriber.SubscribeAsync(topic, qos);
        Assert.Equal((MqttClientSubscribeResultCode)qos, granted.Items[0].ResultCode);
        const int count = 200;
        var sends = Enumerable.Range(0, count).Select(i => publisher.PublishAsync(Message(topic, i.ToString(), qos))).ToArray();
        var results = await Task.WhenAll(sends);
        Assert.All(results, r => Assert.Equal(qos, r.QualityOfServiceLevel));
        if (qos != MqttQualityOfServiceLevel.AtMostOnce) Assert.Equal(count, results.Select(r => r.PacketIdentifier).Distinct().Count());
        await received.WaitUntilAsync(m => m.Count >= count, what: $"{count} messages");
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString()), received.Payloads);
        Assert.All(received.Messages, m => Assert.Equal(qos, m.QualityOfServiceLevel));
        Assert.Equal(0, publisher.InFlightCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Messages_from_mosquitto_pub_arrive_and_ours_reach_mosquitto_sub(int qos)
    {
        string topic = Unique("cli");
        var (client, received) = await ConnectAsync("cli");
        using var _ = client;
        await client.SubscribeAsync(topic, (MqttQualityOfServiceLevel)qos);
        string auth = $"-h 127.0.0.1 -p {Broker.Port} -u {MosquittoBroker.User} -P {MosquittoBroker.Password} -V mqttv311";
        Tool.Run("mosquitto_pub", $"{auth} -t {topic} -q {qos} -m from-mosquitto_pub");
        var m = await received.WaitForPayloadAsync("from-mosquitto_pub");
        Assert.Equal((MqttQualityOfServiceLevel)qos, m.QualityOfServiceLevel);

        // The other direction: our retained message is what a fresh mosquitto_sub gets first.
        await client.PublishAsync(Message(topic, "from-rlrobotics", (MqttQualityOfServiceLevel)qos, retain: true));
        string got = Tool.Run("mosquitto_sub", $"{auth} -t {topic} -q {qos} -C 1 -W 10");
        Assert.Equal("from-rlrobotics", got.Trim());
        await client.PublishAsync(Message(topic, "", MqttQualityOfServiceLevel.AtLeastOnce, retain: true));
    }

    [Fact]
    public async Task Wildcards_match_one_level_and_many_levels()
    {
        string root = Unique("wild");
        var (plus, plusReceived) = await ConnectAsync("plus");
        var (hash, hashReceived) = await ConnectAsync("hash");
        using var _1 = plus;
        using var _2 = hash;
        await plus.SubscribeAsync(root + "/+/temp");
        await hash.SubscribeAsync(root + "/#");
        foreach (var t in new[] { "/a/temp", "/a/b/temp", "", "/b/temp", "/end" })
            await plus.PublishAsync(Message(root + t, t.Length == 0 ? "root" : t, MqttQualityOfServiceLevel.AtLeastOnce));
        await plusReceived.WaitForPayloadAsync("/b/temp");
        await hashReceived.WaitForPayloadAsync("/end");
        Assert.Equal(["/a/temp", "/b/temp"], plusReceived.Payloads);
        Assert.Equal(["/a/temp", "/a/b/temp", "root", "/b/temp", "/end"], hashReceived.Payloads);
    }

    [Fact]
    public async Task Hash_subscription_does_not_see_sys_topics_but_a_sys_filter_does()
    {
        var (everything, all) = await ConnectAsync("all");
        var (sys, sysReceived) = await ConnectAsync("sys");
        using var _1 = everything;
        using var _2 = sys;
        await everything.SubscribeAsync("#");
        await sys.SubscribeAsync("$SYS/broker/uptime");
        string marker = Unique("marker");
        // $SYS topics are retained, so a matching filter would have got one at subscribe time, before this marker.
        await everything.PublishAsync(Message(marker, "marker", MqttQualityOfServiceLevel.AtLeastOnce));
        await all.WaitForPayloadAsync("marker");
        var uptime = (await sysReceived.WaitUntilAsync(m => m.Count > 0).ContinueWith(_ => sysReceived.Messages[0]));
        Assert.Equal("$SYS/broker/uptime", uptime.Topic);
        Assert.DoesNotContain(all.Messages, m => m.Topic.StartsWith('$'));
    }

    [Fact]
    public async Task Retained_message_reaches_later_subscribers_until_cleared()
    {
        string topic = Unique("retain");
        var (publisher, _) = await ConnectAsync("retain-pub");
        using var _1 = publisher;
        await publisher.PublishAsync(Message(topic, "kept", MqttQualityOfServiceLevel.AtLeastOnce, retain: true));

        var (late, lateReceived) = await ConnectAsync("retain-late");
        using var _2 = late;
        await late.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var m = await lateReceived.WaitForPayloadAsync("kept");
        Assert.True(m.Retain);

        // An empty retained publish clears it; a later subscriber gets only the live marker.
        await publisher.PublishAsync(Message(topic, "", MqttQualityOfServiceLevel.AtLeastOnce, retain: true));
        var (later, laterReceived) = await ConnectAsync("retain-later");
        using var _3 = later;
        await later.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(Message(topic, "marker", MqttQualityOfServiceLevel.AtLeastOnce));
        await laterReceived.WaitForPayloadAsync("marker");
        Assert.Equal(["marker"], laterReceived.Payloads);
        Assert.False(laterReceived.Messages[0].Retain);
    }

    [Fact]
    public async Task Will_is_published_on_an_unclean_drop_and_not_on_a_clean_disconnect()
    {
        string willTopic = Unique("will");
        var (watcher, seen) = await ConnectAsync("will-watch");
        using var _ = watcher;
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);

        void Will(MqttClientOptionsBuilder o, string payload) => o.WithWillTopic(willTopic).WithWillPayload(payload)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithWillRetain(false);

        var (clean, _) = await ConnectAsync("will-clean", o => Will(o, "clean-will"));
        await clean.DisconnectAsync();
        clean.Dispose();
        var (crashing, _) = await ConnectAsync("will-crash", o => Will(o, "crash-will"));
        crashing.AbortConnection();
        crashing.Dispose();

        await seen.WaitForPayloadAsync("crash-will");
        await watcher.PublishAsync(Message(willTopic, "marker", MqttQualityOfServiceLevel.AtLeastOnce));
        await seen.WaitForPayloadAsync("marker");
        Assert.DoesNotContain("clean-will", seen.Payloads);
    }

    [Fact]
    public async Task Persistent_session_receives_qos1_messages_queued_while_offline()
    {
        string topic = Unique("offline");
        string id = "persist-" + Guid.NewGuid().ToString("N")[..8];
        var options = Broker.Options(id).WithCleanSession(false).Build();
        var received = new MessageCollector();
        using var subscriber = new MqttClient();
        subscriber.ApplicationMessageReceivedAsync += received.Handle;
        Assert.False((await subscriber.ConnectAsync(options)).IsSessionPresent);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.DisconnectAsync();

        var (publisher, _) = await ConnectAsync("offline-pub");
        using var _1 = publisher;
        for (int i = 0; i < 5; i++) await publisher.PublishAsync(Message(topic, "queued-" + i, MqttQualityOfServiceLevel.AtLeastOnce));

        var again = await subscriber.ConnectAsync(options);
        Assert.True(again.IsSessionPresent);
        await received.WaitUntilAsync(m => m.Count >= 5, what: "5 queued messages");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => "queued-" + i), received.Payloads);

        // Clean up the broker-side session.
        await subscriber.DisconnectAsync();
        await subscriber.ConnectAsync(Broker.Options(id).WithCleanSession(true).Build());
        await subscriber.DisconnectAsync();
    }

    [Fact]
    public async Task Connect_right_after_disconnect_never_finds_the_old_connection()
    {
        // The broker answers DISCONNECT by closing, so the reader and DisconnectAsync race to close; DisconnectAsync
        // returns only when the client has let go of the connection (a fresh-clone run once failed the test above here).
        using var client = new MqttClient();
        var options = Broker.Options("reconnect-" + Guid.NewGuid().ToString("N")[..8]).Build();
        for (int i = 0; i < 300; i++)
        {
            await client.ConnectAsync(options);
            await client.DisconnectAsync();
            Assert.False(client.IsConnected);
        }
    }

    [Fact]
    public async Task Large_payload_round_trips()
    {
        string topic = Unique("large");
        var (client, received) = await ConnectAsync("large");
        using var _ = client;
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var payload = Enumerable.Range(0, 1_000_000).Select(i => (byte)(i * 7)).ToArray();
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await received.WaitUntilAsync(m => m.Count == 1);
        Assert.Equal(payload, System.Buffers.BuffersExtensions.ToArray(received.Messages[0].Payload));
        var unsubscribed = await client.UnsubscribeAsync(topic);
        Assert.Equal([topic], unsubscribed.TopicFilters);
    }
}
