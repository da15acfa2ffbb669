using System.Net;
using System.Net.Sockets;
using RlRobotics.Mqtt.Protocol;

namespace RlRobotics.Mqtt.Tests.Rig;

/// <summary>
/// An in-process scripted "broker" on a loopback TcpListener: each accepted connection runs the script with a
/// <see cref="FakeBrokerConnection"/>. For keep-alive, resend and fuzz tests that need a misbehaving peer.
/// </summary>
public sealed class FakeBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private int _connections;

    /// <summary>Starts listening; <paramref name="script"/> gets the connection and its 0-based index.</summary>
    public FakeBroker(Func<FakeBrokerConnection, int, Task> script)
    {
        _listener.Start(512);
        _accept = AcceptLoopAsync(script);
    }

    /// <summary>The listening port on 127.0.0.1.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Exceptions thrown by scripts (a test may assert there were none).</summary>
    public List<Exception> ScriptErrors { get; } = [];

    private async Task AcceptLoopAsync(Func<FakeBrokerConnection, int, Task> script)
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                int index = Interlocked.Increment(ref _connections) - 1;
                _ = Task.Run(async () =>
                {
                    using var c = new FakeBrokerConnection(socket);
                    try { await script(c, index); }
                    catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or EndOfStreamException or OperationCanceledException) { }
                    catch (Exception e) { lock (ScriptErrors) ScriptErrors.Add(e); }
                });
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accept;
    }
}

/// <summary>The broker side of one fake-broker connection.</summary>
public sealed class FakeBrokerConnection(Socket socket) : IDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private byte[] _buffer = new byte[65536];
    private int _count;

    /// <summary>Reads the next whole packet the client sent (decoded with the strict codec).</summary>
    internal async Task<MqttPacket> ReadAsync(CancellationToken ct = default)
    {
        while (true)
        {
            if (MqttPacketReader.TryDecode(_buffer.AsSpan(0, _count), 1 << 20, out var packet, out int consumed))
            {
                Buffer.BlockCopy(_buffer, consumed, _buffer, 0, _count - consumed);
                _count -= consumed;
                return packet!;
            }
            if (_count == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            int n = await _stream.ReadAsync(_buffer.AsMemory(_count), ct);
            if (n == 0) throw new EndOfStreamException("client closed");
            _count += n;
        }
    }

    /// <summary>Reads the CONNECT and returns it.</summary>
    internal async Task<ConnectPacket> ReadConnectAsync() => (ConnectPacket)await ReadAsync();

    /// <summary>Sends raw bytes.</summary>
    public Task SendAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>Sends an encoded packet.</summary>
    internal Task SendAsync(MqttPacket packet) => SendAsync(MqttPacketWriter.Encode(packet));

    /// <summary>Sends CONNACK 0 with the session-present flag.</summary>
    public Task AcceptAsync(bool sessionPresent = false) => SendAsync([0x20, 0x02, (byte)(sessionPresent ? 1 : 0), 0x00]);

    /// <summary>Waits until the client closes (or <paramref name="timeout_s"/> passes); returns the packets it sent meanwhile.</summary>
    internal async Task<List<MqttPacket>> DrainUntilClosedAsync(double timeout_s = 10)
    {
        var packets = new List<MqttPacket>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeout_s));
        try { while (true) packets.Add(await ReadAsync(cts.Token)); }
        catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException or SocketException) { }
        return packets;
    }

    /// <summary>Reads and discards bytes until the client closes; returns how many came.</summary>
    public async Task<long> DiscardUntilClosedAsync()
    {
        long total = _count;
        _count = 0;
        try
        {
            while (true)
            {
                int n = await _stream.ReadAsync(_buffer);
                if (n == 0) return total;
                total += n;
            }
        }
        catch (IOException) { return total; }
    }

    /// <summary>Closes the socket.</summary>
    public void Dispose() => _stream.Dispose();
}
