namespace RlRobotics.Ros2.Messages.Schema;

/// <summary>The ROS 2 interface-definition primitive types (rosidl), with their XCDR1 sizes.</summary>
public enum PrimitiveKind
{
    /// <summary>1 byte, 0 or 1 on the wire.</summary>
    Bool,
    /// <summary>Opaque octet (IDL <c>octet</c>).</summary>
    Byte,
    /// <summary>8-bit character (IDL <c>uint8</c> in ROS 2).</summary>
    Char,
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
    /// <summary>UTF-8 string: uint32 length including the NUL, the bytes, then NUL.</summary>
    String,
}
