using System.Runtime.CompilerServices;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages;
using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Rcl;

/// <summary>
/// What a service request or reply is on the wire under rmw_cyclonedds: the encapsulation header, <c>uint64 guid</c>,
/// <c>int64 seq</c>, then the body. The DDS type (name <c>pkg::srv::dds_::X_Request_</c>) therefore carries the two
/// header fields first; <see cref="Of"/> gives that wrapped schema, one instance per body schema.
/// </summary>
public static class ServiceWire
{
    static readonly ConditionalWeakTable<MessageSchema, MessageSchema> Wrapped = new();
    static readonly Field Guid = new("guid", FieldType.Of(PrimitiveKind.UInt64));
    static readonly Field Seq = new("seq", FieldType.Of(PrimitiveKind.Int64));

    /// <summary>The DDS type of a request or response body: <c>guid</c>, <c>seq</c>, then the body's fields.</summary>
    public static MessageSchema Of(MessageSchema body) =>
        Wrapped.GetValue(body, b => new MessageSchema(b.Package, b.Name, [Guid, Seq, .. b.Fields], b.Constants, b.InterfaceKind));

    /// <summary>Reads the header (guid, seq); the reader is then at the body.</summary>
    internal static (ulong Guid, long Seq) ReadHeader(ref CdrReader reader) => (reader.ReadUInt64(), reader.ReadInt64());

    /// <summary>Writes header and body into <paramref name="cdr"/> (reset first).</summary>
    internal static void Write(CdrWriter cdr, ulong guid, long seq, IRosMessage body)
    {
        cdr.Reset();
        cdr.WriteUInt64(guid);
        cdr.WriteInt64(seq);
        body.WriteTo(cdr);
    }
}

/// <summary>
/// A service server: takes requests from <c>rq/&lt;name&gt;Request</c> on the spinning thread, lets the handler fill a fresh
/// response, and writes it to <c>rr/&lt;name&gt;Reply</c> with the request's guid and sequence number, so only the asking
/// client keeps it. A request that does not decode is counted as malformed and gets no reply; a handler that throws
/// is recorded in <see cref="SubscriptionBase.LastError"/>, counted in <see cref="Failed"/>, and gets no reply either.
/// </summary>
public sealed class Service<TRequest, TResponse> : SubscriptionBase
    where TRequest : IRosMessage<TRequest>, new()
    where TResponse : IRosMessage<TResponse>, new()
{
    readonly DdsWriter _replies;
    readonly Action<TRequest, TResponse> _handler;
    readonly CdrWriter _cdr = new();
    readonly CdrSampleHandler _deliver;
    long _failed;

    internal Service(DdsReader requests, DdsWriter replies, string name, Action<TRequest, TResponse> handler) : base(requests, name)
    {
        _replies = replies;
        _handler = handler;
        _deliver = Deliver;
    }

    /// <summary>The fully qualified service name.</summary>
    public string ServiceName => TopicName;

    /// <summary>Requests whose handler threw.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Clients whose request writer and reply reader have both matched this server (the smaller of the two counts).</summary>
    public int ClientCount => Math.Min(Reader.MatchedWriters, _replies.MatchedReaders);

    internal override int Dispatch() => Reader.Take(_deliver);

    void Deliver(ReadOnlySpan<byte> cdr, SampleMeta meta)
    {
        var request = new TRequest();
        ulong guid;
        long seq;
        try
        {
            var reader = new CdrReader(cdr);
            (guid, seq) = ServiceWire.ReadHeader(ref reader);
            request.ReadFrom(ref reader);
        }
        catch (CdrException ex)
        {
            Interlocked.Increment(ref _malformed);
            LastError = $"malformed {Schema.FullName} request on {TopicName} dropped: {ex.Message}";
            return;
        }
        Interlocked.Increment(ref _received);
        var response = new TResponse();
        try
        {
            _handler(request, response);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failed);
            LastError = $"service {TopicName} handler failed on request {seq}: {ex.GetType().Name}: {ex.Message}";
            return;
        }
        ServiceWire.Write(_cdr, guid, seq, response);
        _replies.Write(_cdr.Written);
    }

    private protected override void DisposeEndpoints() => _replies.Dispose();
}

/// <summary>
/// A service client. <see cref="SendRequestAsync"/> writes the request with this client's guid (its request writer's
/// instance handle, as rmw_cyclonedds does) and a fresh sequence number; the reply completes the task when the node
/// spins. Replies for other clients of the same service are skipped; a reply that does not decode fails its task.
/// </summary>
public sealed class Client<TRequest, TResponse> : SubscriptionBase
    where TRequest : IRosMessage<TRequest>, new()
    where TResponse : IRosMessage<TResponse>, new()
{
    readonly DdsWriter _requests;
    readonly CdrWriter _cdr = new();
    readonly CdrSampleHandler _deliver;
    readonly Dictionary<long, TaskCompletionSource<TResponse>> _pending = new();
    long _seq;

    internal Client(DdsReader replies, DdsWriter requests, string name) : base(replies, name)
    {
        _requests = requests;
        Guid = requests.Entity.InstanceHandle;
        _deliver = Deliver;
    }

    /// <summary>The fully qualified service name.</summary>
    public string ServiceName => TopicName;

    /// <summary>This client's identity on the wire (the request writer's instance handle).</summary>
    public ulong Guid { get; }

    /// <summary>Requests sent and not yet answered.</summary>
    public int Pending { get { lock (_pending) return _pending.Count; } }

    /// <summary>True when a server's request reader and reply writer have both matched this client.</summary>
    public bool ServiceIsReady() => _requests.MatchedReaders > 0 && Reader.MatchedWriters > 0;

    /// <summary>Polls <see cref="ServiceIsReady"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public bool WaitForService(TimeSpan timeout)
    {
        var until = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!ServiceIsReady())
        {
            if (Environment.TickCount64 >= until) return false;
            Thread.Sleep(5);
        }
        return true;
    }

    /// <summary>
    /// Sends <paramref name="request"/>; the task completes with the reply once the node has spun over it, or is cancelled
    /// by <paramref name="cancel"/> (a reply arriving later is then dropped).
    /// </summary>
    public Task<TResponse> SendRequestAsync(TRequest request, CancellationToken cancel = default)
    {
        var done = new TaskCompletionSource<TResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var seq = Interlocked.Increment(ref _seq);
        lock (_pending) _pending[seq] = done;
        try
        {
            lock (_cdr)
            {
                ServiceWire.Write(_cdr, Guid, seq, request);
                _requests.Write(_cdr.Written);
            }
        }
        catch
        {
            lock (_pending) _pending.Remove(seq);
            throw;
        }
        if (cancel.CanBeCanceled)
            cancel.Register(() =>
            {
                lock (_pending) _pending.Remove(seq);
                done.TrySetCanceled(cancel);
            });
        return done.Task;
    }

    internal override int Dispatch() => Reader.Take(_deliver);

    void Deliver(ReadOnlySpan<byte> cdr, SampleMeta meta)
    {
        ulong guid;
        long seq;
        CdrReader reader;
        try
        {
            reader = new CdrReader(cdr);
            (guid, seq) = ServiceWire.ReadHeader(ref reader);
        }
        catch (CdrException ex)
        {
            Interlocked.Increment(ref _malformed);
            LastError = $"malformed reply header on {TopicName} dropped: {ex.Message}";
            return;
        }
        if (guid != Guid) return; // another client's reply
        TaskCompletionSource<TResponse>? done;
        lock (_pending)
            if (!_pending.Remove(seq, out done)) return; // cancelled, or a duplicate
        var response = new TResponse();
        try
        {
            response.ReadFrom(ref reader);
        }
        catch (CdrException ex)
        {
            Interlocked.Increment(ref _malformed);
            LastError = $"malformed {Schema.FullName} reply to request {seq} on {TopicName}: {ex.Message}";
            done.TrySetException(ex);
            return;
        }
        Interlocked.Increment(ref _received);
        done.TrySetResult(response);
    }

    private protected override void DisposeEndpoints()
    {
        _requests.Dispose();
        List<TaskCompletionSource<TResponse>> left;
        lock (_pending)
        {
            left = [.. _pending.Values];
            _pending.Clear();
        }
        foreach (var t in left) t.TrySetException(new ObjectDisposedException(nameof(Client<TRequest, TResponse>), $"the client of {TopicName} was disposed"));
    }
}
