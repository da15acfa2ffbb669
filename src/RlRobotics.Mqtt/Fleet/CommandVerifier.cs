using System.Security.Cryptography;
using System.Text.Json;

namespace RlRobotics.Mqtt.Fleet;

/// <summary>Why a remote command was refused.</summary>
public enum CommandRefusal
{
    None,
    /// <summary>Not the signed-command format, or a field of the wrong type.</summary>
    Malformed,
    /// <summary>No signature.</summary>
    Unsigned,
    /// <summary>A signature that does not match the robot's key.</summary>
    BadSignature,
    /// <summary>Its timestamp is further from the robot's clock than <c>max_age_s</c>.</summary>
    Stale,
    /// <summary>Its nonce was seen within the freshness window.</summary>
    Replayed,
    /// <summary>More distinct commands within the freshness window than the nonce memory holds.</summary>
    Flooded,
    /// <summary>A value outside the robot file's limits, or an unknown goal.</summary>
    OutOfLimits,
    /// <summary>Refused by the robot file (e.g. a remote e-stop release without allow_remote_release).</summary>
    NotAllowed,
    /// <summary>A command this robot does not know.</summary>
    Unknown,
}

/// <summary>The outcome of checking one command: its body when genuine, fresh and new, otherwise why not.</summary>
public readonly record struct CommandCheck(CommandRefusal Refusal, string Reason, JsonElement Body, string? Nonce)
{
    public bool Ok => Refusal == CommandRefusal.None;
    public static CommandCheck Refuse(CommandRefusal refusal, string reason, string? nonce = null) => new(refusal, reason, default, nonce);
}

/// <summary>
/// Authenticates and de-duplicates signed commands (<see cref="SignedCommand"/>): signature first (constant-time
/// comparison), then freshness against the robot's clock, then the nonce against every nonce accepted within the
/// freshness window. Not thread-safe: one MQTT reader calls it.
/// </summary>
public sealed class CommandVerifier
{
    readonly byte[] _key;
    readonly long _maxAge_ms;
    readonly TimeProvider _time;
    readonly int _capacity;
    readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
    readonly Queue<(string Nonce, long Ts)> _order = new();

    public CommandVerifier(byte[] key, TimeSpan maxAge, TimeProvider time, int nonceCapacity = 10_000)
    {
        if (key.Length < 16) throw new ArgumentException("the command key must be at least 16 bytes (32 hex digits)", nameof(key));
        _key = key.ToArray();
        _maxAge_ms = (long)maxAge.TotalMilliseconds;
        _time = time;
        _capacity = nonceCapacity;
    }

    /// <summary>Nonces remembered now.</summary>
    public int Remembered => _seen.Count;

    public CommandCheck Verify(string topic, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > SignedCommand.MaxPayload) return CommandCheck.Refuse(CommandRefusal.Malformed, $"payload of {payload.Length} bytes; at most {SignedCommand.MaxPayload}");
        JsonDocument envelope;
        try { envelope = JsonDocument.Parse(payload.ToArray()); }
        catch (JsonException ex) { return CommandCheck.Refuse(CommandRefusal.Malformed, $"not JSON: {ex.Message}"); }
        using (envelope)
        {
            var root = envelope.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return CommandCheck.Refuse(CommandRefusal.Malformed, "expected a JSON object {\"body\": …, \"hmac\": …}");
            if (!root.TryGetProperty("hmac", out var mac) || mac.ValueKind != JsonValueKind.String || mac.GetString()!.Length == 0)
                return CommandCheck.Refuse(CommandRefusal.Unsigned, "no hmac: every command must be signed with the robot's key");
            if (!root.TryGetProperty("body", out var bodyText) || bodyText.ValueKind != JsonValueKind.String)
                return CommandCheck.Refuse(CommandRefusal.Malformed, "expected \"body\" as a JSON string");
            var text = bodyText.GetString()!;
            var macText = mac.GetString()!;
            if (macText.Length != 64 || !IsHex(macText)) return CommandCheck.Refuse(CommandRefusal.BadSignature, "hmac must be 64 hex digits (HMAC-SHA256)");
            if (!CryptographicOperations.FixedTimeEquals(Convert.FromHexString(macText), SignedCommand.Mac(_key, topic, text)))
                return CommandCheck.Refuse(CommandRefusal.BadSignature, "the signature does not match this robot's key and this topic");

            JsonElement body;
            try
            {
                using var parsed = JsonDocument.Parse(text);
                body = parsed.RootElement.Clone();
            }
            catch (JsonException ex) { return CommandCheck.Refuse(CommandRefusal.Malformed, $"body is not JSON: {ex.Message}"); }
            if (body.ValueKind != JsonValueKind.Object) return CommandCheck.Refuse(CommandRefusal.Malformed, "body must be a JSON object");
            if (!body.TryGetProperty("ts_ms", out var tsElement) || !tsElement.TryGetInt64(out var ts))
                return CommandCheck.Refuse(CommandRefusal.Malformed, "body needs ts_ms, the Unix time in ms");
            if (!body.TryGetProperty("nonce", out var nonceElement) || nonceElement.ValueKind != JsonValueKind.String || !ValidNonce(nonceElement.GetString()!))
                return CommandCheck.Refuse(CommandRefusal.Malformed, "body needs nonce: 16 to 64 characters of [0-9A-Za-z_-]");
            var nonce = nonceElement.GetString()!;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (Math.Abs(now - ts) > _maxAge_ms)
                return CommandCheck.Refuse(CommandRefusal.Stale, $"timestamp {(now - ts) / 1000.0:+0.###;-0.###} s from the robot's clock; at most ±{_maxAge_ms / 1000.0:0.###} s", nonce);
            Forget(now);
            if (_seen.ContainsKey(nonce)) return CommandCheck.Refuse(CommandRefusal.Replayed, $"nonce {nonce} was already used", nonce);
            if (_seen.Count >= _capacity)
                return CommandCheck.Refuse(CommandRefusal.Flooded, $"more than {_capacity} commands within {_maxAge_ms / 1000.0:0.###} s", nonce);
            _seen[nonce] = ts;
            _order.Enqueue((nonce, ts));
            return new CommandCheck(CommandRefusal.None, "", body, nonce);
        }
    }

    // A nonce can be dropped once its command would be stale anyway: nothing older than now − max age is accepted.
    // Timestamps arrive out of order, so entries leave in arrival order only when their own time has passed.
    void Forget(long now_ms)
    {
        var horizon = now_ms - _maxAge_ms;
        var n = _order.Count;
        for (var i = 0; i < n; i++)
        {
            var (nonce, ts) = _order.Dequeue();
            if (ts < horizon) _seen.Remove(nonce);
            else _order.Enqueue((nonce, ts));
        }
    }

    static bool IsHex(string s) => s.All(Uri.IsHexDigit);

    static bool ValidNonce(string s) => s.Length is >= 16 and <= 64 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
