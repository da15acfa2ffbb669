using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Dynamic;
using RlRobotics.Ros2.Messages.Parsing;

namespace RlRobotics.Ros2.Messages.Tests.Cdr;

/// <summary>Mutated samples of every schema must fail only with <see cref="CdrException"/>: never an index, overflow or out-of-memory error.</summary>
public sealed class FuzzTests
{
    private const int Mutations = 100_000;

    [Fact]
    public void MutatedEncodingsOfEverySchemaThrowOnlyCdrException()
    {
        var registry = MessageRegistry.CreateDefault();
        registry.Add("fuzz", "Wide", "bool b\nint8 i8\nuint16 u16\nint64 i64\nfloat32 f\nstring<=4 s\nbool[3] flags\nint16[<=3] shorts\nuint64[] longs\nstring<=2[<=2] tags\n");
        var schemas = registry.Messages.ToList();
        var rng = new Random(12345);
        var samples = schemas.Select(s => (Schema: s, Typed: TypedCatalog.For(s),
            Encodings: Enumerable.Range(0, 4).Select(_ => Encode(RandomMessages.Create(s, rng))).ToList())).ToList();
        var typedInstances = samples.Where(s => s.Typed is not null).ToDictionary(s => s.Schema, s => TypedCatalog.Create(s.Typed!));

        var rejected = 0;
        for (var i = 0; i < Mutations; i++)
        {
            var (schema, typed, encodings) = samples[i % samples.Count];
            var data = Mutate(encodings[rng.Next(encodings.Count)], rng);
            try
            {
                var r = new CdrReader(data);
                DynamicCodec.Read(schema, ref r);
            }
            catch (CdrException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} of {schema.FullName} ({Convert.ToHexString(data)}): dynamic decode threw {e}");
            }
            if (typed is null) continue;
            try
            {
                var r = new CdrReader(data);
                typedInstances[schema].ReadFrom(ref r); // a warm instance, as a subscriber keeps
            }
            catch (CdrException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} of {schema.FullName} ({Convert.ToHexString(data)}): typed decode threw {e}");
            }
        }
        // Sanity: the mutations are not all harmless, nor all fatal.
        Assert.InRange(rejected, Mutations / 10, Mutations - Mutations / 20);
    }

    private static byte[] Encode(DynamicMessage m)
    {
        var w = new CdrWriter();
        DynamicCodec.Write(m, w);
        return w.Written.ToArray();
    }

    private static byte[] Mutate(byte[] source, Random rng)
    {
        var data = (byte[])source.Clone();
        var edits = 1 + rng.Next(3);
        for (var e = 0; e < edits; e++)
        {
            switch (rng.Next(7))
            {
                case 0 when data.Length > 0:
                    data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1 when data.Length > 0:
                    data[rng.Next(data.Length)] = (byte)rng.Next(256);
                    break;
                case 2:
                    Array.Resize(ref data, rng.Next(data.Length + 1));
                    break;
                case 3 when data.Length >= 8:
                {
                    // A hostile uint32 (count or string length) at an aligned payload offset.
                    var at = 4 + 4 * rng.Next((data.Length - 4) / 4);
                    uint[] values = [0, 1, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, (uint)rng.Next(), (uint)rng.Next(64)];
                    BitConverter.GetBytes(values[rng.Next(values.Length)]).CopyTo(data, Math.Min(at, data.Length - 4));
                    break;
                }
                case 4:
                {
                    var extra = new byte[rng.Next(1, 9)];
                    rng.NextBytes(extra);
                    var at = rng.Next(data.Length + 1);
                    data = [.. data.AsSpan(0, at), .. extra, .. data.AsSpan(at)];
                    break;
                }
                case 5 when data.Length >= 2:
                    data[1] = (byte)rng.Next(4); // byte order / representation id
                    break;
                default:
                    if (data.Length > 4) data = [.. data.AsSpan(0, 4), .. data.AsSpan(5)];
                    break;
            }
        }
        return data;
    }
}
