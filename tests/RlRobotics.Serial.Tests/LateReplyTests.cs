using System.Diagnostics;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Serial.Ports;

namespace RlRobotics.Serial.Tests;

/// <summary>
/// Late replies: Protocol 2.0 status packets carry no sequence number, so a reply that misses its deadline and lands
/// while a later request waits would pass for that request's answer. The line here is scripted, with times tens of
/// milliseconds apart so that scheduling noise cannot change what the bus sees.
/// </summary>
public sealed class LateReplyTests
{
    static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(50);   // reply deadline ≈ 51 ms
    static readonly TimeSpan Late = TimeSpan.FromMilliseconds(75);     // the first reply: after its deadline, inside the next one

    // Every register reads as its address × 1000, so a reply says which request it answers.
    static int Value(int address) => address * 1000;

    static byte[] Reply(byte id, int address, bool corrupt = false)
    {
        var data = new byte[4];
        ControlTable.Encode(Value(address), data);
        var packet = new byte[32];
        var n = PacketWriter.Status(packet, id, 0, data);
        if (corrupt) packet[n - 4] ^= 0x10; // a data byte: the packet arrives whole but fails its CRC
        return packet[..n];
    }

    // A servo whose first reply is `first` late (or corrupt); every later one comes 0.5 ms after the request.
    static ScriptedLine Servo(TimeSpan first, bool corruptFirst = false)
    {
        var line = new ScriptedLine();
        line.Device = request =>
        {
            var address = request[8] | request[9] << 8;
            return line.Writes == 1 ? [(first, Reply(request[4], address, corruptFirst))] : [(TimeSpan.FromMilliseconds(0.5), Reply(request[4], address))];
        };
        return line;
    }

    static int Read(DynamixelBus bus, ushort address, out TransactionResult result)
    {
        var data = new byte[4];
        result = bus.Read(1, address, data);
        return ControlTable.Decode(data, signed: true);
    }

    [Fact]
    public void Unguarded_a_late_reply_passes_for_the_next_requests_answer()
    {
        // What the guard is for: with it off, the second read returns the first register's value.
        using var line = Servo(Late);
        using var bus = new DynamixelBus(line, new DynamixelBusOptions { Retries = 0, Margin = Margin, LateReplyHorizon = TimeSpan.Zero });
        Read(bus, 116, out var first);
        Assert.Equal(TransactionStatus.Timeout, first.Status);
        var value = Read(bus, 132, out var second);
        Assert.True(second.IsOk, second.Describe());
        Assert.Equal(Value(116), value);                      // stale: the answer to the earlier request
    }

    [Fact]
    public void Guarded_the_bus_waits_for_a_quiet_line_discards_the_late_reply_and_gets_its_own_answer()
    {
        using var line = Servo(Late);
        using var bus = new DynamixelBus(line, new DynamixelBusOptions { Retries = 0, Margin = Margin, LateReplyHorizon = TimeSpan.FromMilliseconds(100) });
        Read(bus, 116, out var first);
        Assert.Equal(TransactionStatus.Timeout, first.Status);
        var value = Read(bus, 132, out var second);
        Assert.True(second.IsOk, second.Describe());
        Assert.Equal(Value(132), value);
        var stats = bus.Statistics;
        Assert.Equal(1, stats.QuietWaits);
        Assert.Equal(Reply(1, 116).Length, stats.LateBytes);  // exactly the late reply was thrown away
        Assert.Equal(2, line.Writes);
    }

    [Fact]
    public void A_retry_after_a_missing_reply_waits_for_the_line_then_asks_again()
    {
        using var line = Servo(Late);
        using var bus = new DynamixelBus(line, new DynamixelBusOptions { Retries = 2, Margin = Margin, LateReplyHorizon = TimeSpan.FromMilliseconds(100) });
        Assert.Equal(Value(116), Read(bus, 116, out var result));
        Assert.True(result.IsOk, result.Describe());
        Assert.Equal((1L, 1L, 2), (bus.Statistics.Timeouts, bus.Statistics.QuietWaits, line.Writes));
    }

    [Fact]
    public void A_reply_that_arrives_corrupt_but_on_time_is_retried_at_once()
    {
        // Every reply is accounted for (one packet, bad CRC): nothing can still be on its way, so no wait.
        using var line = Servo(TimeSpan.FromMilliseconds(0.5), corruptFirst: true);
        using var bus = new DynamixelBus(line, new DynamixelBusOptions { Retries = 1, Margin = Margin, LateReplyHorizon = TimeSpan.FromMilliseconds(100) });
        Assert.Equal(Value(116), Read(bus, 116, out var result));
        Assert.True(result.IsOk, result.Describe());
        Assert.Equal((1L, 0L), (bus.Statistics.CrcErrors, bus.Statistics.QuietWaits));
    }

    [Fact]
    public void A_line_that_never_goes_quiet_sends_nothing_until_it_does()
    {
        // The first request gets no reply, then the line babbles every 10 ms for 0.3 s (a stalled adapter emptying
        // its buffer, a device stuck sending): no request may go out while it does.
        var line = new ScriptedLine();
        line.Device = request =>
        {
            var address = request[8] | request[9] << 8;
            return line.Writes == 1
                ? Enumerable.Range(0, 30).Select(k => (TimeSpan.FromMilliseconds(60 + 10 * k), new byte[] { 0x55 })).ToArray()
                : [(TimeSpan.FromMilliseconds(0.5), Reply(request[4], address))];
        };
        using var _ = line;
        using var bus = new DynamixelBus(line, new DynamixelBusOptions { Retries = 0, Margin = Margin, LateReplyHorizon = TimeSpan.FromMilliseconds(40) });
        Read(bus, 116, out var first);
        Assert.Equal(TransactionStatus.Timeout, first.Status);
        Read(bus, 132, out var second);
        Assert.Equal(TransactionStatus.LineNotQuiet, second.Status);
        Assert.Contains("nothing was sent", second.Describe());
        Assert.Equal(1, line.Writes);
        // Once the babble stops and the line stays quiet for the horizon, requests go out again.
        Assert.Equal(Value(132), Read(bus, 132, out var third));
        Assert.True(third.IsOk, third.Describe());
        Assert.Equal(2, line.Writes);
        Assert.Equal(30, bus.Statistics.LateBytes);
    }

    /// <summary>
    /// The far end of a serial line, scripted: each request written schedules its replies at times after the write.
    /// Bytes arrive in order (a later reply never overtakes an earlier one), and reads wait in real time.
    /// </summary>
    sealed class ScriptedLine : ISerialPort
    {
        readonly object _gate = new();
        readonly List<(long At, byte[] Bytes)> _line = new();

        public Func<byte[], (TimeSpan Delay, byte[] Bytes)[]> Device { get; set; } = _ => [];
        public int Writes { get; private set; }
        public string Path => "scripted";
        public int Baud => 1_000_000;
        public bool LowLatency => true;

        public void Write(ReadOnlySpan<byte> data, TimeSpan timeout)
        {
            var now = Stopwatch.GetTimestamp();
            Writes++;
            foreach (var (delay, bytes) in Device(data.ToArray()))
            {
                lock (_gate)
                {
                    var at = now + (long)(delay.TotalSeconds * Stopwatch.Frequency);
                    _line.Add((_line.Count > 0 ? Math.Max(at, _line[^1].At) : at, bytes));
                }
            }
        }

        public int Read(Span<byte> buffer, long deadline, CancellationToken cancel = default)
        {
            (long At, byte[] Bytes) next;
            lock (_gate)
            {
                if (_line.Count == 0 || _line[0].At > deadline)
                {
                    SleepUntil(deadline);
                    return 0;
                }
                next = _line[0];
            }
            SleepUntil(next.At);
            lock (_gate)
            {
                var n = Math.Min(buffer.Length, next.Bytes.Length);
                next.Bytes.AsSpan(0, n).CopyTo(buffer);
                if (n == next.Bytes.Length) _line.RemoveAt(0);
                else _line[0] = (next.At, next.Bytes[n..]);
                return n;
            }
        }

        public void DiscardInput()
        {
            var now = Stopwatch.GetTimestamp();
            lock (_gate) _line.RemoveAll(b => b.At <= now);
        }

        static void SleepUntil(long at)
        {
            while (Stopwatch.GetTimestamp() < at)
            {
                var ms = (at - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
                if (ms > 1) Thread.Sleep((int)(ms - 1));
                else Thread.SpinWait(50);
            }
        }

        public void Dispose() { }
    }
}
