namespace RlRobotics.Ros2.Dds;

/// <summary>Metadata of one received sample.</summary>
public readonly record struct SampleMeta(long SourceTimestampNs, ulong PublicationHandle);

/// <summary>Receives one sample's serialised CDR (header included); the span is valid only during the call.</summary>
public delegate void CdrSampleHandler(ReadOnlySpan<byte> cdr, SampleMeta meta);

/// <summary>
/// A DDS data reader that takes raw CDR (<c>dds_takecdr</c> + <c>ddsi_serdata_to_ser</c>). Cyclone has already checked each
/// sample against the topic's type and put it in host byte order; a sample that failed that check never arrives here
/// (it is counted by <see cref="DdsLog"/>).
/// </summary>
public sealed class DdsReader : IDisposable
{
    const int Batch = 16;
    readonly DdsEntity _entity;
    byte[] _scratch = new byte[256];

    internal DdsReader(DdsParticipant participant, DdsTopic topic, QosProfile qos, ReadOnlySpan<byte> userData)
    {
        Topic = topic;
        Qos = qos;
        _entity = new DdsEntity(qos.CreateWith(userData, native => DdsNative.dds_create_reader(participant.Entity.Handle, topic.Handle, native, IntPtr.Zero),
            $"creating a reader on '{topic.Name}'"));
    }

    public DdsTopic Topic { get; }
    public QosProfile Qos { get; }
    public DdsEntity Entity => _entity;

    /// <summary>Takes every available sample and hands each to <paramref name="handler"/>; returns how many. Allocates nothing once the scratch buffer has grown to the largest sample.</summary>
    public unsafe int Take(CdrSampleHandler handler)
    {
        var total = 0;
        var samples = stackalloc IntPtr[Batch];
        var infos = stackalloc SampleInfo[Batch];
        while (true)
        {
            var n = DdsNative.dds_takecdr(_entity.Handle, samples, Batch, infos, DdsNative.AnyState);
            if (n < 0) DdsException.Check(n, $"taking from '{Topic.Name}'");
            if (n <= 0) return total;
            var i = 0;
            try
            {
                for (; i < n; i++)
                {
                    if (infos[i].ValidData == 0) continue; // dispose/unregister notifications carry no data
                    var size = (int)DdsNative.ddsi_serdata_size(samples[i]);
                    if (_scratch.Length < size) _scratch = new byte[Math.Max(size, _scratch.Length * 2)];
                    fixed (byte* p = _scratch) DdsNative.ddsi_serdata_to_ser(samples[i], 0, (nuint)size, p);
                    total++;
                    handler(_scratch.AsSpan(0, size), new SampleMeta(infos[i].SourceTimestamp, infos[i].PublicationHandle));
                }
            }
            finally
            {
                for (var k = 0; k < n; k++) DdsNative.ddsi_serdata_unref(samples[k]); // take hands over one reference each
            }
            if (n < Batch) return total;
        }
    }

    /// <summary>Writers currently matched (subscription-matched status).</summary>
    public unsafe int MatchedWriters
    {
        get
        {
            MatchedStatus status;
            DdsException.Check(DdsNative.dds_get_subscription_matched_status(_entity.Handle, &status), "dds_get_subscription_matched_status");
            return (int)status.CurrentCount;
        }
    }

    public void Dispose() => _entity.Dispose();
}
