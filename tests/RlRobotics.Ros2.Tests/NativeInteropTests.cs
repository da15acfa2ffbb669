using System.Diagnostics;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages.Parsing;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;
using RlRobotics.Ros2.Messages.Types.std_msgs;

namespace RlRobotics.Ros2.Tests;

/// <summary>Our layouts against DDS-native code that idlc generated from the same ROS 2 message definitions.</summary>
public sealed class NativeInteropTests(NativePeers peers) : IClassFixture<NativePeers>
{
    [Theory]
    [InlineData("builtin_interfaces/msg/Time")]
    [InlineData("std_msgs/msg/Header")]
    [InlineData("std_msgs/msg/Float64MultiArray")]
    [InlineData("sensor_msgs/msg/JointState")]
    public void Run_time_descriptors_equal_what_idlc_generates(string type)
    {
        var (code, output) = NativePeers.Execute(peers.Peer, "descriptors");
        Assert.Equal(0, code);
        var line = output.Split('\n').Single(l => l.StartsWith(type + " ", StringComparison.Ordinal));
        var ours = TopicDescriptor.Build(MessageRegistry.CreateDefault().Resolve(type));
        Assert.Equal($"{type} size={ours.Size} align={ours.Alignment} nops={ours.InstructionCount} ops={string.Join(',', ours.Ops)}", line.Trim());
    }

    [Fact]
    public void A_native_peer_reads_what_we_write_and_we_read_what_it_writes()
    {
        const uint domain = 73;
        using var context = Ros2Test.Context(domain);
        var node = context.CreateNode("cross");
        var jsOut = node.CreatePublisher<JointState>("/cross/joint_states_in");
        var arrOut = node.CreatePublisher<Float64MultiArray>("/cross/array_in");
        JointState? js = null;
        Float64MultiArray? arr = null;
        var jsIn = node.CreateSubscription<JointState>("/cross/joint_states_out", m => js = m);
        var arrIn = node.CreateSubscription<Float64MultiArray>("/cross/array_out", m => arr = m);

        using var peer = Process.Start(new ProcessStartInfo(peers.Peer, $"echo {domain} 2") { RedirectStandardOutput = true })!;
        Assert.Equal("ready", peer.StandardOutput.ReadLine());
        Assert.True(Ros2Test.WaitFor(() => jsOut.SubscriptionCount == 1 && arrOut.SubscriptionCount == 1 && jsIn.PublisherCount == 1 && arrIn.PublisherCount == 1),
            "the native peer's endpoints did not match ours");

        var sent = new JointState { Name = ["shoulder", "elbow", "wrist"], Position = [0.5, -1.25, 3.0], Velocity = [1, 2, 3], Effort = [] };
        sent.Header.FrameId = "base_link";
        sent.Header.Stamp.Sec = 1234;
        jsOut.Publish(sent);
        var array = new Float64MultiArray { Data = [1.5, 2.5, -4] };
        array.Layout.Dim.Add(new MultiArrayDimension { Label = "joints", Size = 3, Stride = 3 });
        arrOut.Publish(array);

        Assert.True(Ros2Test.SpinUntil(node, () => js is not null && arr is not null), "no echo from the native peer");
        var printed = peer.StandardOutput.ReadToEnd();
        peer.WaitForExit();
        Assert.Contains("JointState frame=base_link sec=1234 names=3 shoulder=0.5 elbow=-1.25 wrist=3", printed);
        Assert.Contains("Float64MultiArray dims=1 label=joints size=3 n=3", printed);
        Assert.Equal(["shoulder", "elbow", "wrist"], js!.Name);
        Assert.Equal([1.0, -2.5, 6.0], js.Position);     // doubled by the peer
        Assert.Equal([1.0, 2, 3], js.Velocity);
        Assert.Empty(js.Effort);
        Assert.Equal("base_link", js.Header.FrameId);
        Assert.Equal([3.0, 5.0, -8.0], arr!.Data);
        Assert.Equal("joints", arr.Layout.Dim.Single().Label);
    }

    [Fact]
    public void Malformed_cdr_from_a_peer_is_dropped_and_counted_and_the_node_keeps_working()
    {
        const uint domain = 74;
        using var context = Ros2Test.Context(domain);
        var node = context.CreateNode("victim");
        var received = new List<JointState>();
        var subscription = node.CreateSubscription<JointState>("/cross/joint_states_in", received.Add);
        var before = subscription.Rejected;

        using (var peer = Process.Start(new ProcessStartInfo(peers.BadPeer, $"{domain} 5") { RedirectStandardOutput = true, RedirectStandardInput = true })!)
        {
            Assert.Equal("matched", peer.StandardOutput.ReadLine());
            Assert.True(Ros2Test.WaitFor(() => subscription.PublisherCount == 1), "our reader did not match the native writer");
            peer.StandardInput.WriteLine("go");
            peer.StandardInput.Flush();
            Assert.Equal("sent 5", peer.StandardOutput.ReadLine());
            Assert.True(peer.WaitForExit(20_000));
            Assert.Equal(0, peer.ExitCode);
        }
        Assert.True(Ros2Test.SpinUntil(node, () => subscription.Rejected - before >= 5), $"rejected {subscription.Rejected - before} of 5");
        Assert.Empty(received);

        // The node still works: a good sample on the same topic arrives.
        using var other = Ros2Test.Context(domain);
        var publisher = other.CreateNode("good").CreatePublisher<JointState>("/cross/joint_states_in");
        Assert.True(Ros2Test.WaitFor(() => publisher.SubscriptionCount == 1));
        publisher.Publish(new JointState { Name = ["a"], Position = [1] });
        Assert.True(Ros2Test.SpinUntil(node, () => received.Count == 1));
        Assert.Equal(0, subscription.Malformed);
    }
}
