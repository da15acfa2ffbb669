namespace RlRobotics.Ros2.Messages.Cdr;

/// <summary>Write-side checks for typed messages: a value that breaks its field's declared size is the caller's bug, reported with the field name.</summary>
public static class CdrFieldChecks
{
    /// <summary>Throws unless <paramref name="array"/> has the fixed length <paramref name="length"/> of a <c>T[N]</c> field.</summary>
    public static void FixedLength<T>(T[] array, int length, string field)
    {
        if (array.Length != length)
            throw new ArgumentException($"{field} is a fixed array of {length} elements, but has {array.Length}", field);
    }

    /// <summary>Throws unless <paramref name="value"/> fits a <c>string&lt;=N</c> field (N counts UTF-8 bytes, as rmw does).</summary>
    public static void StringBound(string value, int maxBytes, string field)
    {
        // UTF-8 needs 1..3 bytes per UTF-16 unit, so only a string longer than a third of the bound needs counting.
        if (value.Length * 3 <= maxBytes) return;
        var bytes = System.Text.Encoding.UTF8.GetByteCount(value);
        if (bytes > maxBytes)
            throw new ArgumentException($"{field} is a string<={maxBytes}, but has {bytes} UTF-8 bytes", field);
    }
}
