using System.Diagnostics;
using Polly;
using Polly.Retry;
using RlRobotics.Serial.Ports;

namespace RlRobotics.Serial.Dynamixel;

/// <summary>
/// A Dynamixel Protocol 2.0 bus on one serial port: the instructions (ping, read, write, reg write, action,
/// reboot, guarded factory reset, sync/fast sync/bulk read, sync/bulk write) as transactions.
/// <para>
/// Every transaction that expects replies passes the bus's <see cref="CircuitBreaker"/> (its break in loop time,
/// from the injected <see cref="TimeProvider"/>), then runs through a Polly pipeline: a bounded retry of timeouts,
/// CRC errors and malformed replies. Each attempt discards stale input, writes the request and reads replies until
/// its timeout: a monotonic deadline computed from the baud rate, the bytes on the wire, the devices' return delay
/// and the adapter's latency, waited in <c>ppoll</c> to the microsecond. (Polly's timeout strategy cannot express it:
/// its timeouts are 10 ms at the least, and a 6-servo sync read at 1 Mbit/s is due in about 3.) Writes without replies (sync and bulk write) bypass the breaker, so safe
/// commands still reach the devices that answer while the bus rests.
/// </para>
/// <para>
/// Status packets carry no sequence number, so a reply that misses its deadline and arrives while a later request
/// waits would pass for that request's answer. When an attempt ends with a reply unaccounted for (not even a packet
/// with a bad CRC), the line is unsettled: the next attempt (a retry, or the next transaction) first discards what
/// arrives until the line has been quiet for <see cref="DynamixelBusOptions.LateReplyHorizon"/>, and only then sends.
/// The wait gives up after four horizons of traffic (<see cref="TransactionStatus.LineNotQuiet"/>, nothing sent), so a
/// transaction blocks for (retries + 1) × (4 × horizon + reply deadline) at the most; a healthy line never waits.
/// </para>
/// Not thread-safe: one thread (the control loop, or a command-line tool) owns a bus. Transactions allocate nothing.
/// </summary>
public sealed class DynamixelBus : IDisposable
{
    private const int MaxIds = 253;
    private const int MaxBody = 1024;

    private readonly ISerialPort _port;
    private readonly bool _ownsPort;
    private readonly DynamixelBusOptions _options;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<TransactionResult> _pipeline;
    private readonly CircuitBreaker _breaker;
    private readonly PacketReader _reader = new(MaxBody + 16);
    private readonly byte[] _request = new byte[PacketWriter.MaxSize(MaxBody)];
    private readonly byte[] _params = new byte[MaxBody];
    private readonly byte[] _expectIds = new byte[MaxIds];
    private readonly int[] _expectLengths = new int[MaxIds];
    private readonly byte[] _replyData = new byte[MaxBody * 4];
    private readonly byte[] _replyErrors = new byte[MaxIds];
    private readonly bool[] _replied = new bool[MaxIds];
    private readonly byte[] _drain = new byte[256];
    private readonly double _secondsPerByte;

    private int _requestLength;
    private int _expectCount;
    private bool _fastReply;
    private TimeSpan _attemptTimeout;
    private bool _lineUnsettled;      // a reply went missing: it may still arrive, so wait for a quiet line before sending

    private long _transactions, _attempts, _timeouts, _crcErrors, _malformed, _statusErrors, _alerts, _failures, _rejected, _sent, _received;
    private long _quietWaits, _lateBytes;

    /// <param name="port">The serial port; disposed with the bus when <paramref name="ownsPort"/>.</param>
    /// <param name="options">Timing, retries and breaker; validated here.</param>
    /// <param name="time">Time for the circuit breaker's windows (the loop clock); the system clock when null.</param>
    /// <param name="ownsPort">Dispose the port with the bus.</param>
    public DynamixelBus(ISerialPort port, DynamixelBusOptions? options = null, TimeProvider? time = null, bool ownsPort = true)
    {
        _port = port;
        _ownsPort = ownsPort;
        _options = options ?? new DynamixelBusOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _secondsPerByte = 10.0 / port.Baud; // 8N1: start + 8 data + stop bits

        // Retries run on real time: wire timing is physical whatever clock the loop runs on.
        var attempts = new ResiliencePipelineBuilder<TransactionResult> { TimeProvider = TimeProvider.System };
        if (_options.Retries > 0)
        {
            attempts.AddRetry(new RetryStrategyOptions<TransactionResult>
            {
                MaxRetryAttempts = _options.Retries,
                Delay = TimeSpan.Zero,
                BackoffType = DelayBackoffType.Constant,
                ShouldHandle = static args => new ValueTask<bool>(IsTransient(args.Outcome)),
            });
        }

        _pipeline = attempts.Build();
        _breaker = new CircuitBreaker(_options.BreakerFailures, _options.BreakDuration, _time);
    }

    /// <summary>The port's path.</summary>
    public string PortPath => _port.Path;

    public int Baud => _port.Baud;

    public DynamixelBusOptions Options => _options;

    /// <summary>Whether the circuit is open (transactions that expect replies are refused until the break ends).</summary>
    public bool CircuitOpen => _breaker.IsOpen;

    /// <summary>The circuit's state (closed, open, half-open).</summary>
    public CircuitState Circuit => _breaker.State;

    public BusStatistics Statistics => new()
    {
        Transactions = Volatile.Read(ref _transactions),
        Retries = Math.Max(0, Volatile.Read(ref _attempts) - Volatile.Read(ref _transactions) + Volatile.Read(ref _rejected)),
        Timeouts = Volatile.Read(ref _timeouts),
        CrcErrors = Volatile.Read(ref _crcErrors),
        Malformed = Volatile.Read(ref _malformed),
        StatusErrors = Volatile.Read(ref _statusErrors),
        HardwareAlerts = Volatile.Read(ref _alerts),
        Failures = Volatile.Read(ref _failures),
        CircuitOpenings = _breaker.Openings,
        Rejected = Volatile.Read(ref _rejected),
        QuietWaits = Volatile.Read(ref _quietWaits),
        LateBytes = Volatile.Read(ref _lateBytes),
        BytesSent = Volatile.Read(ref _sent),
        BytesReceived = Volatile.Read(ref _received),
    };

    private static bool IsTransient(Outcome<TransactionResult> outcome) =>
        outcome.Exception is null && outcome.Result.Status is TransactionStatus.Timeout or TransactionStatus.CrcError or TransactionStatus.Malformed;

    // ---------------------------------------------------------------- instructions

    /// <summary>Ping: the device's model number and firmware version.</summary>
    public TransactionResult Ping(byte id, out PingReply reply)
    {
        reply = default;
        CheckUnicast(id);
        var r = Transact(id, Instruction.Ping, 0, Single(id, 3));
        if (r.HasData) reply = new PingReply(id, (ushort)(_replyData[0] | _replyData[1] << 8), _replyData[2]);
        return r;
    }

    /// <summary>
    /// Broadcast ping: every device on the bus answers, in ID order. Not for the real-time path (it allocates the
    /// list and waits for all 253 reply slots).
    /// </summary>
    public IReadOnlyList<PingReply> Scan()
    {
        var found = new SortedDictionary<byte, PingReply>();
        _requestLength = PacketWriter.Instruction(_request, 0xFE, Instruction.Ping, ReadOnlySpan<byte>.Empty);
        var timeout = ReplyTimeout(_requestLength, MaxIds * 14, MaxIds);
        _port.DiscardInput();
        _reader.Clear();
        _port.Write(_request.AsSpan(0, _requestLength), WriteTimeout(_requestLength));
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var outcome = _reader.TryRead();
            if (outcome == ReadOutcome.Packet)
            {
                var p = _reader.Current;
                if (p.IsStatus && p.StatusParameters.Length == 3 && p.Id < 0xFD)
                    found[p.Id] = new PingReply(p.Id, (ushort)(p.StatusParameters[0] | p.StatusParameters[1] << 8), p.StatusParameters[2]);
                continue;
            }
            if (outcome == ReadOutcome.CrcError) { _crcErrors++; continue; }
            var n = _port.Read(_reader.WritableSpan, deadline);
            if (n == 0) break;
            _received += n;
            _reader.Commit(n);
        }
        return found.Values.ToList();
    }

    /// <summary>Read: <paramref name="data"/>.Length bytes from <paramref name="address"/> of one device.</summary>
    public TransactionResult Read(byte id, ushort address, Span<byte> data)
    {
        CheckUnicast(id);
        CheckLength(data.Length);
        WriteU16(0, address);
        WriteU16(2, (ushort)data.Length);
        var r = Transact(id, Instruction.Read, 4, Single(id, data.Length));
        if (r.HasData) _replyData.AsSpan(0, data.Length).CopyTo(data);
        return r;
    }

    /// <summary>Write: <paramref name="data"/> at <paramref name="address"/>; waits for the status unless broadcast.</summary>
    public TransactionResult Write(byte id, ushort address, ReadOnlySpan<byte> data) => AddressedWrite(Instruction.Write, id, address, data);

    /// <summary>Reg Write: stores the write until <see cref="Action"/>.</summary>
    public TransactionResult RegWrite(byte id, ushort address, ReadOnlySpan<byte> data) => AddressedWrite(Instruction.RegWrite, id, address, data);

    /// <summary>Action: executes registered writes (broadcast runs them on every device at once).</summary>
    public TransactionResult Action(byte id = 0xFE) => Transact(id, Instruction.Action, 0, id == 0xFE ? 0 : Single(id, 0));

    /// <summary>Reboot: clears a hardware fault (torque is off afterwards).</summary>
    public TransactionResult Reboot(byte id)
    {
        CheckUnicast(id);
        return Transact(id, Instruction.Reboot, 0, Single(id, 0));
    }

    /// <summary>
    /// Factory reset: EEPROM back to factory values (the ID and baud rate too with <see cref="FactoryResetScope.All"/>,
    /// so the device may vanish from this bus). Guarded: refused unless <paramref name="confirm"/>, and never broadcast.
    /// </summary>
    public TransactionResult FactoryReset(byte id, FactoryResetScope scope, bool confirm)
    {
        if (!confirm) throw new InvalidOperationException($"factory reset of id {id} not confirmed: it erases the calibration, limits and mode");
        CheckUnicast(id);
        _params[0] = (byte)scope;
        return Transact(id, Instruction.FactoryReset, 1, Single(id, 0));
    }

    /// <summary>
    /// Sync Read: <paramref name="length"/> bytes at <paramref name="address"/> from each of <paramref name="ids"/>,
    /// into <paramref name="data"/> (ids.Length × length, in ID-list order) and each device's error byte into
    /// <paramref name="errors"/>.
    /// </summary>
    public TransactionResult SyncRead(ushort address, ushort length, ReadOnlySpan<byte> ids, Span<byte> data, Span<byte> errors) =>
        GroupRead(Instruction.SyncRead, address, length, ids, data, errors);

    /// <summary>Fast Sync Read: as <see cref="SyncRead"/>, answered as one status packet (fewer bytes on the wire).</summary>
    public TransactionResult FastSyncRead(ushort address, ushort length, ReadOnlySpan<byte> ids, Span<byte> data, Span<byte> errors) =>
        GroupRead(Instruction.FastSyncRead, address, length, ids, data, errors);

    /// <summary>Sync Write: <paramref name="length"/> bytes at <paramref name="address"/> to each device; no replies.</summary>
    public TransactionResult SyncWrite(ushort address, ushort length, ReadOnlySpan<byte> ids, ReadOnlySpan<byte> data)
    {
        CheckIds(ids);
        CheckLength(length);
        if (data.Length != ids.Length * length) throw new ArgumentException($"sync write of {ids.Length} devices × {length} bytes needs {ids.Length * length} data bytes, got {data.Length}");
        if (4 + ids.Length * (1 + length) > MaxBody) throw new ArgumentException("sync write too long for one packet");
        WriteU16(0, address);
        WriteU16(2, length);
        var p = 4;
        for (var i = 0; i < ids.Length; i++)
        {
            _params[p++] = ids[i];
            data.Slice(i * length, length).CopyTo(_params.AsSpan(p));
            p += length;
        }
        return Send(Instruction.SyncWrite, p);
    }

    /// <summary>Bulk Read: per device its own address and length (each ID once), into <paramref name="data"/> back to back.</summary>
    public TransactionResult BulkRead(ReadOnlySpan<BulkItem> items, Span<byte> data, Span<byte> errors)
    {
        if (items.Length == 0 || items.Length > MaxIds) throw new ArgumentException($"bulk read of 1 … {MaxIds} devices, got {items.Length}");
        var total = 0;
        var p = 0;
        for (var i = 0; i < items.Length; i++)
        {
            var it = items[i];
            CheckUnicast(it.Id);
            CheckLength(it.Length);
            for (var k = 0; k < i; k++)
                if (items[k].Id == it.Id) throw new ArgumentException($"bulk read lists id {it.Id} twice; each device at most once");
            _params[p++] = it.Id;
            WriteU16(p, it.Address); p += 2;
            WriteU16(p, it.Length); p += 2;
            _expectIds[i] = it.Id;
            _expectLengths[i] = it.Length;
            total += it.Length;
        }
        if (data.Length < total) throw new ArgumentException($"bulk read needs {total} data bytes, got {data.Length}");
        _expectCount = items.Length;
        _fastReply = false;
        var r = Transact(0xFE, Instruction.BulkRead, p, items.Length);
        if (r.HasData) CopyReplies(data, errors);
        return r;
    }

    /// <summary>Bulk Write: per device its own address, length and data (<paramref name="data"/> back to back); no replies.</summary>
    public TransactionResult BulkWrite(ReadOnlySpan<BulkItem> items, ReadOnlySpan<byte> data)
    {
        if (items.Length == 0 || items.Length > MaxIds) throw new ArgumentException($"bulk write of 1 … {MaxIds} devices, got {items.Length}");
        var p = 0;
        var offset = 0;
        foreach (var it in items)
        {
            CheckUnicast(it.Id);
            CheckLength(it.Length);
            if (offset + it.Length > data.Length) throw new ArgumentException("bulk write data shorter than its items");
            if (p + 5 + it.Length > MaxBody) throw new ArgumentException("bulk write too long for one packet");
            _params[p++] = it.Id;
            WriteU16(p, it.Address); p += 2;
            WriteU16(p, it.Length); p += 2;
            data.Slice(offset, it.Length).CopyTo(_params.AsSpan(p));
            p += it.Length;
            offset += it.Length;
        }
        return Send(Instruction.BulkWrite, p);
    }

    // ---------------------------------------------------------------- transactions

    private TransactionResult AddressedWrite(Instruction instruction, byte id, ushort address, ReadOnlySpan<byte> data)
    {
        if (id > 0xFE || id is 0xFD) throw new ArgumentException($"id {id} is not 0 … 252 or broadcast (254)");
        if (data.Length + 2 > MaxBody) throw new ArgumentException("write too long for one packet");
        WriteU16(0, address);
        data.CopyTo(_params.AsSpan(2));
        return id == 0xFE ? Send(instruction, 2 + data.Length) : Transact(id, instruction, 2 + data.Length, Single(id, 0));
    }

    private TransactionResult GroupRead(Instruction instruction, ushort address, ushort length, ReadOnlySpan<byte> ids, Span<byte> data, Span<byte> errors)
    {
        CheckIds(ids);
        CheckLength(length);
        if (data.Length < ids.Length * length) throw new ArgumentException($"sync read of {ids.Length} devices × {length} bytes needs {ids.Length * length} data bytes, got {data.Length}");
        WriteU16(0, address);
        WriteU16(2, length);
        ids.CopyTo(_params.AsSpan(4));
        for (var i = 0; i < ids.Length; i++)
        {
            _expectIds[i] = ids[i];
            _expectLengths[i] = length;
        }
        _expectCount = ids.Length;
        _fastReply = instruction == Instruction.FastSyncRead;
        var r = Transact(0xFE, instruction, 4 + ids.Length, ids.Length);
        if (r.HasData) CopyReplies(data, errors);
        return r;
    }

    private void CopyReplies(Span<byte> data, Span<byte> errors)
    {
        var offset = 0;
        for (var i = 0; i < _expectCount; i++)
        {
            _replyData.AsSpan(offset, _expectLengths[i]).CopyTo(data[offset..]);
            offset += _expectLengths[i];
            if (i < errors.Length) errors[i] = _replyErrors[i];
        }
    }

    // Expects one reply of `length` parameter bytes from `id`; returns the number of replies (1).
    private int Single(byte id, int length)
    {
        _expectIds[0] = id;
        _expectLengths[0] = length;
        _expectCount = 1;
        _fastReply = false;
        return 1;
    }

    private TransactionResult Send(Instruction instruction, int parameterLength)
    {
        _requestLength = PacketWriter.Instruction(_request, 0xFE, instruction, _params.AsSpan(0, parameterLength));
        try
        {
            _port.Write(_request.AsSpan(0, _requestLength), WriteTimeout(_requestLength));
            _sent += _requestLength;
            return new TransactionResult(TransactionStatus.Ok);
        }
        catch (SerialPortException ex)
        {
            return PortFailure(ex);
        }
    }

    private TransactionResult Transact(byte id, Instruction instruction, int parameterLength, int replies)
    {
        if (replies == 0)
        {
            _expectCount = 0;
            return Send(instruction, parameterLength);
        }
        _requestLength = PacketWriter.Instruction(_request, id, instruction, _params.AsSpan(0, parameterLength));
        _transactions++;
        if (!_breaker.Allow())
        {
            _rejected++;
            return new TransactionResult(TransactionStatus.CircuitOpen);
        }
        var replyBytes = 0;
        for (var i = 0; i < _expectCount; i++) replyBytes += _fastReply ? _expectLengths[i] + 4 : 11 + _expectLengths[i] * 4 / 3 + 1;
        if (_fastReply) replyBytes += 7;
        _attemptTimeout = ReplyTimeout(_requestLength, replyBytes, replies);

        var context = ResilienceContextPool.Shared.Get();
        Outcome<TransactionResult> outcome;
        try
        {
            outcome = _pipeline.ExecuteOutcomeAsync(
                static (ctx, bus) => new ValueTask<Outcome<TransactionResult>>(bus.Attempt(ctx.CancellationToken)),
                context, this).GetAwaiter().GetResult();
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
        var result = outcome.Exception switch
        {
            null => outcome.Result,
            _ => PortFailure(outcome.Exception),
        };
        // A device that answers, even with an error number, shows the bus works; silence and garbage do not.
        if (result.HasData || result.Status == TransactionStatus.StatusError) _breaker.Success();
        else
        {
            _failures++;
            _breaker.Failure();
        }
        return result;
    }

    private TransactionResult PortFailure(Exception ex)
    {
        LastPortError = ex.Message;
        return new TransactionResult(TransactionStatus.PortError);
    }

    /// <summary>What the serial port said when a transaction last ended in <see cref="TransactionStatus.PortError"/>.</summary>
    public string? LastPortError { get; private set; }

    /// <summary>
    /// Reply deadline: bytes on the wire at 10 bits each, one return delay per reply, the adapter's latency out
    /// and back, and the margin.
    /// </summary>
    internal TimeSpan ReplyTimeout(int requestBytes, int replyBytes, int replies)
    {
        var wire = TimeSpan.FromSeconds((requestBytes + replyBytes) * _secondsPerByte + replies * _options.ReturnDelay_us * 1e-6)
                   + 2 * _options.AdapterLatency + _options.Margin;
        return wire > TimeoutFloor ? wire : TimeoutFloor;
    }

    /// <summary>
    /// The shortest reply deadline (zero by default). Bring-up raises it: before configuration the servos may still
    /// have their factory return delay (500 µs) and the adapter its 16 ms latency timer.
    /// </summary>
    public TimeSpan TimeoutFloor { get; set; }

    private TimeSpan WriteTimeout(int bytes) => TimeSpan.FromSeconds(bytes * _secondsPerByte) + TimeSpan.FromMilliseconds(20);

    // One attempt: settle the line if a reply went missing, discard stale input, send, collect every expected reply
    // before the deadline.
    private Outcome<TransactionResult> Attempt(CancellationToken cancel)
    {
        var sawCrc = false;
        var malformedId = (byte)0;
        var sawMalformed = false;
        var packets = 0; // replies accounted for: taken, or arrived whole with a bad CRC
        try
        {
            if (_lineUnsettled)
            {
                if (!WaitForQuietLine(cancel)) return Outcome.FromResult(new TransactionResult(TransactionStatus.LineNotQuiet));
            }
            _attempts++;
            _port.DiscardInput();
            _reader.Clear();
            Array.Clear(_replied, 0, _expectCount);
            _port.Write(_request.AsSpan(0, _requestLength), WriteTimeout(_requestLength));
            _sent += _requestLength;
            var deadline = Stopwatch.GetTimestamp() + (long)(_attemptTimeout.TotalSeconds * Stopwatch.Frequency);
            var got = 0;
            while (got < _expectCount)
            {
                var outcome = _reader.TryRead();
                if (outcome == ReadOutcome.Packet)
                {
                    var accepted = _fastReply ? AcceptFast(_reader.Current) : Accept(_reader.Current);
                    if (accepted > 0) { got += accepted; packets++; }
                    else if (accepted < 0) { sawMalformed = true; malformedId = _reader.Current.Id; } // not ours: it accounts for nothing
                    continue;
                }
                if (outcome == ReadOutcome.CrcError)
                {
                    _crcErrors++;
                    sawCrc = true;
                    packets++;
                    continue;
                }
                var n = _port.Read(_reader.WritableSpan, deadline, cancel);
                if (n == 0)
                {
                    // Fewer packets than replies: one is missing, and may yet arrive during a later request.
                    if (packets < (_fastReply ? 1 : _expectCount) && _options.LateReplyHorizon > TimeSpan.Zero) _lineUnsettled = true;
                    if (sawCrc) return Outcome.FromResult(new TransactionResult(TransactionStatus.CrcError, FirstMissing()));
                    if (sawMalformed) { _malformed++; return Outcome.FromResult(new TransactionResult(TransactionStatus.Malformed, malformedId)); }
                    _timeouts++;
                    return Outcome.FromResult(new TransactionResult(TransactionStatus.Timeout, FirstMissing()));
                }
                _received += n;
                _reader.Commit(n);
            }
        }
        catch (SerialPortException ex)
        {
            return Outcome.FromException<TransactionResult>(ex);
        }
        for (var i = 0; i < _expectCount; i++)
        {
            var e = _replyErrors[i];
            if (StatusErrors.Code(e) != StatusError.None)
            {
                _statusErrors++;
                return Outcome.FromResult(new TransactionResult(TransactionStatus.StatusError, _expectIds[i], e));
            }
        }
        for (var i = 0; i < _expectCount; i++)
        {
            if (StatusErrors.Alert(_replyErrors[i]))
            {
                _alerts++;
                return Outcome.FromResult(new TransactionResult(TransactionStatus.HardwareAlert, _expectIds[i], _replyErrors[i]));
            }
        }
        return Outcome.FromResult(new TransactionResult(TransactionStatus.Ok));
    }

    // Discards whatever arrives until the line has been quiet for the horizon, so that a late reply cannot pass for
    // the answer to the request that follows; false when traffic went on for four horizons (nothing is sent then).
    private bool WaitForQuietLine(CancellationToken cancel)
    {
        _quietWaits++;
        var horizon = (long)(_options.LateReplyHorizon.TotalSeconds * Stopwatch.Frequency);
        var giveUp = Stopwatch.GetTimestamp() + 4 * horizon;
        while (true)
        {
            var n = _port.Read(_drain, Stopwatch.GetTimestamp() + horizon, cancel);
            if (n == 0)
            {
                _lineUnsettled = false;
                return true;
            }
            _lateBytes += n;
            _received += n;
            if (Stopwatch.GetTimestamp() > giveUp) return false;
        }
    }

    // Stores a status packet for an expected device: 1 when taken, 0 when ignored (an echo of our request, a
    // duplicate), −1 when it is malformed (an unexpected ID or the wrong length).
    private int Accept(Packet p)
    {
        if (!p.IsStatus) return 0;
        var offset = 0;
        for (var i = 0; i < _expectCount; i++)
        {
            if (_expectIds[i] == p.Id && !_replied[i])
            {
                var length = _expectLengths[i];
                var parameters = p.StatusParameters;
                // Errors other than an alert come without data; a reply that carries data must carry it all.
                if (p.Body.Length == 0 || parameters.Length != length && !(parameters.Length == 0 && StatusErrors.Code(p.Error) != StatusError.None))
                    return -1;
                parameters.CopyTo(_replyData.AsSpan(offset));
                _replyErrors[i] = p.Error;
                _replied[i] = true;
                return 1;
            }
            offset += _expectLengths[i];
        }
        return -1;
    }

    // A fast sync read reply: one packet from 0xFE chaining [error][id][data][crc] blocks; the last block's CRC
    // is the packet's own.
    private int AcceptFast(Packet p)
    {
        if (!p.IsStatus) return 0;
        if (p.Id != 0xFE) return -1;
        var body = p.Body;
        var length = _expectLengths[0];
        var stride = length + 4;
        if (body.Length != _expectCount * stride - 2) return -1;
        for (var i = 0; i < _expectCount; i++)
        {
            var block = body.Slice(i * stride);
            if (block[1] != _expectIds[i]) return -1;
            _replyErrors[i] = block[0];
            block.Slice(2, length).CopyTo(_replyData.AsSpan(i * length));
            _replied[i] = true;
        }
        return _expectCount;
    }

    private byte FirstMissing()
    {
        for (var i = 0; i < _expectCount; i++) if (!_replied[i]) return _expectIds[i];
        return 0xFF;
    }

    private void WriteU16(int offset, ushort value)
    {
        _params[offset] = (byte)value;
        _params[offset + 1] = (byte)(value >> 8);
    }

    private static void CheckUnicast(byte id)
    {
        if (id > 252) throw new ArgumentException($"id {id} is not a device id (0 … 252)");
    }

    private static void CheckIds(ReadOnlySpan<byte> ids)
    {
        if (ids.Length == 0 || ids.Length > MaxIds) throw new ArgumentException($"expected 1 … {MaxIds} ids, got {ids.Length}");
        foreach (var id in ids) CheckUnicast(id);
    }

    private static void CheckLength(int length)
    {
        if (length is < 1 or > 256) throw new ArgumentException($"expected a data length of 1 … 256 bytes, got {length}");
    }

    public void Dispose()
    {
        if (_ownsPort) _port.Dispose();
    }
}
