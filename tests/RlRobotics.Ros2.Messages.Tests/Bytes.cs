using System.Globalization;

namespace RlRobotics.Ros2.Messages.Tests;

internal static class Bytes
{
    /// <summary>Parses "00 01 00 00 ..." into bytes.</summary>
    public static byte[] Hex(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
