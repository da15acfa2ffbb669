using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages.Dynamic;
using RlRobotics.Ros2.Messages.Parsing;
using RlRobotics.Ros2.Messages.Tests;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;
using RlRobotics.Ros2.Messages.Types.std_msgs;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Ros2.Tests;

/// <summary>Publish and subscribe between two participants (two rmw contexts) over loopback UDP.</summary>
public sealed class TopicTests
{
    [Fact]
    public void Every_message_type_round_trips_equal_through_another_process()
    {
        // Each type goes to the echo peer (a separate process), which decodes it into a dynamic message, encodes it again
        // and sends it back: both directions cross UDP on loopback, and the other side's decoder and encoder are exercised.
        const uint domain = 75;
        using var peer = EchoPeer.Start(domain);
        using var context = Ros2Test.Context(domain);
        var node = context.CreateNode("echo_client");
        var rng = new Random(7);
        var schemas = MessageRegistry.CreateDefault().Messages.OrderBy(s => s.FullName).ToList();
        Assert.True(schemas.Count >= 25);
        foreach (var schema in schemas)
        {
            var topic = $"{schema.Package}_{schema.Name}";
            var sent = RandomMessages.Create(schema, rng);
            DynamicMessage? got = null;
            using var sub = node.CreateSubscription<DynamicRosMessage>($"/echo/out/{topic}", schema, m => got = m.Message, () => new DynamicRosMessage(schema));
            using var pub = node.CreatePublisher<DynamicRosMessage>($"/echo/in/{topic}", schema);
            Assert.True(Ros2Test.WaitFor(() => pub.SubscriptionCount == 1 && sub.PublisherCount == 1), $"{schema.FullName}: the echo peer did not match");
            // Matching is not symmetric in time: the peer's reader may not know our writer yet, and a volatile reader
            // drops what came before. Send again until the echo is in.
            for (var attempt = 0; attempt < 10 && got is null; attempt++)
            {
                pub.Publish(new DynamicRosMessage(sent));
                Ros2Test.SpinUntil(node, () => got is not null, 2);
            }
            Assert.True(got is not null, $"{schema.FullName}: no echo");
            Assert.True(sent.ContentEquals(got!), $"{schema.FullName}: sent\n{sent}\ngot\n{got}");
        }
        var last = peer.Finish();
        Assert.StartsWith("echoed ", last);
        Assert.True(int.Parse(last["echoed ".Length..]) >= schemas.Count, $"the peer says '{last}' for {schemas.Count} types");
    }

    [Fact]
    public void Large_messages_arrive_intact()
    {
        const uint domain = 76;
        using var a = Ros2Test.Context(domain);
        using var b = Ros2Test.Context(domain);
        var states = new JointState();
        for (var i = 0; i < 100; i++)
        {
            states.Name.Add($"joint_{i}");
            states.Position.Add(i * 0.01);
            states.Velocity.Add(-i);
            states.Effort.Add(i * i);
        }
        var big = new Float64MultiArray();
        for (var i = 0; i < 131_072; i++) big.Data.Add(Math.Sin(i)); // 1 MiB of doubles
        JointState? gotStates = null;
        Float64MultiArray? gotBig = null;
        var listener = b.CreateNode("listener");
        listener.CreateSubscription<JointState>("big/joint_states", m => gotStates = m);
        listener.CreateSubscription<Float64MultiArray>("big/array", m => gotBig = m);
        var talker = a.CreateNode("talker");
        var p1 = talker.CreatePublisher<JointState>("big/joint_states");
        var p2 = talker.CreatePublisher<Float64MultiArray>("big/array");
        Assert.True(Ros2Test.WaitFor(() => p1.SubscriptionCount == 1 && p2.SubscriptionCount == 1));
        p1.Publish(states);
        p2.Publish(big);
        Assert.True(Ros2Test.SpinUntil(listener, () => gotStates is not null && gotBig is not null, 30));
        Assert.Equal(Ros2Test.Serialize(states), Ros2Test.Serialize(gotStates!));
        Assert.Equal(big.Data, gotBig!.Data);
    }

    [Fact]
    public void A_best_effort_writer_does_not_match_a_reliable_reader_but_the_reverse_does()
    {
        const uint domain = 77;
        using var a = Ros2Test.Context(domain);
        using var b = Ros2Test.Context(domain);
        var listener = b.CreateNode("listener");
        var talker = a.CreateNode("talker");
        var reliableGot = 0;
        var bestEffortGot = 0;
        var reliableReader = listener.CreateSubscription<Float64>("qos/x", _ => reliableGot++, QosProfile.DefaultProfile);
        var bestEffortReader = listener.CreateSubscription<Float64>("qos/y", _ => bestEffortGot++, QosProfile.SensorDataProfile);
        var bestEffortWriter = talker.CreatePublisher<Float64>("qos/x", QosProfile.SensorDataProfile);
        var reliableWriter = talker.CreatePublisher<Float64>("qos/y", QosProfile.DefaultProfile);

        // Request/offered: a reader's reliability must not exceed the writer's.
        Assert.True(Ros2Test.WaitFor(() => reliableWriter.SubscriptionCount == 1), "reliable writer → best-effort reader must match");
        // Discovery of the mismatched pair has completed once the matching pair on the same participants has; give it a moment more.
        Ros2Test.SpinUntil(listener, () => false, 1.0);
        Assert.Equal(0, bestEffortWriter.SubscriptionCount);
        Assert.Equal(0, reliableReader.PublisherCount);
        for (var i = 0; i < 5; i++)
        {
            bestEffortWriter.Publish(new Float64 { Data = i });
            reliableWriter.Publish(new Float64 { Data = i });
        }
        Assert.True(Ros2Test.SpinUntil(listener, () => bestEffortGot == 5));
        Ros2Test.SpinUntil(listener, () => false, 0.5);
        Assert.Equal(0, reliableGot);
    }

    [Fact]
    public void Writing_bytes_that_are_not_the_topic_type_is_refused_and_nothing_is_sent()
    {
        using var a = Ros2Test.Context(78);
        var pub = a.CreateNode("talker").CreatePublisher<JointState>("refused");
        var ex = Assert.Throws<DdsException>(() => pub.PublishSerialized([0, 1, 0, 0, 1, 2]));
        Assert.Contains("does not match sensor_msgs/msg/JointState", ex.Message);
        Assert.Equal(0, pub.Published);
    }

    [Fact]
    public void Publishing_a_preallocated_joint_state_allocates_nothing()
    {
        using var a = Ros2Test.Context(79);
        var pub = a.CreateNode("talker").CreatePublisher<JointState>("alloc/joint_states");
        var m = new JointState { Name = ["j1", "j2", "j3", "j4", "j5", "j6"], Position = [1, 2, 3, 4, 5, 6], Velocity = [0, 0, 0, 0, 0, 0], Effort = [0, 0, 0, 0, 0, 0] };
        for (var i = 0; i < 2000; i++) pub.Publish(m); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            m.Position[0] = i;
            pub.Publish(m);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Names_resolve_and_bad_names_are_refused()
    {
        Assert.Equal("/ns/chatter", TopicNames.Resolve("chatter", "/ns", "n"));
        Assert.Equal("/ns/n/x", TopicNames.Resolve("~/x", "/ns", "n"));
        Assert.Equal("/abs", TopicNames.Resolve("/abs", "/ns", "n"));
        Assert.Equal("rt/ns/chatter", TopicNames.Topic("/ns/chatter"));
        Assert.Equal("rq/add_two_intsRequest", TopicNames.Request("/add_two_ints"));
        Assert.Equal("sensor_msgs/msg/JointState", TopicNames.TypeFromDds("sensor_msgs::msg::dds_::JointState_"));
        foreach (var bad in new[] { "1abc", "a b", "a//b", "a__b", "x/" })
            Assert.Throws<ArgumentException>(() => TopicNames.Resolve(bad, "/", "n"));
    }

    [Fact]
    public void The_graph_lists_another_participants_topics_and_nodes()
    {
        const uint domain = 80;
        using var a = Ros2Test.Context(domain);
        using var b = Ros2Test.Context(domain);
        var talker = a.CreateNode("talker", "/demo");
        talker.CreatePublisher<JointState>("joint_states");
        var graph = b.Graph;
        Assert.True(Ros2Test.WaitFor(() =>
        {
            graph.Refresh();
            return graph.Topics().Any(t => t.Name == "/demo/joint_states") && graph.Nodes().Any(n => n.FullName == "/demo/talker");
        }));
        var topic = graph.Topics().Single(t => t.Name == "/demo/joint_states");
        Assert.Equal(["sensor_msgs/msg/JointState"], topic.Types);
        Assert.Equal(1, topic.Publishers);
    }
}

public sealed class DdsLogTests
{
    [Fact]
    public void Cyclones_deserialization_warning_is_counted_against_its_topic()
    {
        // The line as Cyclone 0.10.2 logs it (captured from a run against the malformed peer).
        const string line = "data(application, vendor 1.16): 1101800:3e5cb3ae:1e9cc7e6:103 #1: deserialization " +
                            "rt/log_test/joint_states/sensor_msgs::msg::dds_::JointState_ failed (for reasons unknown)";
        var before = DdsLog.RejectedSamples("rt/log_test/joint_states");
        DdsLog.Count(line);
        DdsLog.Count("some other warning about rt/log_test/joint_states");
        Assert.Equal(before + 1, DdsLog.RejectedSamples("rt/log_test/joint_states"));
    }
}
