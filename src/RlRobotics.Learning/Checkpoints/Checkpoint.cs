using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RlRobotics.Learning.Checkpoints;

/// <summary>A named float32 tensor in a checkpoint.</summary>
public sealed record CheckpointTensor(string Name, int[] Shape, float[] Data);

/// <summary>A checkpoint file could not be read; the message says what is wrong and where.</summary>
public sealed class CheckpointException(string message) : Exception(message);

/// <summary>
/// The checkpoint format (version 1), little-endian throughout:
/// <code>
/// offset        size   field
/// 0             8      magic "RLRCKPT\n"
/// 8             4      format version (uint32) = 1
/// 12            4      header length H in bytes (uint32)
/// 16            H      header: UTF-8 JSON {"kind", "metadata": {string: string}, "tensors": [{"name", "shape"}]}
/// 16 + H        4·Σ    tensor data: each tensor's float32 values, row-major, in header order
/// end − 32      32     SHA-256 of every byte before it
/// </code>
/// Shapes, normalisers and settings travel in the header and tensors, so a file describes itself; nothing is
/// serialised by type name (no BinaryFormatter). Float bits are stored as they are, so a round trip is bit-exact.
/// </summary>
public sealed class Checkpoint
{
    public const int FormatVersion = 1;
    private static readonly byte[] Magic = "RLRCKPT\n"u8.ToArray();
    private const int HashSize = 32;
    private const string Corrupted = "checksum mismatch: the file is corrupted (SHA-256 of its contents does not match)";

    public Checkpoint(string kind) => Kind = kind;

    /// <summary>What the file holds, e.g. <c>pets-ensemble</c> or <c>mlp</c>.</summary>
    public string Kind { get; }

    /// <summary>Settings as strings (numbers written round-trippable).</summary>
    public Dictionary<string, string> Metadata { get; } = new();

    public List<CheckpointTensor> Tensors { get; } = new();

    public CheckpointTensor Add(string name, int[] shape, ReadOnlySpan<float> data)
    {
        var count = shape.Aggregate(1, (a, b) => a * b);
        if (count != data.Length) throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape)}] holds {count} values, got {data.Length}");
        var t = new CheckpointTensor(name, shape, data.ToArray());
        Tensors.Add(t);
        return t;
    }

    /// <summary>The tensor called <paramref name="name"/>, with its shape checked.</summary>
    public CheckpointTensor Tensor(string name, params int[] shape)
    {
        var t = Tensors.Find(x => x.Name == name) ?? throw new CheckpointException($"checkpoint has no tensor '{name}'");
        if (shape.Length > 0 && !t.Shape.SequenceEqual(shape))
            throw new CheckpointException($"tensor '{name}' has shape [{string.Join(", ", t.Shape)}], expected [{string.Join(", ", shape)}]");
        return t;
    }

    public string Meta(string key) => Metadata.TryGetValue(key, out var v) ? v : throw new CheckpointException($"checkpoint metadata has no '{key}'");

    public double MetaDouble(string key) =>
        double.TryParse(Meta(key), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v : throw new CheckpointException($"checkpoint metadata '{key}' is not a number: '{Meta(key)}'");

    public byte[] ToBytes()
    {
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteString("kind", Kind);
            json.WriteStartObject("metadata");
            foreach (var (k, v) in Metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(k, v);
            json.WriteEndObject();
            json.WriteStartArray("tensors");
            foreach (var t in Tensors)
            {
                json.WriteStartObject();
                json.WriteString("name", t.Name);
                json.WriteStartArray("shape");
                foreach (var s in t.Shape) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        var headerBytes = header.ToArray();
        var dataBytes = Tensors.Sum(t => (long)t.Data.Length) * 4;
        var total = 16 + headerBytes.Length + dataBytes + HashSize;
        var bytes = new byte[total];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)headerBytes.Length);
        headerBytes.CopyTo(bytes, 16);
        var offset = 16 + headerBytes.Length;
        foreach (var t in Tensors)
            foreach (var v in t.Data) { BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(offset), v); offset += 4; }
        SHA256.HashData(bytes.AsSpan(0, offset), bytes.AsSpan(offset, HashSize));
        return bytes;
    }

    /// <summary>Writes atomically: a temporary file beside the target, then a rename.</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        File.WriteAllBytes(temporary, ToBytes());
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Reads and verifies a checkpoint; <see cref="CheckpointException"/> says why a file is refused.</summary>
    public static Checkpoint Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CheckpointException($"{path}: cannot read checkpoint: {e.Message}"); }
        try { return FromBytes(bytes); }
        catch (CheckpointException e) { throw new CheckpointException($"{path}: {e.Message}"); }
    }

    public static Checkpoint FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 16 + HashSize) throw new CheckpointException($"truncated: {bytes.Length} bytes is shorter than the smallest checkpoint");
        if (!bytes[..8].SequenceEqual(Magic)) throw new CheckpointException("not an RlRobotics checkpoint (the file does not start with \"RLRCKPT\")");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (version != FormatVersion) throw new CheckpointException($"format version {version} is not supported (this build reads version {FormatVersion})");
        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        if (headerLength > bytes.Length - 16 - HashSize) throw new CheckpointException($"truncated: the header claims {headerLength} bytes, the file has {bytes.Length - 16 - HashSize} after the preamble");
        // The hash is checked before the header is trusted; a failed parse of a file whose hash also fails is corruption.
        Span<byte> hash = stackalloc byte[HashSize];
        SHA256.HashData(bytes[..^HashSize], hash);
        var hashMatches = hash.SequenceEqual(bytes[^HashSize..]);
        Checkpoint checkpoint;
        var shapes = new List<(string Name, int[] Shape)>();
        try
        {
            using var doc = JsonDocument.Parse(bytes.Slice(16, (int)headerLength).ToArray());
            var root = doc.RootElement;
            checkpoint = new Checkpoint(root.GetProperty("kind").GetString() ?? "");
            foreach (var p in root.GetProperty("metadata").EnumerateObject()) checkpoint.Metadata[p.Name] = p.Value.GetString() ?? "";
            foreach (var t in root.GetProperty("tensors").EnumerateArray())
            {
                var shape = t.GetProperty("shape").EnumerateArray().Select(s => s.GetInt32()).ToArray();
                if (shape.Any(s => s < 0)) throw new CheckpointException($"tensor '{t.GetProperty("name").GetString()}' has a negative dimension");
                shapes.Add((t.GetProperty("name").GetString() ?? "", shape));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CheckpointException(hashMatches ? $"corrupted header: {e.Message}" : Corrupted);
        }
        long expected = 16 + headerLength + HashSize;
        foreach (var (_, shape) in shapes) expected += 4L * shape.Aggregate(1L, (a, b) => a * b);
        if (bytes.Length != expected)
            throw new CheckpointException(bytes.Length < expected
                ? $"truncated: expected {expected} bytes for the tensors the header lists, found {bytes.Length}"
                : $"{bytes.Length - expected} unexpected bytes after the data (expected {expected} bytes)");
        if (!hashMatches) throw new CheckpointException(Corrupted);
        var offset = 16 + (int)headerLength;
        foreach (var (name, shape) in shapes)
        {
            var count = shape.Aggregate(1, (a, b) => a * b);
            var data = new float[count];
            for (var i = 0; i < count; i++, offset += 4) data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[offset..]);
            checkpoint.Tensors.Add(new CheckpointTensor(name, shape, data));
        }
        return checkpoint;
    }

    /// <summary>SHA-256 of the file's contents (its last 32 bytes), hex: a short identity for logs and reports.</summary>
    public static string Hash(byte[] bytes) => Convert.ToHexString(bytes.AsSpan(bytes.Length - HashSize)).ToLowerInvariant();
}
