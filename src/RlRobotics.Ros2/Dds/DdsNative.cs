using System.Reflection;
using System.Runtime.InteropServices;

namespace RlRobotics.Ros2.Dds;

/// <summary>
/// P/Invoke declarations for Debian's Cyclone DDS 0.10.2 (<c>libddsc.so.0</c>, package <c>libddsc0debian</c>).
/// Only public, exported functions are bound; signatures follow <c>/usr/include/dds/dds.h</c> and
/// <c>dds/ddsi/ddsi_serdata.h</c>. Entities are int32 handles, negative values are return codes.
/// </summary>
internal static unsafe partial class DdsNative
{
    internal const string Library = "ddsc";

    static DdsNative() => NativeLibrary.SetDllImportResolver(typeof(DdsNative).Assembly, Resolve);

    /// <summary>Loads libddsc: the runtime package ships only the versioned soname, the -dev package adds libddsc.so.</summary>
    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library) return IntPtr.Zero;
        foreach (var candidate in new[] { "libddsc.so.0", "libddsc.so", "ddsc" })
        {
            if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle)) return handle;
        }
        return IntPtr.Zero;
    }

    /// <summary>Loads the library now, with an error that says which package to install.</summary>
    internal static IntPtr Handle => LibraryHandle.Value;

    static readonly Lazy<IntPtr> LibraryHandle = new(() =>
    {
        foreach (var candidate in new[] { "libddsc.so.0", "libddsc.so" })
        {
            if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        }
        throw new DdsException(
            "Cyclone DDS (libddsc.so.0) is not installed: install the Debian package 'libddsc0debian' (or run scripts/install-deps.sh)",
            0);
    });

    // Domain and entities (dds.h)
    [LibraryImport(Library)] internal static partial int dds_create_domain(uint domain, byte* config);
    [LibraryImport(Library)] internal static partial int dds_create_participant(uint domain, IntPtr qos, IntPtr listener);
    [LibraryImport(Library)] internal static partial int dds_create_topic(int participant, IntPtr descriptor, byte* name, IntPtr qos, IntPtr listener);
    [LibraryImport(Library)] internal static partial int dds_create_publisher(int participant, IntPtr qos, IntPtr listener);
    [LibraryImport(Library)] internal static partial int dds_create_subscriber(int participant, IntPtr qos, IntPtr listener);
    [LibraryImport(Library)] internal static partial int dds_create_writer(int parent, int topic, IntPtr qos, IntPtr listener);
    [LibraryImport(Library)] internal static partial int dds_create_reader(int parent, int topic, IntPtr qos, IntPtr listener);
    [LibraryImport(Library)] internal static partial IntPtr dds_create_listener(IntPtr arg);
    [LibraryImport(Library)] internal static partial void dds_delete_listener(IntPtr listener);
    [LibraryImport(Library)] internal static partial void dds_lset_data_available(IntPtr listener, delegate* unmanaged[Cdecl]<int, IntPtr, void> callback);
    [LibraryImport(Library)] internal static partial int dds_set_listener(int entity, IntPtr listener);
    [LibraryImport(Library)] internal static partial int dds_delete(int entity);
    [LibraryImport(Library)] internal static partial int dds_get_guid(int entity, byte* guid16);
    [LibraryImport(Library)] internal static partial int dds_get_instance_handle(int entity, ulong* handle);
    [LibraryImport(Library)] internal static partial IntPtr dds_strretcode(int code);

    // QoS (dds_public_qos.h)
    [LibraryImport(Library)] internal static partial IntPtr dds_create_qos();
    [LibraryImport(Library)] internal static partial void dds_delete_qos(IntPtr qos);
    [LibraryImport(Library)] internal static partial void dds_qset_reliability(IntPtr qos, int kind, long maxBlockingTime);
    [LibraryImport(Library)] internal static partial void dds_qset_history(IntPtr qos, int kind, int depth);
    [LibraryImport(Library)] internal static partial void dds_qset_durability(IntPtr qos, int kind);
    [LibraryImport(Library)] internal static partial void dds_qset_durability_service(IntPtr qos, long cleanupDelay, int historyKind, int historyDepth,
        int maxSamples, int maxInstances, int maxSamplesPerInstance);
    [LibraryImport(Library)] internal static partial void dds_qset_userdata(IntPtr qos, void* value, nuint size);
    [LibraryImport(Library)] internal static partial void dds_qset_deadline(IntPtr qos, long deadline);
    [LibraryImport(Library)] internal static partial void dds_qset_lifespan(IntPtr qos, long lifespan);
    [LibraryImport(Library)] internal static partial void dds_qset_liveliness(IntPtr qos, int kind, long leaseDuration);
    [LibraryImport(Library)] internal static partial void dds_qset_ignorelocal(IntPtr qos, int ignore);
    [LibraryImport(Library)] internal static partial void dds_qset_writer_data_lifecycle(IntPtr qos, [MarshalAs(UnmanagedType.U1)] bool autodispose);

    // Raw CDR (dds.h, ddsi_serdata.h; the serdata helpers are exported as extern inline copies)
    [LibraryImport(Library)] internal static partial int dds_writecdr(int writer, IntPtr serdata);
    [LibraryImport(Library)] internal static partial int dds_takecdr(int reader, IntPtr* samples, uint maxSamples, SampleInfo* infos, uint mask);
    [LibraryImport(Library)] internal static partial uint ddsi_serdata_size(IntPtr serdata);
    [LibraryImport(Library)] internal static partial void ddsi_serdata_to_ser(IntPtr serdata, nuint offset, nuint size, void* buffer);
    [LibraryImport(Library)] internal static partial IntPtr ddsi_serdata_ref(IntPtr serdata);
    [LibraryImport(Library)] internal static partial void ddsi_serdata_unref(IntPtr serdata);
    [LibraryImport(Library)] internal static partial void ddsi_serdata_init(IntPtr serdata, IntPtr sertype, int kind);
    [LibraryImport(Library)] internal static partial void ddsi_sertype_init(IntPtr sertype, byte* typeName, IntPtr sertypeOps, IntPtr serdataOps,
        [MarshalAs(UnmanagedType.U1)] bool typekindNoKey);

    // Sample-based take, used for the builtin topics (DCPSPublication / DCPSSubscription)
    [LibraryImport(Library)] internal static partial int dds_take(int reader, IntPtr* buffer, SampleInfo* infos, nuint bufferSize, uint maxSamples);
    [LibraryImport(Library)] internal static partial int dds_return_loan(int reader, IntPtr* buffer, int bufferSize);

    // Waiting
    [LibraryImport(Library)] internal static partial int dds_create_waitset(int owner);
    [LibraryImport(Library)] internal static partial int dds_waitset_attach(int waitset, int entity, nint x);
    [LibraryImport(Library)] internal static partial int dds_waitset_detach(int waitset, int entity);
    [LibraryImport(Library)] internal static partial int dds_waitset_wait(int waitset, nint* xs, nuint nxs, long relativeTimeout);
    [LibraryImport(Library)] internal static partial int dds_create_readcondition(int reader, uint mask);
    [LibraryImport(Library)] internal static partial int dds_create_guardcondition(int owner);
    [LibraryImport(Library)] internal static partial int dds_set_guardcondition(int guard, [MarshalAs(UnmanagedType.U1)] bool triggered);

    // Status
    [LibraryImport(Library)] internal static partial int dds_get_publication_matched_status(int writer, MatchedStatus* status);
    [LibraryImport(Library)] internal static partial int dds_wait_for_acks(int writer, long timeout_ns);
    [LibraryImport(Library)] internal static partial void dds_write_set_batch([MarshalAs(UnmanagedType.U1)] bool enable);
    [LibraryImport(Library)] internal static partial void dds_write_flush(int writer);
    [LibraryImport(Library)] internal static partial int dds_get_subscription_matched_status(int reader, MatchedStatus* status);

    // Logging (ddsrt/log.h)
    [LibraryImport(Library)] internal static partial void dds_set_log_sink(delegate* unmanaged<IntPtr, LogData*, void> callback, IntPtr userdata);

    /// <summary><c>DDS_ANY_STATE</c>: any sample, view and instance state.</summary>
    internal const uint AnyState = 0x7F;
    /// <summary><c>DDS_DOMAIN_DEFAULT</c>.</summary>
    internal const uint DomainDefault = 0xFFFFFFFF;
    /// <summary><c>DDS_INFINITY</c> (int64 ns).</summary>
    internal const long Infinity = long.MaxValue;
    /// <summary><c>DDS_BUILTIN_TOPIC_DCPSPUBLICATION</c> / <c>DCPSSUBSCRIPTION</c> pseudo-handles.</summary>
    internal const int BuiltinPublication = 0x7FFF0003, BuiltinSubscription = 0x7FFF0004;
    /// <summary><c>enum ddsi_serdata_kind</c>: SDK_DATA.</summary>
    internal const int SerdataKindData = 2;
}

/// <summary><c>dds_sample_info_t</c> (64 bytes; offsets checked with offsetof against the Debian headers).</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct SampleInfo
{
    [FieldOffset(0)] public uint SampleState;
    [FieldOffset(4)] public uint ViewState;
    [FieldOffset(8)] public uint InstanceState;
    [FieldOffset(12)] public byte ValidData;
    [FieldOffset(16)] public long SourceTimestamp;
    [FieldOffset(24)] public ulong InstanceHandle;
    [FieldOffset(32)] public ulong PublicationHandle;
}

/// <summary><c>dds_publication_matched_status_t</c> and <c>dds_subscription_matched_status_t</c> (same layout, 24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MatchedStatus
{
    public uint TotalCount;
    public int TotalCountChange;
    public uint CurrentCount;
    public int CurrentCountChange;
    public ulong LastHandle;
}

/// <summary><c>dds_log_data_t</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LogData
{
    public uint Priority;
    public uint DomainId;
    public byte* File;
    public uint Line;
    public byte* Function;
    public byte* Message;
    public nuint Size;
    public nuint HeaderSize;
}

/// <summary><c>ddsrt_iovec_t</c> on Linux: <c>struct iovec</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public void* Base;
    public nuint Length;
}
