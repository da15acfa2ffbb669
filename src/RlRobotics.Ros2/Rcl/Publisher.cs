using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages;
using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Rcl;

/// <summary>
/// Publishes messages of one type on one topic. <see cref="Publish"/> serialises into a buffer owned by the publisher and
/// hands it to DDS; for a message whose lists are already sized it allocates nothing. Thread-safe.
/// </summary>
public sealed class Publisher<T> : IDisposable where T : IRosMessage
{
    readonly DdsWriter _writer;
    readonly CdrWriter _cdr = new();
    readonly object _gate = new();
    readonly Action? _onDispose;
    long _published;

    internal Publisher(DdsWriter writer, string topic, Action? onDispose)
    {
        _writer = writer;
        TopicName = topic;
        _onDispose = onDispose;
    }

    /// <summary>The fully qualified ROS topic name.</summary>
    public string TopicName { get; }

    public MessageSchema Schema => _writer.Topic.Schema;
    public QosProfile Qos => _writer.Qos;
    internal DdsWriter Writer => _writer;

    /// <summary>Messages published so far.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Subscriptions currently matched.</summary>
    public int SubscriptionCount => _writer.MatchedReaders;

    /// <summary>Waits until every matched reliable subscription acknowledged what was published (rclcpp's <c>wait_for_all_acked</c>); false on timeout.</summary>
    public bool WaitForAllAcked(TimeSpan timeout) => _writer.WaitForAcks(timeout);

    /// <summary>Sends samples held back by write batching (<see cref="DdsDomain.SetWriteBatching"/>); nothing otherwise.</summary>
    public void Flush() => _writer.Flush();

    public void Publish(T message)
    {
        lock (_gate)
        {
            _cdr.Reset();
            message.WriteTo(_cdr);
            _writer.Write(_cdr.Written);
        }
        Interlocked.Increment(ref _published);
    }

    /// <summary>Publishes already-serialised CDR (header included); DDS checks it against the topic type.</summary>
    public void PublishSerialized(ReadOnlySpan<byte> cdr)
    {
        _writer.Write(cdr);
        Interlocked.Increment(ref _published);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _onDispose?.Invoke();
    }
}
