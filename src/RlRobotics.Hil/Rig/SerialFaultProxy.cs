using System.Diagnostics;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Serial.Ports;
using RlRobotics.Sim.Serial;

namespace RlRobotics.Hil.Rig;

/// <summary>Which way a serial fault acts: on the driver's instructions, on the servos' replies, or on both.</summary>
public enum SerialDirection { Both, Instructions, Replies }

/// <summary>
/// A byte-level man in the middle on a Dynamixel bus. The driver under test opens one end of a fresh pseudo-terminal
/// pair, exactly as it would open <c>/dev/ttyUSB0</c>; the proxy copies every byte between the pair's other end and the
/// upstream device (the servo-chain double's pseudo-terminal, or a real adapter), and while a fault is set it corrupts,
/// drops or delays bytes, or swallows every status packet of a servo that has "gone silent". The driver is unmodified:
/// it sees only what a bad cable, a noisy line or an unplugged servo would show it.
/// <para>
/// Byte faults are decided per byte with seeded generators (one per direction), so a run that sends the same bytes
/// meets the same faults. Silence needs the packet boundaries: the reply direction is framed as Protocol 2.0 (header
/// FF FF FD 00, id, length); bytes that are not a packet pass through untouched. Fault settings may change from any
/// thread while the proxy runs.
/// </para>
/// </summary>
public sealed class SerialFaultProxy : ISimulatedBus
{
    private const int Chunk = 1024;
    private readonly Func<string> _upstream;
    private readonly IDisposable? _ownsUpstream;
    private readonly int _baud;
    private readonly Direction _instructions, _replies;
    private PseudoTerminalPair? _pair;
    private ISerialPort? _driverSide, _deviceSide;
    private Thread? _down, _up;
    private volatile bool _stop;

    /// <param name="upstream">Starts (or names) the device the proxy forwards to, and returns its path.</param>
    /// <param name="baud">Line rate of both sides (ptys ignore it; a real adapter does not).</param>
    /// <param name="seed">Seeds the per-byte fault draws.</param>
    /// <param name="ownsUpstream">Disposed with the proxy (the double it fronts), or null.</param>
    public SerialFaultProxy(Func<string> upstream, int baud, int seed, IDisposable? ownsUpstream = null)
    {
        _upstream = upstream;
        _ownsUpstream = ownsUpstream;
        _baud = baud;
        _instructions = new Direction(this, seed * 2 + 1, framed: false);
        _replies = new Direction(this, seed * 2 + 2, framed: true);
    }

    /// <summary>Fronts a simulated bus (the double behind <c>port: simulated</c>); the proxy owns it.</summary>
    public static SerialFaultProxy Around(ISimulatedBus bus, int baud, int seed) => new(bus.Start, baud, seed, bus);

    /// <summary>The double behind the proxy when it fronts one (its true state, its own fault switches), else null.</summary>
    public ServoChainDouble? Chain => (_ownsUpstream as SimulatedDynamixelBus)?.Chain;

    /// <summary>Bytes forwarded, corrupted, dropped and status packets swallowed, both directions together.</summary>
    public (long Forwarded, long Corrupted, long Dropped, long Swallowed) Counters =>
        (_instructions.Forwarded + _replies.Forwarded, _instructions.Corrupted + _replies.Corrupted,
         _instructions.Dropped + _replies.Dropped, _replies.Swallowed);

    /// <summary>The probability that a byte going <paramref name="direction"/> has one bit flipped (0 ends the fault).</summary>
    public void Corrupt(SerialDirection direction, double probability)
    {
        Check(probability);
        foreach (var d in Of(direction)) d.Set(corrupt: probability);
    }

    /// <summary>The probability that a byte going <paramref name="direction"/> is lost (0 ends the fault).</summary>
    public void Drop(SerialDirection direction, double probability)
    {
        Check(probability);
        foreach (var d in Of(direction)) d.Set(drop: probability);
    }

    /// <summary>How long every byte going <paramref name="direction"/> is held back (zero ends the fault).</summary>
    public void Delay(SerialDirection direction, TimeSpan delay)
    {
        foreach (var d in Of(direction)) d.Set(delayTicks: (long)(Math.Max(0, delay.TotalSeconds) * Stopwatch.Frequency));
    }

    private static void Check(double p)
    {
        if (p is < 0 or > 1 || double.IsNaN(p)) throw new ArgumentOutOfRangeException(nameof(p), $"a probability is 0 … 1, got {p}");
    }

    /// <summary>Servo <paramref name="id"/>'s status packets no longer reach the driver (its data line cut), or reach it again.</summary>
    public void SetSilent(byte id, bool silent) => _replies.SetSilent(id, silent);

    /// <summary>Clears every fault the proxy injects.</summary>
    public void Clear()
    {
        foreach (var d in Of(SerialDirection.Both)) d.Set(0, 0, 0);
        _replies.ClearSilent();
    }

    public string Start()
    {
        if (_pair is not null) return _pair.DriverEnd;
        var upstream = _upstream();
        _pair = PseudoTerminalPair.Start();
        try
        {
            _driverSide = TermiosPort.Open(_pair.DeviceEnd, _baud, lowLatency: false);
            _deviceSide = TermiosPort.Open(upstream, _baud);
        }
        catch
        {
            Dispose();
            throw;
        }
        _down = new Thread(() => _instructions.Run(_driverSide, _deviceSide)) { Name = "rlr-serial-proxy-down", IsBackground = true, Priority = ThreadPriority.AboveNormal };
        _up = new Thread(() => _replies.Run(_deviceSide, _driverSide)) { Name = "rlr-serial-proxy-up", IsBackground = true, Priority = ThreadPriority.AboveNormal };
        _down.Start();
        _up.Start();
        return _pair.DriverEnd;
    }

    public void Dispose()
    {
        _stop = true;
        _down?.Join();
        _up?.Join();
        _driverSide?.Dispose();
        _deviceSide?.Dispose();
        _pair?.Dispose();
        _ownsUpstream?.Dispose();
        (_pair, _driverSide, _deviceSide, _down, _up) = (null, null, null, null, null);
    }

    private IEnumerable<Direction> Of(SerialDirection direction) => direction switch
    {
        SerialDirection.Instructions => [_instructions],
        SerialDirection.Replies => [_replies],
        _ => [_instructions, _replies],
    };

    // One direction: reads what arrives, decides each byte's fate, holds bytes until they are due, writes them on.
    private sealed class Direction(SerialFaultProxy proxy, int seed, bool framed)
    {
        private readonly Random _random = new(seed);
        private readonly object _gate = new();
        private double _corrupt, _drop;
        private long _delayTicks;
        private volatile byte[] _silent = [];
        // Bytes waiting to go out, each with the time it is due (a ring; delays hold them here).
        private readonly byte[] _queue = new byte[1 << 16];
        private readonly long[] _due = new long[1 << 16];
        private int _head, _count;
        // Reply framing: bytes of a packet not yet complete.
        private readonly byte[] _frame = new byte[4096];
        private int _frameLength;
        private long _frameStarted;

        public long Forwarded, Corrupted, Dropped, Swallowed;

        public void Set(double? corrupt = null, double? drop = null, long? delayTicks = null)
        {
            lock (_gate) (_corrupt, _drop, _delayTicks) = (corrupt ?? _corrupt, drop ?? _drop, delayTicks ?? _delayTicks);
        }

        public void SetSilent(byte id, bool silent) =>
            _silent = silent ? _silent.Append(id).Distinct().ToArray() : _silent.Where(x => x != id).ToArray();

        public void ClearSilent() => _silent = [];

        public void Run(ISerialPort from, ISerialPort to)
        {
            var buffer = new byte[Chunk];
            var partialTimeout = Stopwatch.Frequency / 200; // 5 ms: a packet cut short still reaches the driver, as it would
            try
            {
                while (!proxy._stop)
                {
                    var now = Stopwatch.GetTimestamp();
                    var wake = now + Stopwatch.Frequency / 1000;
                    if (_count > 0) wake = Math.Min(wake, _due[_head]);
                    if (_frameLength > 0) wake = Math.Min(wake, _frameStarted + partialTimeout);
                    var n = from.Read(buffer, Math.Max(wake, now));
                    now = Stopwatch.GetTimestamp();
                    if (n > 0)
                    {
                        if (framed) Frame(buffer.AsSpan(0, n), now);
                        else Decide(buffer.AsSpan(0, n), now);
                    }
                    if (_frameLength > 0 && now - _frameStarted >= partialTimeout) FlushFrame(now);
                    Send(to, Stopwatch.GetTimestamp());
                }
            }
            catch (SerialPortException)
            {
                // A side closed (the rig is shutting down, or a real adapter was unplugged): the proxy stops forwarding.
            }
        }

        // Protocol 2.0 framing of replies: whole status packets of silent servos are swallowed; everything else goes on.
        private void Frame(ReadOnlySpan<byte> bytes, long now)
        {
            foreach (var b in bytes)
            {
                if (_frameLength == 0) _frameStarted = now;
                if (_frameLength == _frame.Length) FlushFrame(now);
                _frame[_frameLength++] = b;
                // Keep only a possible header prefix in the frame; bytes before it pass through.
                while (_frameLength > 0 && !HeaderPrefix())
                {
                    Decide(_frame.AsSpan(0, 1), now);
                    _frame.AsSpan(1, _frameLength - 1).CopyTo(_frame);
                    _frameLength--;
                }
                if (_frameLength < 7) continue;
                var total = 7 + (_frame[5] | _frame[6] << 8);
                if (total > _frame.Length) { FlushFrame(now); continue; }
                if (_frameLength < total) continue;
                if (Array.IndexOf(_silent, _frame[4]) >= 0) Swallowed++;
                else Decide(_frame.AsSpan(0, total), now);
                _frameLength = 0;
            }
        }

        private bool HeaderPrefix()
        {
            ReadOnlySpan<byte> header = [0xFF, 0xFF, 0xFD, 0x00];
            var n = Math.Min(_frameLength, 4);
            return _frame.AsSpan(0, n).SequenceEqual(header[..n]);
        }

        private void FlushFrame(long now)
        {
            Decide(_frame.AsSpan(0, _frameLength), now);
            _frameLength = 0;
        }

        // Each byte: dropped, flipped or passed on, and due after the delay in effect now.
        private void Decide(ReadOnlySpan<byte> bytes, long now)
        {
            double corrupt, drop;
            long delay;
            lock (_gate) (corrupt, drop, delay) = (_corrupt, _drop, _delayTicks);
            foreach (var original in bytes)
            {
                var b = original;
                if (drop > 0 && _random.NextDouble() < drop) { Dropped++; continue; }
                if (corrupt > 0 && _random.NextDouble() < corrupt) { b ^= (byte)(1 << _random.Next(8)); Corrupted++; }
                if (_count == _queue.Length) throw new InvalidOperationException("serial proxy: more than 64 KiB held back by the delay");
                var tail = (_head + _count) % _queue.Length;
                _queue[tail] = b;
                _due[tail] = now + delay;
                _count++;
            }
        }

        private void Send(ISerialPort to, long now)
        {
            Span<byte> run = stackalloc byte[256];
            while (_count > 0 && _due[_head] <= now)
            {
                var n = 0;
                while (n < run.Length && _count > 0 && _due[_head] <= now)
                {
                    run[n++] = _queue[_head];
                    _head = (_head + 1) % _queue.Length;
                    _count--;
                }
                to.Write(run[..n], TimeSpan.FromMilliseconds(100));
                Forwarded += n;
            }
        }
    }
}
