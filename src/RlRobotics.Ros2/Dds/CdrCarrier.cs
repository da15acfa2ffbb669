using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace RlRobotics.Ros2.Dds;

/// <summary>
/// Hands serialised CDR to <c>dds_writecdr</c>. Cyclone 0.10.2 has no public way to get the sertype of a topic made from a
/// descriptor, so we register one minimal sertype of our own whose serdata only carries bytes; <c>dds_writecdr</c> sees
/// that the serdata's type is not the writer's and converts it through <c>ddsi_serdata_ref_as_type</c> (to_ser_ref on
/// ours, from_ser_iov on the writer's), which also validates the bytes against the topic's descriptor: malformed CDR
/// is refused with DDS_RETCODE_ERROR and never reaches the wire.
/// Only public header structs are used: we allocate the <c>ddsi_sertype</c> and <c>ddsi_serdata</c> headers (72 and 80
/// bytes in Debian's build, reserved generously here) and Cyclone's own init functions fill them in.
/// </summary>
internal static unsafe class CdrCarrier
{
    /// <summary>Bytes reserved for <c>struct ddsi_serdata</c> (72 in Debian's SHM-enabled build) before our fields.</summary>
    const int HeaderReserve = 128;
    const int LengthOffset = HeaderReserve - 8;
    const int SerdataOpCount = 17, SertypeOpCount = 14;

    static readonly IntPtr Sertype = CreateSertype();

    static IntPtr CreateSertype()
    {
        var serdataOps = (IntPtr*)NativeMemory.AllocZeroed(SerdataOpCount, (nuint)sizeof(IntPtr));
        // struct ddsi_serdata_ops: eqkey, get_size, from_ser, from_ser_iov, from_keyhash, from_sample, to_ser, to_ser_ref,
        // to_ser_unref, to_sample, to_untyped, untyped_to_sample, free, print, get_keyhash, get_sample_size, from_iox_buffer
        serdataOps[0] = (IntPtr)(delegate* unmanaged<IntPtr, IntPtr, byte>)&EqKey;
        serdataOps[1] = (IntPtr)(delegate* unmanaged<IntPtr, uint>)&GetSize;
        serdataOps[6] = (IntPtr)(delegate* unmanaged<IntPtr, nuint, nuint, byte*, void>)&ToSer;
        serdataOps[7] = (IntPtr)(delegate* unmanaged<IntPtr, nuint, nuint, IoVec*, IntPtr>)&ToSerRef;
        serdataOps[8] = (IntPtr)(delegate* unmanaged<IntPtr, IoVec*, void>)&ToSerUnref;
        serdataOps[12] = (IntPtr)(delegate* unmanaged<IntPtr, void>)&Free;
        serdataOps[13] = (IntPtr)(delegate* unmanaged<IntPtr, IntPtr, byte*, nuint, nuint>)&Print;
        serdataOps[14] = (IntPtr)(delegate* unmanaged<IntPtr, byte*, byte, void>)&GetKeyhash;

        var sertypeOps = (IntPtr*)NativeMemory.AllocZeroed(SertypeOpCount, (nuint)sizeof(IntPtr));
        sertypeOps[0] = NativeLibrary.GetExport(DdsNative.Handle, "ddsi_sertype_v0"); // version marker

        var sertype = (IntPtr)NativeMemory.AllocZeroed(256);
        var name = Encoding.ASCII.GetBytes("rlr::cdr_carrier\0");
        fixed (byte* p = name) DdsNative.ddsi_sertype_init(sertype, p, (IntPtr)sertypeOps, (IntPtr)serdataOps, true);
        return sertype;
    }

    /// <summary>A serdata holding a copy of <paramref name="cdr"/> (header included), with one reference for the caller.</summary>
    public static IntPtr Create(ReadOnlySpan<byte> cdr)
    {
        var d = (byte*)NativeMemory.Alloc((nuint)(HeaderReserve + cdr.Length));
        DdsNative.ddsi_serdata_init((IntPtr)d, Sertype, DdsNative.SerdataKindData);
        *(nuint*)(d + LengthOffset) = (nuint)cdr.Length;
        cdr.CopyTo(new Span<byte>(d + HeaderReserve, cdr.Length));
        return (IntPtr)d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static byte* Data(IntPtr d) => (byte*)d + HeaderReserve;

    [UnmanagedCallersOnly]
    static uint GetSize(IntPtr d) => (uint)*(nuint*)((byte*)d + LengthOffset);

    [UnmanagedCallersOnly]
    static void ToSer(IntPtr d, nuint offset, nuint size, byte* buffer) =>
        Buffer.MemoryCopy(Data(d) + offset, buffer, size, size);

    [UnmanagedCallersOnly]
    static IntPtr ToSerRef(IntPtr d, nuint offset, nuint size, IoVec* reference)
    {
        reference->Base = Data(d) + offset;
        reference->Length = size;
        return DdsNative.ddsi_serdata_ref(d);
    }

    [UnmanagedCallersOnly]
    static void ToSerUnref(IntPtr d, IoVec* reference) => DdsNative.ddsi_serdata_unref(d);

    [UnmanagedCallersOnly]
    static void Free(IntPtr d) => NativeMemory.Free((void*)d);

    [UnmanagedCallersOnly]
    static byte EqKey(IntPtr a, IntPtr b) => 1; // keyless: every sample is the one instance

    [UnmanagedCallersOnly]
    static nuint Print(IntPtr type, IntPtr d, byte* buffer, nuint size)
    {
        if (size > 0) buffer[0] = 0;
        return 0;
    }

    [UnmanagedCallersOnly]
    static void GetKeyhash(IntPtr d, byte* keyhash, byte forceMd5) => new Span<byte>(keyhash, 16).Clear();
}
