using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages;

/// <summary>
/// A ROS 2 message that serializes itself as XCDR1. <see cref="ReadFrom"/> overwrites every field, reusing the message's
/// lists, arrays and nested messages, so a subscriber can decode into one preallocated instance without allocating
/// (except for strings whose text changed).
/// </summary>
public interface IRosMessage
{
    /// <summary>Appends the fields (no encapsulation header: the caller resets the writer) in wire order.</summary>
    void WriteTo(CdrWriter writer);

    /// <summary>Reads every field from <paramref name="reader"/>; throws <see cref="CdrException"/> on malformed input.</summary>
    void ReadFrom(ref CdrReader reader);

    /// <summary>The schema of this message type.</summary>
    MessageSchema GetSchema();
}
