namespace RlRobotics.Ros2.Rcl;

/// <summary>
/// ROS 2 name rules and their DDS mangling (ros2/design article 140, rmw_cyclonedds <c>make_fqtopic</c>): topics become
/// <c>rt/…</c>, service requests <c>rq/…Request</c> and replies <c>rr/…Reply</c>.
/// </summary>
public static class TopicNames
{
    /// <summary>Expands a topic or service name to its fully qualified form: relative names go under the namespace, <c>~</c> under the node.</summary>
    public static string Resolve(string name, string nodeNamespace, string nodeName)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("a topic name cannot be empty");
        var ns = nodeNamespace.TrimEnd('/');
        var full = name[0] switch
        {
            '/' => name,
            '~' => name.Length == 1 ? $"{ns}/{nodeName}" : name[1] == '/' ? $"{ns}/{nodeName}{name[1..]}" : throw Invalid(name, "'~' must be followed by '/'"),
            _ => $"{ns}/{name}",
        };
        Validate(full);
        return full;
    }

    /// <summary>Checks a fully qualified name: '/'-separated tokens of letters, digits and underscores, not starting with a digit.</summary>
    public static void Validate(string fullName)
    {
        if (fullName.Length == 0 || fullName[0] != '/') throw Invalid(fullName, "it must start with '/'");
        if (fullName.Length > 1 && fullName[^1] == '/') throw Invalid(fullName, "it must not end with '/'");
        if (fullName.Contains("//", StringComparison.Ordinal)) throw Invalid(fullName, "it must not contain '//'");
        if (fullName.Contains("__", StringComparison.Ordinal)) throw Invalid(fullName, "it must not contain '__'");
        foreach (var token in fullName.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (char.IsAsciiDigit(token[0])) throw Invalid(fullName, $"token '{token}' starts with a digit");
            foreach (var c in token)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '_') throw Invalid(fullName, $"'{c}' is not allowed (letters, digits and '_' only)");
            }
        }
        if (fullName.Length > 255) throw Invalid(fullName, "DDS topic names are limited to 256 characters including the prefix");
    }

    /// <summary>Checks a node name: letters, digits and underscores, not starting with a digit.</summary>
    public static void ValidateNodeName(string name)
    {
        if (string.IsNullOrEmpty(name) || char.IsAsciiDigit(name[0]) || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '_'))
            throw new ArgumentException($"invalid node name '{name}': letters, digits and '_' only, not starting with a digit");
    }

    public static string Topic(string fullName) => "rt" + fullName;
    public static string Request(string fullName) => "rq" + fullName + "Request";
    public static string Reply(string fullName) => "rr" + fullName + "Reply";

    /// <summary>The ROS topic name of a DDS topic, or null when it is not a ROS topic (<c>rt/</c>).</summary>
    public static string? FromDds(string ddsName) => ddsName.StartsWith("rt/", StringComparison.Ordinal) ? ddsName[2..] : null;

    /// <summary>The ROS type name (<c>pkg/msg/Name</c>) of a DDS type name (<c>pkg::msg::dds_::Name_</c>), or the DDS name itself.</summary>
    public static string TypeFromDds(string ddsType)
    {
        var parts = ddsType.Split("::");
        return parts.Length == 4 && parts[2] == "dds_" && parts[3].EndsWith('_') ? $"{parts[0]}/{parts[1]}/{parts[3][..^1]}" : ddsType;
    }

    static ArgumentException Invalid(string name, string why) => new($"invalid ROS name '{name}': {why}");
}
