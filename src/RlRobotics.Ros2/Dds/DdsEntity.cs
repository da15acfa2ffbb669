using System.Runtime.InteropServices;

namespace RlRobotics.Ros2.Dds;

/// <summary>
/// Owns one Cyclone entity handle and deletes it (recursively, as <c>dds_delete</c> does) when disposed or finalised.
/// Children deleted with their parent make a later delete return ALREADY_DELETED, which is ignored.
/// </summary>
public class DdsEntity : SafeHandle
{
    internal DdsEntity(int handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    /// <summary>The <c>dds_entity_t</c>.</summary>
    public int Handle => (int)handle;

    public override bool IsInvalid => (int)handle <= 0;

    protected override bool ReleaseHandle()
    {
        DdsNative.dds_delete((int)handle);
        return true;
    }

    /// <summary>The entity's 16-byte DDS GUID (<c>dds_get_guid</c>): what ROS 2 uses as a GID.</summary>
    public unsafe Guid16 Guid
    {
        get
        {
            Guid16 guid = default;
            DdsException.Check(DdsNative.dds_get_guid(Handle, (byte*)&guid), "dds_get_guid");
            return guid;
        }
    }

    /// <summary>The entity's local instance handle (<c>dds_get_instance_handle</c>).</summary>
    public unsafe ulong InstanceHandle
    {
        get
        {
            ulong value;
            DdsException.Check(DdsNative.dds_get_instance_handle(Handle, &value), "dds_get_instance_handle");
            return value;
        }
    }
}

/// <summary>A 16-byte DDS GUID: 12-byte participant prefix and 4-byte entity id.</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
public unsafe struct Guid16 : IEquatable<Guid16>
{
    fixed byte _bytes[16];

    public Guid16(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 16) throw new ArgumentException("a DDS GUID is 16 bytes", nameof(bytes));
        fixed (byte* p = _bytes) bytes.CopyTo(new Span<byte>(p, 16));
    }

    /// <summary>The bytes in wire order.</summary>
    public readonly ReadOnlySpan<byte> Bytes
    {
        get { fixed (byte* p = _bytes) return new ReadOnlySpan<byte>(p, 16).ToArray(); }
    }

    /// <summary>The 12-byte prefix shared by every entity of one participant.</summary>
    public readonly ReadOnlySpan<byte> Prefix => Bytes[..12];

    public readonly bool Equals(Guid16 other) => Bytes.SequenceEqual(other.Bytes);
    public override readonly bool Equals(object? obj) => obj is Guid16 g && Equals(g);
    public override readonly int GetHashCode() { var h = new HashCode(); h.AddBytes(Bytes); return h.ToHashCode(); }
    public override readonly string ToString() => Convert.ToHexString(Bytes).ToLowerInvariant();
    public static bool operator ==(Guid16 a, Guid16 b) => a.Equals(b);
    public static bool operator !=(Guid16 a, Guid16 b) => !a.Equals(b);
}
