using System.Diagnostics;
using System.Text;
using RlRobotics.Mqtt.Client;
using RlRobotics.Mqtt.Managed;
using RlRobotics.Mqtt.Protocol;
using RlRobotics.Mqtt.Tests.Rig;
using Xunit.Abstractions;

namespace RlRobotics.Mqtt.Tests;

/// <summary>
/// Malformed, truncated, oversized and randomly mutated packets (seeded): the decoder only ever answers with a packet,
/// "need more" or <see cref="MqttProtocolException"/>; the client reports a protocol error, closes and never leaks an
/// unobserved exception; the reconnecting client reconnects.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    private const int MaxPacket = 4096;

    /// <summary>A valid packet of a random type with random fields.</summary>
    private static byte[] RandomValidPacket(Random rng)
    {
        string Topic() => string.Join('/', Enumerable.Range(0, rng.Next(1, 4)).Select(_ => rng.Next(4) switch { 0 => "a", 1 => "robot", 2 => "ü", _ => "" })) + "x";
        string Filter() => rng.Next(3) switch { 0 => Topic(), 1 => "+/" + Topic(), _ => Topic() + "/#" };
        ushort Id() => (ushort)rng.Next(1, 65536);
        var qos = (MqttQualityOfServiceLevel)rng.Next(3);
        MqttPacket p = rng.Next(14) switch
        {
            0 => new ConnectPacket { ClientId = "c" + rng.Next(100), KeepAlive_s = (ushort)rng.Next(100), Username = rng.Next(2) == 0 ? null : "u", WillTopic = rng.Next(2) == 0 ? null : Topic(), WillQos = MqttQualityOfServiceLevel.AtLeastOnce },
            1 => new ConnAckPacket(false, (MqttClientConnectResultCode)rng.Next(6)),
            2 => new PublishPacket { Topic = Topic(), Payload = RandomBytes(rng, rng.Next(0, 64)), Qos = qos, PacketId = qos == 0 ? (ushort)0 : Id(), Retain = rng.Next(2) == 0, Dup = qos != 0 && rng.Next(2) == 0 },
            3 => new PacketIdPacket(MqttPacketType.PubAck, Id()),
            4 => new PacketIdPacket(MqttPacketType.PubRec, Id()),
            5 => new PacketIdPacket(MqttPacketType.PubRel, Id()),
            6 => new PacketIdPacket(MqttPacketType.PubComp, Id()),
            7 => new SubscribePacket(Id(), [.. Enumerable.Range(0, rng.Next(1, 3)).Select(_ => (Filter(), qos))]),
            8 => new SubAckPacket(Id(), [.. Enumerable.Range(0, rng.Next(1, 4)).Select(_ => (byte)(rng.Next(4) is var c && c == 3 ? 0x80 : c))]),
            9 => new UnsubscribePacket(Id(), [Filter()]),
            10 => new PacketIdPacket(MqttPacketType.UnsubAck, Id()),
            11 => EmptyPacket.PingReq,
            12 => EmptyPacket.PingResp,
            _ => EmptyPacket.Disconnect,
        };
        return MqttPacketWriter.Encode(p);
    }

    private static byte[] RandomBytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    /// <summary>One fuzz case: a valid packet, then (usually) one of the mutations.</summary>
    private static byte[] Mutate(Random rng, byte[] packet)
    {
        var b = packet.ToList();
        switch (rng.Next(10))
        {
            case 0: return packet;                                                         // unchanged
            case 1: for (int k = rng.Next(1, 4); k > 0; k--) { int i = rng.Next(b.Count); b[i] ^= (byte)(1 << rng.Next(8)); } break; // bit flips
            case 2: return packet[..rng.Next(packet.Length)];                             // truncated
            case 3: b[rng.Next(b.Count)] = (byte)rng.Next(256); break;                      // byte overwrite
            case 4: b.InsertRange(rng.Next(b.Count + 1), RandomBytes(rng, rng.Next(1, 5))); break; // insertion
            case 5: return RandomBytes(rng, rng.Next(1, 40));                             // garbage
            case 6: b[1] = (byte)rng.Next(256); break;                                     // remaining length byte
            case 7: return [packet[0], 0xFF, 0xFF, 0xFF, 0x7F];                           // oversized: 268,435,455 claimed
            case 8: return [packet[0], 0x80, 0x80, 0x80, 0x80, 0x01];                      // 5-byte varint
            default: b.AddRange(RandomBytes(rng, rng.Next(1, 4))); b[1] = (byte)Math.Min(127, b.Count - 2); break; // trailing bytes counted in
        }
        return [.. b];
    }

    [Fact]
    public void Decoder_survives_100000_mutated_packets()
    {
        var rng = new Random(20241122);
        int packets = 0, incomplete = 0, errors = 0;
        var sw = Stopwatch.StartNew();
        for (int n = 0; n < 100_000; n++)
        {
            var bytes = Mutate(rng, RandomValidPacket(rng));
            try
            {
                if (MqttPacketReader.TryDecode(bytes, MaxPacket, out var p, out int consumed))
                {
                    packets++;
                    Assert.InRange(consumed, 2, bytes.Length);
                    // What decodes must re-encode to the same bytes (nothing is silently normalised), unless the varint was not minimal.
                    var again = MqttPacketWriter.Encode(p!);
                    if (again.Length == consumed) Assert.Equal(Convert.ToHexString(bytes, 0, consumed), Convert.ToHexString(again));
                }
                else incomplete++;
            }
            catch (MqttProtocolException e)
            {
                errors++;
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }
        }
        output.WriteLine($"decoded {packets}, incomplete {incomplete}, protocol errors {errors} in {sw.ElapsedMilliseconds} ms");
        Assert.True(errors > 30_000 && packets > 10_000 && incomplete > 5_000, $"{packets}/{incomplete}/{errors}");
    }

    [Fact]
    public async Task Stream_reader_survives_20000_mutated_streams_in_random_chunks()
    {
        var rng = new Random(7);
        var options = new MqttClientOptions { MaximumPacketSize = MaxPacket };
        int errors = 0, ends = 0;
        for (int n = 0; n < 20_000; n++)
        {
            var bytes = Enumerable.Range(0, rng.Next(1, 4)).SelectMany(_ => Mutate(rng, RandomValidPacket(rng))).ToArray();
            var connection = new MqttConnection(new ScriptedStream(bytes, rng), options);
            try
            {
                while (true) await connection.ReadPacketAsync(CancellationToken.None);
            }
            catch (MqttProtocolException) { errors++; }
            catch (EndOfStreamException) { ends++; }
        }
        output.WriteLine($"protocol errors {errors}, clean ends {ends}");
        Assert.True(errors > 5_000 && ends > 1_000, $"{errors}/{ends}");
    }

    [Fact]
    public async Task Client_over_100000_in_memory_fuzzed_brokers_reports_every_malformed_reply_and_leaks_nothing()
    {
        var unobserved = new List<Exception>();
        EventHandler<UnobservedTaskExceptionEventArgs> onUnobserved = (_, e) => { lock (unobserved) unobserved.Add(e.Exception); };
        TaskScheduler.UnobservedTaskException += onUnobserved;
        try
        {
            var rng = new Random(11);
            var outcomes = new Dictionary<string, int>();
            for (int n = 0; n < 100_000; n++) // the issue's bar: ≥ 10⁵ fuzzed broker conversations, each a fresh client
            {
                bool afterConnect = rng.Next(2) == 0;
                // Before CONNACK: the mutated reply is the first thing the client reads. After: a good CONNACK first.
                byte[] bytes = afterConnect
                    ? [0x20, 0x02, 0x00, 0x00, .. Mutate(rng, RandomValidPacket(rng))]
                    : Mutate(rng, n % 3 == 0 ? [0x20, 0x02, 0x00, 0x00] : RandomValidPacket(rng));
                string outcome = await RunClientAsync(new ScriptedStream(bytes, rng), rng);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            output.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
            Assert.True(outcomes.GetValueOrDefault("connect: protocol error") > 20_000);
            Assert.True(outcomes.GetValueOrDefault("after connect: ProtocolError") > 10_000);
            Assert.DoesNotContain(outcomes.Keys, k => k.StartsWith("unexpected"));
        }
        finally
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            TaskScheduler.UnobservedTaskException -= onUnobserved;
        }
        lock (unobserved) Assert.DoesNotContain(unobserved, e => e.ToString().Contains("RlRobotics.Mqtt"));
    }

    /// <summary>Connects a fresh client over <paramref name="stream"/> and classifies what happened.</summary>
    private static async Task<string> RunClientAsync(Stream stream, Random rng)
    {
        using var client = new MqttClient();
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e => { disconnected.TrySetResult(e); return Task.CompletedTask; };
        var options = new MqttClientOptionsBuilder().WithClientId("fuzz").WithKeepAlivePeriod(TimeSpan.Zero).WithTimeout(TimeSpan.FromSeconds(5))
            .WithMaximumPacketSize(MaxPacket).WithStreamFactory(_ => ValueTask.FromResult(stream)).Build();
        try
        {
            await client.ConnectAsync(options);
        }
        catch (MqttProtocolException) { return "connect: protocol error"; }
        catch (MqttConnectingFailedException) { return "connect: refused"; }
        catch (MqttCommunicationException) { return "connect: closed"; }
        catch (Exception e) { return "unexpected " + e.GetType().Name + ": " + e.Message; }
        var gone = await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(client.IsConnected);
        if (gone.Reason == MqttClientDisconnectReason.ProtocolError) Assert.IsType<MqttProtocolException>(gone.Exception);
        return gone.Reason is MqttClientDisconnectReason.ProtocolError or MqttClientDisconnectReason.ServerClosedConnection
            ? "after connect: " + gone.Reason
            : "unexpected reason " + gone.Reason;
    }

    [Fact]
    public async Task Client_over_real_sockets_survives_2000_malformed_brokers()
    {
        var rng = new Random(99);
        var cases = Enumerable.Range(0, 2_000).Select(n => n % 2 == 0
            ? Mutate(rng, rng.Next(2) == 0 ? [0x20, 0x02, 0x00, 0x00] : RandomValidPacket(rng))
            : [0x20, 0x02, 0x00, 0x00, .. Mutate(rng, RandomValidPacket(rng))]).ToArray();
        await using var broker = new FakeBroker(async (c, index) =>
        {
            await c.ReadConnectAsync();
            await c.SendAsync(cases[index]);
        });
        int protocolErrors = 0;
        var sw = Stopwatch.StartNew();
        for (int n = 0; n < cases.Length; n++)
        {
            using var client = new MqttClient();
            var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            client.DisconnectedAsync += e => { disconnected.TrySetResult(e); return Task.CompletedTask; };
            try
            {
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("f").WithMaximumPacketSize(MaxPacket)
                    .WithTimeout(TimeSpan.FromSeconds(5)).Build());
                var gone = await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
                if (gone.Reason == MqttClientDisconnectReason.ProtocolError) protocolErrors++;
                else Assert.True(gone.Reason is MqttClientDisconnectReason.ServerClosedConnection or MqttClientDisconnectReason.TransportError, gone.Reason.ToString());
            }
            catch (MqttProtocolException) { protocolErrors++; }
            catch (MqttCommunicationException) { }
        }
        output.WriteLine($"{cases.Length} socket cases, {protocolErrors} protocol errors, {sw.ElapsedMilliseconds} ms");
        Assert.True(protocolErrors > 600, protocolErrors.ToString());
        Assert.Empty(broker.ScriptErrors);
    }

    [Fact]
    public async Task Managed_client_reconnects_through_200_malformed_connacks()
    {
        var rng = new Random(5);
        var garbage = Enumerable.Range(0, 200).Select(_ => Mutate(rng, [0x20, 0x02, 0x00, 0x00]) is var b && b.AsSpan().SequenceEqual(new byte[] { 0x20, 0x02, 0x00, 0x00 }) ? new byte[] { 0x20, 0x02, 0x00, 0x07 } : b).ToArray();
        await using var broker = new FakeBroker(async (c, index) =>
        {
            await c.ReadConnectAsync();
            if (index < garbage.Length) { await c.SendAsync(garbage[index]); return; }
            await c.AcceptAsync();
            await c.DrainUntilClosedAsync(30);
        });
        await using var client = new ManagedMqttClient(new ManagedMqttClientOptions
        {
            ClientOptions = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("m").WithTimeout(TimeSpan.FromSeconds(5)).Build(),
            MinReconnectDelay = TimeSpan.FromMilliseconds(1),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(2),
        });
        await client.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(client.IsConnected && broker.Connections == 201))
        {
            Assert.True(DateTime.UtcNow < deadline, client.Statistics.ToString());
            await Task.Delay(5);
        }
        var s = client.Statistics;
        output.WriteLine(s.ToString());
        // A mutation can still be a valid CONNACK (then the trailing bytes or the close end that connection): those count as reconnects.
        Assert.Equal(200, s.ConnectFailures + s.Reconnects);
        Assert.True(s.ProtocolErrors > 100, s.ToString());
    }
}

/// <summary>A read side that plays fixed bytes in random chunks, then end of stream; writes are discarded.</summary>
internal sealed class ScriptedStream(byte[] data, Random rng) : Stream
{
    private int _position;
    private readonly int _seed = rng.Next();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) { }
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => default;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int left = data.Length - _position;
        if (left == 0) return 0;
        int n = Math.Min(Math.Min(left, buffer.Length), 1 + (_seed + _position) % 7);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
}
