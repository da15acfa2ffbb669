using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RlRobotics.Mqtt.Fleet;

/// <summary>
/// The signed command format on <c>rlr/&lt;robot&gt;/cmd/&lt;command&gt;</c>:
/// <code>
/// payload = {"body": "&lt;JSON text&gt;", "hmac": "&lt;64 hex digits&gt;"}
/// body    = {"ts_ms": &lt;Unix time, ms&gt;, "nonce": "&lt;16–64 of [0-9A-Za-z_-]&gt;", …the command's fields}
/// hmac    = HMAC-SHA256(robot key, UTF-8(topic + "\n" + body))
/// </code>
/// The body travels as text so the signature covers exactly the bytes that are parsed; the topic is signed too, so a
/// signed <c>mode</c> cannot be replayed as a <c>goal</c> or to another robot.
/// </summary>
public static class SignedCommand
{
    /// <summary>The largest payload accepted, bytes.</summary>
    public const int MaxPayload = 4096;

    /// <summary>Signs <paramref name="fields"/> (a JSON object's members, without ts_ms and nonce) for <paramref name="topic"/>.</summary>
    public static string Create(ReadOnlySpan<byte> key, string topic, IReadOnlyDictionary<string, object?> fields, DateTimeOffset now, string? nonce = null)
    {
        var body = new Dictionary<string, object?> { ["ts_ms"] = now.ToUnixTimeMilliseconds(), ["nonce"] = nonce ?? NewNonce() };
        foreach (var (k, v) in fields) body[k] = v;
        var text = JsonSerializer.Serialize(body);
        return JsonSerializer.Serialize(new Dictionary<string, string> { ["body"] = text, ["hmac"] = Convert.ToHexStringLower(Mac(key, topic, text)) });
    }

    /// <summary>A fresh random nonce (128 bits, hex).</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    internal static byte[] Mac(ReadOnlySpan<byte> key, string topic, string body) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(topic + "\n" + body));
}
