using System.Runtime.InteropServices;

namespace RlRobotics.Ros2.Dds;

/// <summary>A Cyclone DDS call failed; <see cref="ReturnCode"/> is Cyclone's <c>dds_return_t</c> (negative).</summary>
public sealed class DdsException : Exception
{
    public DdsException(string message, int returnCode) : base(message) => ReturnCode = returnCode;

    /// <summary>Cyclone's return code, e.g. -3 BAD_PARAMETER, -4 PRECONDITION_NOT_MET, -10 TIMEOUT; 0 when no call was made.</summary>
    public int ReturnCode { get; }

    /// <summary>Cyclone's name for a return code (<c>dds_strretcode</c>).</summary>
    public static unsafe string Describe(int code) =>
        Marshal.PtrToStringUTF8(DdsNative.dds_strretcode(code)) ?? $"return code {code}";

    /// <summary>Returns <paramref name="result"/> when it is a valid entity or OK, otherwise throws with what was being done.</summary>
    internal static int Check(int result, string doing)
    {
        if (result >= 0) return result;
        throw new DdsException($"{doing} failed: {Describe(result)} ({result})", result);
    }
}
