using System.Diagnostics;
using RlRobotics.Ros2.Messages.Types.example_interfaces;
using RlRobotics.Ros2.Messages.Types.std_srvs;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Ros2.Tests;

/// <summary>Services as rmw_cyclonedds carries them: rq/…Request and rr/…Reply with the guid/seq request header.</summary>
public sealed class ServiceTests(NativePeers peers) : IClassFixture<NativePeers>
{
    [Fact]
    public async Task A_client_gets_the_answers_to_its_own_requests_and_never_another_clients()
    {
        using var serverContext = Ros2Test.Context(83);
        using var clientContext = Ros2Test.Context(83);
        var server = serverContext.CreateNode("adder", "/math");
        var service = server.CreateService<AddTwoInts, AddTwoInts_Request, AddTwoInts_Response>("add_two_ints", (q, r) => r.Sum = q.A + q.B);
        var clients = clientContext.CreateNode("asker", "/math");
        var first = clients.CreateClient<AddTwoInts, AddTwoInts_Request, AddTwoInts_Response>("add_two_ints");
        var second = clients.CreateClient<AddTwoInts, AddTwoInts_Request, AddTwoInts_Response>("/math/add_two_ints");
        Assert.Equal("/math/add_two_ints", service.ServiceName);
        Assert.NotEqual(first.Guid, second.Guid);
        using var spinServer = server.SpinInBackground("server");
        using var spinClients = clients.SpinInBackground("clients");
        Assert.True(first.WaitForService(TimeSpan.FromSeconds(20)) && second.WaitForService(TimeSpan.FromSeconds(20)));
        Assert.True(Ros2Test.WaitFor(() => service.ClientCount == 2));

        // Interleaved: both clients use sequence numbers 1..3, so each must keep only replies carrying its own guid.
        var asked = new List<(Task<AddTwoInts_Response> Reply, long Sum)>();
        for (var i = 1; i <= 3; i++)
        {
            asked.Add((first.SendRequestAsync(new AddTwoInts_Request { A = i, B = 100 }), i + 100));
            asked.Add((second.SendRequestAsync(new AddTwoInts_Request { A = -i, B = 1_000_000_000_000 }), 1_000_000_000_000 - i));
        }
        foreach (var (reply, sum) in asked) Assert.Equal(sum, (await reply.WaitAsync(TimeSpan.FromSeconds(20))).Sum);
        Assert.Equal(0, first.Pending + second.Pending);
        Assert.Equal(6, service.Received);
        Assert.Equal(3, first.Received);
        Assert.Equal(3, second.Received);
    }

    [Fact]
    public void A_service_half_with_its_request_header_never_shares_a_descriptor_with_the_bare_half()
    {
        var bare = TopicDescriptor.For(SetBool_Request.Schema);
        var wrapped = TopicDescriptor.For(ServiceWire.Of(SetBool_Request.Schema));
        Assert.NotSame(bare, wrapped);
        Assert.Equal(ServiceWire.Of(SetBool_Request.Schema).DdsTypeName, SetBool_Request.Schema.DdsTypeName);
        Assert.Equal(["guid", "seq", "data"], ServiceWire.Of(SetBool_Request.Schema).Fields.Select(f => f.Name));
        Assert.Equal(1, bare.Size);       // struct { bool data; }
        Assert.Equal(24, wrapped.Size);   // struct { uint64 guid; int64 seq; bool data; }, padded to 8
    }

    [Fact]
    public async Task A_handler_that_throws_gets_no_reply_and_the_service_keeps_serving()
    {
        using var context = Ros2Test.Context(84);
        var node = context.CreateNode("switch");
        var service = node.CreateService<SetBool, SetBool_Request, SetBool_Response>("enable", (q, r) =>
        {
            if (!q.Data) throw new InvalidOperationException("refusing to disable");
            r.Success = true;
            r.Message = "enabled";
        });
        var client = node.CreateClient<SetBool, SetBool_Request, SetBool_Response>("enable");
        using var spin = node.SpinInBackground();
        Assert.True(client.WaitForService(TimeSpan.FromSeconds(20)));

        using var cancel = new CancellationTokenSource();
        var refused = client.SendRequestAsync(new SetBool_Request { Data = false }, cancel.Token);
        var accepted = await client.SendRequestAsync(new SetBool_Request { Data = true }).WaitAsync(TimeSpan.FromSeconds(20));
        // Requests are served in order, so the refused one was handled before this reply came back.
        Assert.True(accepted.Success);
        Assert.Equal("enabled", accepted.Message);
        Assert.Equal(1, service.Failed);
        Assert.Contains("refusing to disable", service.LastError);
        Assert.False(refused.IsCompleted);
        Assert.Equal(1, client.Pending);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => refused);
        Assert.Equal(0, client.Pending);
    }

    [Fact]
    public async Task Disposing_a_client_fails_what_it_still_waits_for_and_a_client_without_a_server_is_not_ready()
    {
        using var context = Ros2Test.Context(87);
        var node = context.CreateNode("lonely");
        var client = node.CreateClient<Trigger, Trigger_Request, Trigger_Response>("nobody_serves_this");
        Assert.False(client.ServiceIsReady());
        var waiting = client.SendRequestAsync(new Trigger_Request());
        client.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
    }

    [Fact]
    public async Task Our_client_talks_to_a_DDS_native_server_built_from_the_same_definitions()
    {
        const uint domain = 85;
        using var context = Ros2Test.Context(domain);
        var node = context.CreateNode("asker", "/cross");
        var client = node.CreateClient<AddTwoInts, AddTwoInts_Request, AddTwoInts_Response>("add_two_ints");
        using var peer = Process.Start(new ProcessStartInfo(peers.Peer, $"serve {domain} 2") { RedirectStandardOutput = true })!;
        Assert.Equal("ready", peer.StandardOutput.ReadLine());
        using var spin = node.SpinInBackground();
        Assert.True(client.WaitForService(TimeSpan.FromSeconds(20)));

        var a = await client.SendRequestAsync(new AddTwoInts_Request { A = 2, B = 3 }).WaitAsync(TimeSpan.FromSeconds(20));
        var b = await client.SendRequestAsync(new AddTwoInts_Request { A = -7, B = long.MaxValue - 100 }).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(5, a.Sum);
        Assert.Equal(long.MaxValue - 107, b.Sum);
        Assert.Equal($"request guid={client.Guid} seq=1 a=2 b=3", peer.StandardOutput.ReadLine());
        Assert.Equal($"request guid={client.Guid} seq=2 a=-7 b={long.MaxValue - 100}", peer.StandardOutput.ReadLine());
        Assert.True(peer.WaitForExit(20_000));
        Assert.Equal(0, peer.ExitCode);
    }

    [Fact]
    public void A_DDS_native_client_gets_its_answer_from_our_server()
    {
        const uint domain = 86;
        using var context = Ros2Test.Context(domain);
        var node = context.CreateNode("adder", "/cross");
        var service = node.CreateService<AddTwoInts, AddTwoInts_Request, AddTwoInts_Response>("add_two_ints", (q, r) => r.Sum = q.A + q.B);
        using var spin = node.SpinInBackground();
        using var peer = Process.Start(new ProcessStartInfo(peers.Peer, $"ask {domain} 40 2") { RedirectStandardOutput = true, RedirectStandardInput = true })!;
        Assert.Equal("matched", peer.StandardOutput.ReadLine());
        Assert.True(Ros2Test.WaitFor(() => service.ClientCount == 1), "our server did not match the native client");
        peer.StandardInput.WriteLine("go");
        peer.StandardInput.Flush();
        Assert.Equal("reply seq=42 sum=42", peer.StandardOutput.ReadLine());
        Assert.True(peer.WaitForExit(20_000));
        Assert.Equal(0, peer.ExitCode);
        Assert.Equal(1, service.Received);
    }
}
