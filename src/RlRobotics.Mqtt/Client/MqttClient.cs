using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RlRobotics.Mqtt.Client;
using RlRobotics.Mqtt.Protocol;
using RlRobotics.Mqtt.Topics;

namespace RlRobotics.Mqtt;

/// <summary>
/// MQTT 3.1.1 client over TCP or TLS. Per connection: one reader task (decodes and answers the protocol), one
/// dispatcher task (runs the message handlers in order, then acknowledges), and a keep-alive task. Session state
/// (unacknowledged QoS 1/2 messages, QoS 2 ids received) lives in the client, so with clean session off a later
/// <see cref="ConnectAsync"/> resumes it: unacknowledged PUBLISHes are resent with DUP set, PUBRELs are resent.
/// </summary>
public sealed class MqttClient : IMqttClient
{
    private static readonly Task<MqttClientPublishResult> Qos0Result = Task.FromResult(new MqttClientPublishResult(0, MqttQualityOfServiceLevel.AtMostOnce));
    private static readonly byte[] PingReqBytes = [0xC0, 0x00];
    private static readonly byte[] DisconnectBytes = [0xE0, 0x00];

    private readonly object _gate = new();
    private MqttConnection? _connection;
    private bool _connecting;
    private bool _disposed;
    private MqttClientOptions? _options;

    // Session state, guarded by _gate.
    private readonly Dictionary<ushort, OutboundFlight> _flights = [];
    private readonly HashSet<ushort> _inboundQos2 = [];
    private readonly Dictionary<ushort, PendingRequest> _requests = [];
    private ushort _lastId;
    private long _sequence;
    // Granted inline: the reader that took a PUBACK sends the next waiting PUBLISH itself, without a thread-pool hop.
    private FifoSemaphore _window = new(100, grantInline: true);
    // Publishers pass through this one at a time, in call order, from the in-flight window to the socket: so
    // messages leave in the order PublishAsync was called even when the window is full (spec 4.6).
    private readonly FifoSemaphore _publishOrder = new(1);
    private int _windowSize = 100;

    /// <inheritdoc/>
    public event Func<MqttApplicationMessageReceivedEventArgs, Task>? ApplicationMessageReceivedAsync;

    /// <inheritdoc/>
    public event Func<MqttClientConnectedEventArgs, Task>? ConnectedAsync;

    /// <inheritdoc/>
    public event Func<MqttClientDisconnectedEventArgs, Task>? DisconnectedAsync;

    /// <inheritdoc/>
    public bool IsConnected => _connection is { Established: true, IsClosed: false };

    /// <inheritdoc/>
    public MqttClientOptions? Options => _options;

    /// <summary>QoS 1/2 messages sent (or waiting to be resent) and not yet acknowledged.</summary>
    public int InFlightCount { get { lock (_gate) return _flights.Count; } }

    /// <summary>Protocol errors seen from the broker since this client was created (each closed its connection).</summary>
    public long ProtocolErrors => Interlocked.Read(ref _protocolErrors);

    private long _protocolErrors;

    /// <summary>Test hook: a PINGREQ is waiting for its PINGRESP.</summary>
    internal bool PingOutstanding => _connection is { } c && Volatile.Read(ref c.PingSentTimestamp) != 0;

    /// <inheritdoc/>
    public async Task<MqttClientConnectResult> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        List<OutboundFlight>? discarded = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connecting || _connection is not null) throw new InvalidOperationException("the client is already connected or connecting");
            _connecting = true;
            // A clean session, or another client id, starts from nothing (spec 3.1.2.4).
            if (options.CleanSession || (_options is not null && _options.ClientId != options.ClientId)) discarded = DiscardSessionLocked();
            if (_windowSize != options.MaximumInFlight && _flights.Count == 0)
            {
                _window = new FifoSemaphore(options.MaximumInFlight, grantInline: true);
                _windowSize = options.MaximumInFlight;
            }
            _options = options;
        }
        FailFlights(discarded, () => new MqttClientDisconnectedException("the session was discarded by a clean-session connect"));

        using var timeout = new CancellationTokenSource(options.Timeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        MqttConnection? connection = null;
        try
        {
            var (stream, socket) = await OpenStreamAsync(options, linked.Token).ConfigureAwait(false);
            connection = new MqttConnection(stream, options, socket);
            await connection.WriteAsync(MqttPacketWriter.Encode(new ConnectPacket
            {
                ClientId = options.ClientId, CleanSession = options.CleanSession, KeepAlive_s = (ushort)options.KeepAlivePeriod.TotalSeconds,
                Username = options.Username, Password = options.Password, WillTopic = options.WillTopic, WillPayload = options.WillPayload,
                WillQos = options.WillQualityOfServiceLevel, WillRetain = options.WillRetain,
            }), linked.Token).ConfigureAwait(false);

            var packet = await connection.ReadPacketAsync(linked.Token).ConfigureAwait(false);
            if (packet is not ConnAckPacket ack) throw new MqttProtocolException($"expected CONNACK, the broker sent {MqttPacketReader.Name(packet.Type)}");
            var result = new MqttClientConnectResult(ack.Code, ack.SessionPresent);
            if (ack.Code != MqttClientConnectResultCode.Success) throw new MqttConnectingFailedException(options.Endpoint, result);
            if (options.CleanSession && ack.SessionPresent) throw new MqttProtocolException("CONNACK: session present is set although clean session was requested");

            List<OutboundFlight> resend;
            lock (_gate)
            {
                if (!ack.SessionPresent) _inboundQos2.Clear();
                resend = [.. _flights.Values.OrderBy(f => f.Sequence)];
            }
            var c = connection;
            c.Reader = Task.Run(() => ReadLoopAsync(c), CancellationToken.None);
            c.Dispatcher = Task.Run(() => DispatchLoopAsync(c), CancellationToken.None);
            // Session resumption (spec 4.4): unacknowledged PUBLISH again with DUP, PUBREL again for those past PUBREC.
            foreach (var f in resend)
            {
                if (f.AwaitingPubComp) await SendAckAsync(c, MqttPacketType.PubRel, f.PacketId, linked.Token).ConfigureAwait(false);
                else await SendPublishAsync(c, f.Message, f.Qos, dup: true, f.PacketId, linked.Token).ConfigureAwait(false);
            }
            lock (_gate)
            {
                if (c.IsClosed) throw new MqttClientDisconnectedException($"the connection to {options.Endpoint} closed while the session was resumed");
                c.Established = true;
                _connection = c;
                _connecting = false;
            }
            if (options.KeepAlivePeriod > TimeSpan.Zero) c.KeepAlive = Task.Run(() => KeepAliveLoopAsync(c), CancellationToken.None);
            await InvokeAsync(ConnectedAsync, new MqttClientConnectedEventArgs(result)).ConfigureAwait(false);
            return result;
        }
        catch (Exception e)
        {
            lock (_gate) _connecting = false;
            if (connection is not null) Close(connection, MqttClientDisconnectReason.TransportError, e);
            if (e is MqttProtocolException) Interlocked.Increment(ref _protocolErrors);
            throw TranslateConnectError(e, options, timeout, cancellationToken);
        }
    }

    private static Exception TranslateConnectError(Exception e, MqttClientOptions options, CancellationTokenSource timeout, CancellationToken callerToken) => e switch
    {
        MqttProtocolException or MqttConnectingFailedException or MqttCommunicationException when !timeout.IsCancellationRequested => e,
        _ when callerToken.IsCancellationRequested => new OperationCanceledException($"connecting to {options.Endpoint} was cancelled", e, callerToken),
        _ when timeout.IsCancellationRequested => new MqttCommunicationException($"connecting to {options.Endpoint}: no CONNACK within {options.Timeout.TotalSeconds} s", e),
        SocketException s => new MqttCommunicationException($"cannot reach the broker at {options.Endpoint}: {s.Message}", e),
        EndOfStreamException => new MqttCommunicationException($"the broker at {options.Endpoint} closed the connection before CONNACK", e),
        IOException io => new MqttCommunicationException($"connecting to {options.Endpoint} failed: {io.Message}", e),
        _ => e,
    };

    /// <inheritdoc/>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        var c = _connection;
        if (c is null) return;
        try { await c.WriteAsync(DisconnectBytes, cancellationToken).ConfigureAwait(false); }
        catch (MqttClientDisconnectedException) { /* already gone: nothing to say goodbye to */ }
        Close(c, MqttClientDisconnectReason.NormalDisconnection, null);
        // The broker answers DISCONNECT by closing, so the reader may be the one closing: return only once it is done,
        // or a ConnectAsync right after would still find this connection.
        await c.CloseCompleted.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<MqttClientPublishResult> PublishAsync(MqttApplicationMessage applicationMessage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(applicationMessage);
        string? invalid = MqttTopicFilter.CheckTopicName(applicationMessage.Topic);
        if (invalid is not null) throw new ArgumentException($"topic name '{applicationMessage.Topic}' {invalid}", nameof(applicationMessage));
        if (applicationMessage.QualityOfServiceLevel > MqttQualityOfServiceLevel.ExactlyOnce) throw new ArgumentException($"QoS {(int)applicationMessage.QualityOfServiceLevel} does not exist");
        if (applicationMessage.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce) return PublishWithAckAsync(applicationMessage, cancellationToken);

        // QoS 0 hot path: a pooled buffer, and no allocation at all when nobody else is publishing and the socket
        // takes the bytes at once.
        var c = RequireConnection();
        var order = _publishOrder.WaitAsync(cancellationToken);
        if (!order.IsCompletedSuccessfully) return PublishQos0QueuedAsync(order, applicationMessage, cancellationToken);
        ValueTask pending;
        try
        {
            pending = SendPublishAsync(c, applicationMessage, MqttQualityOfServiceLevel.AtMostOnce, dup: false, 0, cancellationToken);
        }
        catch
        {
            _publishOrder.Release();
            throw;
        }
        if (!pending.IsCompleted) return AwaitQos0Async(pending);
        _publishOrder.Release();
        pending.GetAwaiter().GetResult();
        return Qos0Result;
    }

    private async Task<MqttClientPublishResult> AwaitQos0Async(ValueTask pending)
    {
        try { await pending.ConfigureAwait(false); }
        finally { _publishOrder.Release(); }
        return await Qos0Result.ConfigureAwait(false);
    }

    private async Task<MqttClientPublishResult> PublishQos0QueuedAsync(ValueTask order, MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        await order.ConfigureAwait(false);
        try
        {
            await SendPublishAsync(RequireConnection(), message, MqttQualityOfServiceLevel.AtMostOnce, dup: false, 0, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _publishOrder.Release();
        }
        return await Qos0Result.ConfigureAwait(false);
    }

    private async Task<MqttClientPublishResult> PublishWithAckAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        var acknowledged = await StartPublishAsync(message, cancellationToken).ConfigureAwait(false);
        return await acknowledged.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a QoS 1/2 message and returns once it is written (or, with a persistent session, queued for resend),
    /// with a task that completes on PUBACK/PUBCOMP. Waits first for a free in-flight slot. The managed client uses
    /// this to keep many messages in flight without waiting for each acknowledgement.
    /// </summary>
    internal async Task<Task<MqttClientPublishResult>> StartPublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        await _publishOrder.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var window = _window;
            await window.WaitAsync(cancellationToken).ConfigureAwait(false);
            OutboundFlight flight;
            MqttConnection c;
            lock (_gate)
            {
                if (_connection is not { Established: true, IsClosed: false } current || _disposed)
                {
                    window.Release();
                    throw new MqttClientDisconnectedException("not connected: call ConnectAsync first (or wait for the reconnect)");
                }
                c = current;
                flight = new OutboundFlight(AllocateIdLocked(), message, ++_sequence, window);
                _flights.Add(flight.PacketId, flight);
            }
            try
            {
                await SendPublishAsync(c, message, message.QualityOfServiceLevel, dup: false, flight.PacketId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (MqttClientDisconnectedException)
            {
                // Close() already decided the flight: failed with a clean session, kept for resend with a persistent one.
            }
            return flight.Completion.Task;
        }
        finally
        {
            _publishOrder.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<MqttClientSubscribeResult> SubscribeAsync(MqttClientSubscribeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TopicFilters.Count == 0) throw new ArgumentException("subscribe: at least one topic filter is required");
        foreach (var f in options.TopicFilters) MqttTopicFilter.ValidateFilter(f.Topic);
        var filters = options.TopicFilters.ToArray();
        var reply = await RequestAsync(MqttPacketType.SubAck, filters.Length,
            id => new SubscribePacket(id, [.. filters.Select(f => (f.Topic, f.QualityOfServiceLevel))]), cancellationToken).ConfigureAwait(false);
        var codes = ((SubAckPacket)reply).Codes;
        return new MqttClientSubscribeResult([.. filters.Select((f, i) => new MqttClientSubscribeResultItem(f, (MqttClientSubscribeResultCode)codes[i]))]);
    }

    /// <inheritdoc/>
    public async Task<MqttClientUnsubscribeResult> UnsubscribeAsync(MqttClientUnsubscribeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TopicFilters.Count == 0) throw new ArgumentException("unsubscribe: at least one topic filter is required");
        foreach (var f in options.TopicFilters) MqttTopicFilter.ValidateFilter(f);
        var filters = options.TopicFilters.ToArray();
        await RequestAsync(MqttPacketType.UnsubAck, filters.Length, id => new UnsubscribePacket(id, filters), cancellationToken).ConfigureAwait(false);
        return new MqttClientUnsubscribeResult(filters);
    }

    private async Task<MqttPacket> RequestAsync(MqttPacketType replyType, int filterCount, Func<ushort, MqttPacket> build, CancellationToken cancellationToken)
    {
        var c = RequireConnection();
        PendingRequest request;
        lock (_gate)
        {
            request = new PendingRequest(AllocateIdLocked(), replyType, filterCount);
            _requests.Add(request.PacketId, request);
        }
        try
        {
            await c.WriteAsync(MqttPacketWriter.Encode(build(request.PacketId)), cancellationToken).ConfigureAwait(false);
            return await request.Reply.Task.WaitAsync(c.Options.Timeout, c.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new MqttCommunicationException($"no {MqttPacketReader.Name(replyType)} from {c.Options.Endpoint} within {c.Options.Timeout.TotalSeconds} s", e);
        }
        finally
        {
            lock (_gate) _requests.Remove(request.PacketId);
        }
    }

    private MqttConnection RequireConnection()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var c = _connection;
        if (c is null || !c.Established || c.IsClosed) throw new MqttClientDisconnectedException("not connected: call ConnectAsync first (or wait for the reconnect)");
        return c;
    }

    /// <summary>Next free packet id in 1 … 65535, skipping ids of messages in flight and requests awaiting replies.</summary>
    private ushort AllocateIdLocked()
    {
        for (int tries = 0; tries < 65535; tries++)
        {
            _lastId = _lastId == 65535 ? (ushort)1 : (ushort)(_lastId + 1);
            if (!_flights.ContainsKey(_lastId) && !_requests.ContainsKey(_lastId)) return _lastId;
        }
        throw new InvalidOperationException("all 65535 packet identifiers are in use");
    }

    private static ValueTask SendPublishAsync(MqttConnection c, MqttApplicationMessage m, MqttQualityOfServiceLevel qos, bool dup, ushort packetId, CancellationToken cancellationToken)
    {
        var payload = m.Payload;
        int topicBytes = Encoding.UTF8.GetByteCount(m.Topic);
        int size = MqttPacketWriter.PublishSize(topicBytes, payload.Length, qos, out int remainingLength);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        MqttPacketWriter.WritePublish(buffer, m.Topic, topicBytes, payload, remainingLength, qos, m.Retain, dup, packetId);
        return c.WritePooledAsync(buffer, size, cancellationToken);
    }

    private static ValueTask SendAckAsync(MqttConnection c, MqttPacketType type, ushort packetId, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4);
        MqttPacketWriter.WriteAck(buffer, type, packetId);
        return c.WritePooledAsync(buffer, 4, cancellationToken);
    }

    private async Task ReadLoopAsync(MqttConnection c)
    {
        try
        {
            while (true)
            {
                var packet = await c.ReadPacketAsync(c.ClosedToken).ConfigureAwait(false);
                await HandleAsync(c, packet).ConfigureAwait(false);
            }
        }
        catch (MqttProtocolException e)
        {
            Interlocked.Increment(ref _protocolErrors);
            Close(c, MqttClientDisconnectReason.ProtocolError, e);
        }
        catch (EndOfStreamException e)
        {
            Close(c, MqttClientDisconnectReason.ServerClosedConnection, new MqttCommunicationException(e.Message, e));
        }
        catch (Exception e)
        {
            // After Close() the stream is gone, so the read fails; that is the normal end, not a second error.
            if (!c.IsClosed) Close(c, MqttClientDisconnectReason.TransportError, new MqttCommunicationException($"reading from {c.Options.Endpoint} failed: {e.Message}", e));
        }
    }

    private async ValueTask HandleAsync(MqttConnection c, MqttPacket packet)
    {
        switch (packet)
        {
            case PublishPacket p:
                if (p.Qos == MqttQualityOfServiceLevel.ExactlyOnce)
                {
                    bool seen;
                    lock (_gate) seen = !_inboundQos2.Add(p.PacketId);
                    // A redelivered QoS 2 message we already took: acknowledge again, deliver never twice.
                    if (seen) { await TrySendAckAsync(c, MqttPacketType.PubRec, p.PacketId).ConfigureAwait(false); return; }
                }
                await c.Deliveries.Writer.WriteAsync(p, c.ClosedToken).ConfigureAwait(false);
                return;
            case PacketIdPacket { Type: MqttPacketType.PubAck } a:
                CompleteFlight(a.PacketId, MqttQualityOfServiceLevel.AtLeastOnce, "PUBACK");
                return;
            case PacketIdPacket { Type: MqttPacketType.PubRec } a:
            {
                OutboundFlight? f;
                lock (_gate)
                {
                    _flights.TryGetValue(a.PacketId, out f);
                    if (f is not null && f.Qos != MqttQualityOfServiceLevel.ExactlyOnce) throw new MqttProtocolException($"PUBREC for packet {a.PacketId}, which was sent with QoS {(int)f.Qos}");
                    if (f is not null) f.AwaitingPubComp = true;
                }
                // Unknown ids get a PUBREL too, so the broker can finish its side.
                await TrySendAckAsync(c, MqttPacketType.PubRel, a.PacketId).ConfigureAwait(false);
                return;
            }
            case PacketIdPacket { Type: MqttPacketType.PubComp } a:
                CompleteFlight(a.PacketId, MqttQualityOfServiceLevel.ExactlyOnce, "PUBCOMP");
                return;
            case PacketIdPacket { Type: MqttPacketType.PubRel } a:
                lock (_gate) _inboundQos2.Remove(a.PacketId);
                await TrySendAckAsync(c, MqttPacketType.PubComp, a.PacketId).ConfigureAwait(false);
                return;
            case SubAckPacket s:
                CompleteRequest(s.PacketId, s, s.Codes.Length);
                return;
            case PacketIdPacket { Type: MqttPacketType.UnsubAck } u:
                CompleteRequest(u.PacketId, u, -1);
                return;
            case EmptyPacket { Type: MqttPacketType.PingResp }:
                Volatile.Write(ref c.PingSentTimestamp, 0);
                return;
            default:
                throw new MqttProtocolException($"the broker sent {MqttPacketReader.Name(packet.Type)}, which a server never sends to a client");
        }
    }

    private void CompleteFlight(ushort packetId, MqttQualityOfServiceLevel expected, string ackName)
    {
        OutboundFlight? f;
        lock (_gate)
        {
            if (!_flights.TryGetValue(packetId, out f)) return; // late ack for a message already given up on
            if (f.Qos != expected) throw new MqttProtocolException($"{ackName} for packet {packetId}, which was sent with QoS {(int)f.Qos}");
            _flights.Remove(packetId);
        }
        f.Complete(null);
    }

    private void CompleteRequest(ushort packetId, MqttPacket reply, int codeCount)
    {
        PendingRequest? r;
        lock (_gate) _requests.TryGetValue(packetId, out r);
        if (r is null) return;
        if (r.ReplyType != reply.Type) throw new MqttProtocolException($"{MqttPacketReader.Name(reply.Type)} for packet {packetId}, which awaits {MqttPacketReader.Name(r.ReplyType)}");
        if (codeCount >= 0 && codeCount != r.FilterCount) throw new MqttProtocolException($"SUBACK carries {codeCount} return codes for {r.FilterCount} topic filters");
        r.Reply.TrySetResult(reply);
    }

    private async Task DispatchLoopAsync(MqttConnection c)
    {
        var reader = c.Deliveries.Reader;
        // Drains even after the connection closed: what was received is delivered (its ack may then fail, which the
        // broker answers by redelivering, with DUP, on the next connection).
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var p))
            {
                var message = new MqttApplicationMessage
                {
                    Topic = p.Topic, Payload = new ReadOnlySequence<byte>(p.Payload), QualityOfServiceLevel = p.Qos, Retain = p.Retain, Dup = p.Dup,
                };
                await InvokeAsync(ApplicationMessageReceivedAsync, new MqttApplicationMessageReceivedEventArgs(message, c.Options.ClientId, p.PacketId)).ConfigureAwait(false);
                if (p.Qos == MqttQualityOfServiceLevel.AtLeastOnce) await TrySendAckAsync(c, MqttPacketType.PubAck, p.PacketId).ConfigureAwait(false);
                else if (p.Qos == MqttQualityOfServiceLevel.ExactlyOnce) await TrySendAckAsync(c, MqttPacketType.PubRec, p.PacketId).ConfigureAwait(false);
            }
        }
    }

    private static async ValueTask TrySendAckAsync(MqttConnection c, MqttPacketType type, ushort packetId)
    {
        try { await SendAckAsync(c, type, packetId, CancellationToken.None).ConfigureAwait(false); }
        catch (MqttClientDisconnectedException) { /* the connection is gone; the reader reports why */ }
    }

    /// <summary>
    /// Keep-alive (spec 3.1.2.10): PINGREQ after a keep-alive period without sending anything; no PINGRESP within
    /// the timeout closes the connection. All times come from the options' TimeProvider.
    /// </summary>
    private async Task KeepAliveLoopAsync(MqttConnection c)
    {
        var time = c.Options.TimeProvider;
        var period = c.Options.KeepAlivePeriod;
        var timeout = c.Options.Timeout;
        try
        {
            while (!c.IsClosed)
            {
                long now = time.GetTimestamp();
                long pingSent = Volatile.Read(ref c.PingSentTimestamp);
                if (pingSent != 0)
                {
                    var waited = time.GetElapsedTime(pingSent, now);
                    if (waited >= timeout)
                    {
                        Close(c, MqttClientDisconnectReason.KeepAliveTimeout,
                            new MqttCommunicationException($"no PINGRESP from {c.Options.Endpoint} within {timeout.TotalSeconds} s after PINGREQ"));
                        return;
                    }
                    await Task.Delay(timeout - waited, time, c.ClosedToken).ConfigureAwait(false);
                    continue;
                }
                var idle = time.GetElapsedTime(c.LastSentTimestamp, now);
                if (idle >= period)
                {
                    Volatile.Write(ref c.PingSentTimestamp, now);
                    await c.WriteAsync(PingReqBytes, c.ClosedToken).ConfigureAwait(false);
                    continue;
                }
                await Task.Delay(period - idle, time, c.ClosedToken).ConfigureAwait(false);
            }
        }
        catch (Exception) when (c.IsClosed)
        {
            // The connection ended for another reason; the closer reported it.
        }
        catch (Exception e)
        {
            Close(c, MqttClientDisconnectReason.TransportError, e);
        }
    }

    /// <summary>Ends a connection once: fails what waited on it, keeps or drops the session, raises DisconnectedAsync.</summary>
    private void Close(MqttConnection c, MqttClientDisconnectReason reason, Exception? exception)
    {
        if (!c.TryClose()) return;
        bool wasEstablished = c.Established;
        List<OutboundFlight>? failed = null;
        List<PendingRequest> requests;
        lock (_gate)
        {
            if (_connection == c) _connection = null;
            requests = [.. _requests.Values];
            if (_options is null || _options.CleanSession || _disposed) failed = DiscardSessionLocked();
        }
        c.MarkCloseCompleted();
        var error = new MqttClientDisconnectedException($"the connection to {c.Options.Endpoint} ended ({reason}){(exception is null ? "" : ": " + exception.Message)}", exception);
        foreach (var r in requests)
            if (r.Reply.TrySetException(error)) _ = r.Reply.Task.Exception; // observed: the requester may have timed out
        FailFlights(failed, () => error);
        if (wasEstablished) _ = Task.Run(() => InvokeAsync(DisconnectedAsync, new MqttClientDisconnectedEventArgs(true, reason, exception)));
    }

    private List<OutboundFlight> DiscardSessionLocked()
    {
        List<OutboundFlight> flights = [.. _flights.Values];
        _flights.Clear();
        _inboundQos2.Clear();
        return flights;
    }

    private static void FailFlights(List<OutboundFlight>? flights, Func<Exception> error)
    {
        if (flights is null) return;
        foreach (var f in flights) f.Complete(error());
    }

    private static async Task InvokeAsync<T>(Func<T, Task>? handlers, T args)
    {
        if (handlers is null) return;
        if (handlers.HasSingleTarget)
        {
            try { await handlers(args).ConfigureAwait(false); }
            catch (Exception) { /* a failing handler must not take the connection down */ }
            return;
        }
        foreach (var d in handlers.GetInvocationList())
        {
            try { await ((Func<T, Task>)d)(args).ConfigureAwait(false); }
            catch (Exception) { /* as above */ }
        }
    }

    private static async ValueTask<(Stream, Socket?)> OpenStreamAsync(MqttClientOptions options, CancellationToken cancellationToken)
    {
        if (options.StreamFactory is not null) return (await options.StreamFactory(cancellationToken).ConfigureAwait(false), null);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var network = new NetworkStream(socket, ownsSocket: true);
        var tls = options.TlsOptions;
        if (!tls.UseTls) return (network, socket);

        string? failure = null;
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            var auth = new SslClientAuthenticationOptions
            {
                TargetHost = tls.TargetHost ?? options.Host,
                EnabledSslProtocols = tls.SslProtocols,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateServerCertificate(tls, tls.TargetHost ?? options.Host, certificate, errors, out failure),
            };
            if (tls.ClientCertificateFile is not null)
            {
                using var pem = X509Certificate2.CreateFromPemFile(tls.ClientCertificateFile, tls.ClientKeyFile);
                // SslStream wants a key it can hand to the TLS library; a PKCS#12 round trip gives it one on every platform.
                auth.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
            }
            await ssl.AuthenticateAsClientAsync(auth, cancellationToken).ConfigureAwait(false);
            return (ssl, socket);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or System.Security.Cryptography.CryptographicException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new MqttCommunicationException($"TLS handshake with {options.Endpoint} failed: {failure ?? e.Message}", e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static bool ValidateServerCertificate(MqttClientTlsOptions tls, string targetHost, X509Certificate? certificate, SslPolicyErrors errors, out string? failure)
    {
        failure = null;
        if (certificate is null)
        {
            failure = "the server sent no certificate";
            return false;
        }
        var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (tls.ValidateHostname && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            failure = $"the server certificate '{cert.Subject}' is not valid for the host name '{targetHost}'";
            return false;
        }
        if (tls.CaFile is null)
        {
            if ((errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None) return true;
            failure = $"the server certificate '{cert.Subject}' is not trusted by the system store ({errors})";
            return false;
        }
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(tls.CaFile);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(cert)) return true;
        failure = $"the server certificate '{cert.Subject}' (issuer '{cert.Issuer}') does not chain to a CA in '{tls.CaFile}': "
            + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
        return false;
    }

    /// <summary>Sends DISCONNECT (best effort, so the broker discards the will), closes, and fails what still waits.</summary>
    public void Dispose()
    {
        MqttConnection? c;
        List<OutboundFlight> flights;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            c = _connection;
        }
        if (c is not null)
        {
            c.TryWriteSync(DisconnectBytes);
            Close(c, MqttClientDisconnectReason.NormalDisconnection, null);
        }
        lock (_gate) flights = DiscardSessionLocked();
        FailFlights(flights, () => new ObjectDisposedException(nameof(MqttClient), "the client was disposed before the broker acknowledged the message"));
    }

    /// <summary>Test hook: drops the socket without DISCONNECT, as a crash or a cut cable would (the broker then publishes the will).</summary>
    internal void AbortConnection()
    {
        var c = _connection;
        if (c is not null) Close(c, MqttClientDisconnectReason.TransportError, new MqttCommunicationException("aborted by test"));
    }

    /// <summary>A QoS 1/2 message between PUBLISH and its final acknowledgement.</summary>
    private sealed class OutboundFlight(ushort packetId, MqttApplicationMessage message, long sequence, FifoSemaphore window)
    {
        private int _done;
        public ushort PacketId { get; } = packetId;
        public MqttApplicationMessage Message { get; } = message;
        public MqttQualityOfServiceLevel Qos { get; } = message.QualityOfServiceLevel;
        public long Sequence { get; } = sequence;
        /// <summary>QoS 2 after PUBREC: the next thing to (re)send is PUBREL.</summary>
        public bool AwaitingPubComp { get; set; }
        public TaskCompletionSource<MqttClientPublishResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Complete(Exception? error)
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return;
            window.Release();
            if (error is null) Completion.TrySetResult(new MqttClientPublishResult(PacketId, Qos));
            else if (Completion.TrySetException(error)) _ = Completion.Task.Exception; // observed: nobody may be waiting any more

        }
    }

    /// <summary>A SUBSCRIBE or UNSUBSCRIBE awaiting its acknowledgement.</summary>
    private sealed class PendingRequest(ushort packetId, MqttPacketType replyType, int filterCount)
    {
        public ushort PacketId { get; } = packetId;
        public MqttPacketType ReplyType { get; } = replyType;
        public int FilterCount { get; } = filterCount;
        public TaskCompletionSource<MqttPacket> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
