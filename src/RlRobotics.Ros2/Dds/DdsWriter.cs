namespace RlRobotics.Ros2.Dds;

/// <summary>A DDS data writer that publishes serialised CDR (header included) through <c>dds_writecdr</c>.</summary>
public sealed class DdsWriter : IDisposable
{
    readonly DdsEntity _entity;

    internal DdsWriter(DdsParticipant participant, DdsTopic topic, QosProfile qos, ReadOnlySpan<byte> userData)
    {
        Topic = topic;
        Qos = qos;
        _entity = new DdsEntity(qos.CreateWith(userData, native => DdsNative.dds_create_writer(participant.Entity.Handle, topic.Handle, native, IntPtr.Zero),
            $"creating a writer on '{topic.Name}'"));
    }

    public DdsTopic Topic { get; }
    public QosProfile Qos { get; }
    public DdsEntity Entity => _entity;

    /// <summary>
    /// Publishes one sample. Allocates no managed memory. Cyclone validates the bytes against the topic's type; bytes that do
    /// not match are refused with <see cref="DdsException"/> and nothing is sent.
    /// </summary>
    public void Write(ReadOnlySpan<byte> cdr)
    {
        var serdata = CdrCarrier.Create(cdr);
        var result = DdsNative.dds_writecdr(_entity.Handle, serdata); // consumes the reference on every path
        if (result < 0) ThrowWriteFailed(result);
    }

    void ThrowWriteFailed(int result) => throw new DdsException(result == -1
        ? $"the serialised sample does not match {Topic.Schema.FullName}; nothing was sent on '{Topic.Name}'"
        : $"writing on '{Topic.Name}' failed: {DdsException.Describe(result)} ({result})", result);

    /// <summary>
    /// Sends what write batching (<see cref="DdsDomain.SetWriteBatching"/>) has held back for this writer. Without batching
    /// every write is sent at once and this does nothing.
    /// </summary>
    public void Flush() => DdsNative.dds_write_flush(_entity.Handle);

    /// <summary>Readers currently matched (publication-matched status).</summary>
    public unsafe int MatchedReaders
    {
        get
        {
            MatchedStatus status;
            DdsException.Check(DdsNative.dds_get_publication_matched_status(_entity.Handle, &status), "dds_get_publication_matched_status");
            return (int)status.CurrentCount;
        }
    }

    /// <summary>Waits until every matched reliable reader acknowledged what was written; false on timeout.</summary>
    public bool WaitForAcks(TimeSpan timeout)
    {
        var rc = DdsNative.dds_wait_for_acks(_entity.Handle, (long)(timeout.TotalMilliseconds * 1_000_000));
        if (rc == -10) return false; // DDS_RETCODE_TIMEOUT
        DdsException.Check(rc, "dds_wait_for_acks");
        return true;
    }

    public void Dispose() => _entity.Dispose();
}
