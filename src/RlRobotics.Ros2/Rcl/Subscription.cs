using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages;
using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Rcl;

/// <summary>Counters of one subscription: what arrived, and what was dropped as malformed (by us or by Cyclone).</summary>
public interface ISubscriptionStatistics
{
    string TopicName { get; }
    long Received { get; }
    /// <summary>Samples Cyclone accepted but our decoder refused (a <see cref="CdrException"/>): dropped, never delivered.</summary>
    long Malformed { get; }
    /// <summary>Samples Cyclone refused to deserialise against the topic's type (from its log; per DDS topic in this process).</summary>
    long Rejected { get; }
    string? LastError { get; }
}

/// <summary>Which thread runs a subscription's callback.</summary>
public enum Delivery
{
    /// <summary>The thread that spins the node (<see cref="Node.SpinOnce"/>, <see cref="Node.Spin"/>): rclcpp's executor model.</summary>
    Executor,
    /// <summary>
    /// Cyclone's receive thread, as soon as the sample is in (a DDS listener): one thread hand-off less, for short callbacks
    /// that never block, such as handing a joint state to the control loop. No spinning needed.
    /// </summary>
    Immediate,
}

/// <summary>Base of every subscription: what the node's executor dispatches.</summary>
public abstract class SubscriptionBase : ISubscriptionStatistics, IDisposable
{
    private protected SubscriptionBase(DdsReader reader, string topic)
    {
        Reader = reader;
        TopicName = topic;
    }

    internal DdsReader Reader { get; }
    public string TopicName { get; }
    public MessageSchema Schema => Reader.Topic.Schema;
    public QosProfile Qos => Reader.Qos;
    public long Received => Interlocked.Read(ref _received);
    public long Malformed => Interlocked.Read(ref _malformed);
    public long Rejected => DdsLog.RejectedSamples(Reader.Topic.Name);
    public string? LastError { get; private protected set; }

    /// <summary>Publishers currently matched.</summary>
    public int PublisherCount => Reader.MatchedWriters;

    private protected long _received, _malformed;

    internal void RecordError(string error) => LastError = error;
    internal Action? OnDispose;

    /// <summary>Takes and delivers everything available; returns how many were delivered.</summary>
    internal abstract int Dispatch();

    /// <summary>Releases what a subclass owns besides the reader (a service's reply writer, a client's request writer).</summary>
    private protected virtual void DisposeEndpoints() { }

    public void Dispose()
    {
        OnDispose?.Invoke();
        Reader.Dispose();
        DisposeEndpoints();
    }
}

/// <summary>
/// Delivers the messages of one topic to a callback, on the thread that spins the node. A sample that does not decode
/// is counted in <see cref="SubscriptionBase.Malformed"/> and dropped; the callback never sees it. With
/// <c>reuseMessage</c>, every sample is decoded into one instance (no allocation once its lists have grown), so the
/// callback must copy what it keeps.
/// </summary>
public sealed class Subscription<T> : SubscriptionBase where T : IRosMessage
{
    readonly Action<T> _callback;
    readonly Func<T> _create;
    readonly T? _reused;
    readonly CdrSampleHandler _handler;

    internal Subscription(DdsReader reader, string topic, Action<T> callback, Func<T> create, bool reuseMessage) : base(reader, topic)
    {
        _callback = callback;
        _create = create;
        _reused = reuseMessage ? create() : default;
        _handler = Deliver;
    }

    internal override int Dispatch() => Reader.Take(_handler);

    void Deliver(ReadOnlySpan<byte> cdr, SampleMeta meta)
    {
        var message = _reused ?? _create();
        try
        {
            var reader = new CdrReader(cdr);
            message.ReadFrom(ref reader);
        }
        catch (CdrException ex)
        {
            Interlocked.Increment(ref _malformed);
            LastError = $"malformed {Schema.FullName} on {TopicName} dropped: {ex.Message}";
            return;
        }
        Interlocked.Increment(ref _received);
        _callback(message);
    }
}
