using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    GCHandle _listenerHandle;

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

    /// <summary>
    /// Calls <paramref name="onData"/> on Cyclone's receive thread whenever data arrives (a DDS listener), instead of waiting
    /// on a waitset: one thread hand-off less per sample. The callback must be short and must not block; an exception
    /// it throws is passed to <paramref name="onError"/> and never reaches native code. Set once.
    /// </summary>
    public unsafe void OnDataAvailable(Action onData, Action<Exception> onError)
    {
        if (_listenerHandle.IsAllocated) throw new InvalidOperationException($"the reader of '{Topic.Name}' already has a data listener");
        _listenerHandle = GCHandle.Alloc((onData, onError));
        var listener = DdsNative.dds_create_listener(GCHandle.ToIntPtr(_listenerHandle));
        try
        {
            DdsNative.dds_lset_data_available(listener, &DataAvailable);
            DdsException.Check(DdsNative.dds_set_listener(_entity.Handle, listener), $"setting the data listener of '{Topic.Name}'");
        }
        finally
        {
            DdsNative.dds_delete_listener(listener); // Cyclone keeps its own copy
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    static void DataAvailable(int reader, IntPtr arg)
    {
        if (GCHandle.FromIntPtr(arg).Target is not (Action onData, Action<Exception> onError)) return;
        try
        {
            onData();
        }
        catch (Exception ex)
        {
            try { onError(ex); } catch (Exception) { /* nothing may unwind into Cyclone's thread */ }
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

    public void Dispose()
    {
        _entity.Dispose(); // dds_delete waits for a listener call in progress
        if (_listenerHandle.IsAllocated) _listenerHandle.Free();
    }
}
