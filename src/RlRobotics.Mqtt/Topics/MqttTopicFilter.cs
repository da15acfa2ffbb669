using System.Text;

namespace RlRobotics.Mqtt.Topics;

/// <summary>
/// MQTT 3.1.1 topic names and filters (spec 4.7): levels split by '/', '+' matches one whole level, '#' (last, alone
/// or after '/') matches the parent and any number of levels below, and a filter starting with a wildcard never
/// matches a topic starting with '$' (so "#" does not see "$SYS/...").
/// </summary>
public static class MqttTopicFilter
{
    /// <summary>True when <paramref name="topic"/> (a topic name) matches <paramref name="filter"/>. Allocation-free.</summary>
    /// <exception cref="ArgumentException">The filter or the topic name is invalid.</exception>
    public static bool Matches(string filter, string topic)
    {
        ValidateFilter(filter);
        ValidateTopicName(topic);
        return MatchesValid(filter, topic);
    }

    /// <summary>Throws <see cref="ArgumentException"/> saying what is wrong when <paramref name="filter"/> is not a valid filter.</summary>
    public static void ValidateFilter(string filter)
    {
        string? invalid = CheckFilter(filter);
        if (invalid is not null) throw new ArgumentException($"topic filter '{filter}' {invalid}", nameof(filter));
    }

    /// <summary>Throws <see cref="ArgumentException"/> saying what is wrong when <paramref name="topic"/> is not a valid topic name.</summary>
    public static void ValidateTopicName(string topic)
    {
        string? invalid = CheckTopicName(topic);
        if (invalid is not null) throw new ArgumentException($"topic name '{topic}' {invalid}", nameof(topic));
    }

    /// <summary>True when <paramref name="filter"/> is a valid topic filter.</summary>
    public static bool IsValidFilter(string filter) => CheckFilter(filter) is null;

    /// <summary>True when <paramref name="topic"/> is a valid topic name (what PUBLISH may carry).</summary>
    public static bool IsValidTopicName(string topic) => CheckTopicName(topic) is null;

    /// <summary>Null when valid, else the reason ("contains a wildcard", ...).</summary>
    internal static string? CheckTopicName(string topic)
    {
        if (topic.Length == 0) return "is empty (at least one character is required)";
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0) return "contains a wildcard ('+' or '#'), which only filters may use";
        return CheckCommon(topic);
    }

    /// <summary>Null when valid, else the reason.</summary>
    internal static string? CheckFilter(string filter)
    {
        if (filter.Length == 0) return "is empty (at least one character is required)";
        for (int i = 0; i < filter.Length; i++)
        {
            char c = filter[i];
            bool startsLevel = i == 0 || filter[i - 1] == '/';
            bool endsLevel = i == filter.Length - 1 || filter[i + 1] == '/';
            if (c == '+' && !(startsLevel && endsLevel)) return $"has '+' at index {i} that does not fill a whole level";
            if (c == '#' && !(startsLevel && i == filter.Length - 1)) return $"has '#' at index {i}; it must be the last character, alone or after '/'";
        }
        return CheckCommon(filter);
    }

    private static string? CheckCommon(string s)
    {
        // One plain loop: this runs on every publish, and span helpers like ContainsAnyInRange allocated here (measured 96 B).
        bool surrogates = false;
        foreach (char c in s)
        {
            if (c == '\0') return "contains U+0000";
            if (char.IsSurrogate(c)) surrogates = true;
        }
        // Lone surrogates cannot be encoded as UTF-8 (spec 1.5.3).
        if (surrogates && !IsWellFormedUtf16(s)) return "is not well-formed Unicode";
        if (s.Length > ushort.MaxValue / 3 && Encoding.UTF8.GetByteCount(s) > ushort.MaxValue) return "is longer than 65535 UTF-8 bytes";
        return null;
    }

    private static bool IsWellFormedUtf16(string s)
    {
        for (int i = 0; i < s.Length;)
        {
            if (!Rune.TryGetRuneAt(s, i, out var rune)) return false;
            i += rune.Utf16SequenceLength;
        }
        return true;
    }

    /// <summary>Level-by-level match of a valid filter against a valid topic name.</summary>
    internal static bool MatchesValid(ReadOnlySpan<char> filter, ReadOnlySpan<char> topic)
    {
        if (topic.Length > 0 && topic[0] == '$' && (filter[0] == '+' || filter[0] == '#')) return false;
        while (true)
        {
            int fe = filter.IndexOf('/');
            var fLevel = fe < 0 ? filter : filter[..fe];
            if (fLevel.Length == 1 && fLevel[0] == '#') return true; // matches this level, its parent and everything below
            int te = topic.IndexOf('/');
            var tLevel = te < 0 ? topic : topic[..te];
            if (!(fLevel.Length == 1 && fLevel[0] == '+') && !fLevel.SequenceEqual(tLevel)) return false;
            if (fe < 0 && te < 0) return true;
            if (te < 0)
            {
                // Topic ended; only a trailing "/#" still matches ("a/#" matches "a").
                var rest = filter[(fe + 1)..];
                return rest.Length == 1 && rest[0] == '#';
            }
            if (fe < 0) return false;
            filter = filter[(fe + 1)..];
            topic = topic[(te + 1)..];
        }
    }
}
