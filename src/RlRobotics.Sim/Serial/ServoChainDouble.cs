using System.Diagnostics;
using RlRobotics.Core.Dynamics;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Serial.Ports;

namespace RlRobotics.Sim.Serial;

/// <summary>
/// A chain of X-series servos answering Protocol 2.0 on the device end of a pseudo-terminal: the same bytes a
/// real chain would send, to the same driver code. Each servo keeps its control table (<see cref="SimulatedServo"/>)
/// and runs a model of its own loop, and together they move a simulated mechanism:
/// <list type="bullet">
/// <item>current mode: I = Goal Current;</item>
/// <item>velocity mode: I = (Velocity P Gain/128) A·s/rad · (ω* − ω);</item>
/// <item>position modes: I = (Position P Gain/128) A/rad · (θ* − θ) − (0.05 + Position D Gain/1000) A·s/rad · ω;</item>
/// <item>I is limited to Current Limit (and to |Goal Current| in current-based position mode); τ = k_t I, then
/// gearbox friction; no torque while Torque Enable is 0.</item>
/// </list>
/// Motion is integrated (RK4, steps ≤ 1 ms) up to the clock's time whenever an instruction reads the servos, so
/// on a simulated clock a run is deterministic: goals written between two reads act from the first of them.
/// Faults are injected through <see cref="Faults"/>.
/// </summary>
public sealed class ServoChainDouble : IDisposable
{
    private const double MaxStep_s = 1e-3;
    private static readonly ControlItem CurrentLimit = ServoModels.XSeries["Current Limit"], GoalCurrent = ServoModels.XSeries["Goal Current"],
        GoalVelocity = ServoModels.XSeries["Goal Velocity"], GoalPosition = ServoModels.XSeries["Goal Position"],
        VelocityP = ServoModels.XSeries["Velocity P Gain"], PositionP = ServoModels.XSeries["Position P Gain"],
        PositionD = ServoModels.XSeries["Position D Gain"], ReturnDelay = ServoModels.XSeries["Return Delay Time"];

    private readonly ServoChainOptions _options;
    private readonly SimulatedServo[] _servos;
    private readonly ServoScale[] _scales;
    private readonly int[] _joint;          // servo → degree of freedom
    private readonly double[] _x, _xNext, _tau, _current_A;
    private readonly Rk4 _rk4;
    private readonly int _dof;
    private readonly object _gate = new();
    private readonly Random _random;
    private readonly PacketReader _reader = new(4096);
    private readonly byte[] _reply = new byte[PacketWriter.MaxSize(2048)];
    private readonly byte[] _scratch = new byte[2048];
    private long _time_ns = long.MinValue;
    private ISerialPort? _port;
    private Thread? _thread;
    private volatile bool _stop;
    private long _packets, _replies, _dropped, _corrupted, _rejected;

    public ServoChainDouble(ServoChainOptions options)
    {
        _options = options;
        _servos = options.Servos.Select(s => new SimulatedServo(s.Id, s.Model)).ToArray();
        _scales = options.Servos.Select(s => s.Scale).ToArray();
        _dof = options.Model?.Joints.Count ?? _servos.Length;
        _joint = options.Servos.Select((s, i) => options.Model is { } m ? m.Joints.ToList().IndexOf(s.Joint) : i).ToArray();
        if (_joint.Any(j => j < 0))
            throw new ArgumentException($"the model's joints [{string.Join(", ", options.Model!.Joints)}] do not include every servo's joint");
        var size = options.Model?.StateSize ?? 2 * _dof;
        _x = new double[size];
        _xNext = new double[size];
        if (options.InitialState is { } x0)
        {
            if (x0.Length != size) throw new ArgumentException($"initial state: expected {size} numbers, got {x0.Length}");
            x0.CopyTo(_x, 0);
        }
        _tau = new double[_dof];
        _current_A = new double[_servos.Length];
        _rk4 = new Rk4(new Plant(this));
        _random = new Random(options.Seed);
        Faults = new ServoFaults(this);
        UpdatePresent();
    }

    public ServoFaults Faults { get; }

    /// <summary>The servos' memories (for tests and the standalone tool; read while the chain is idle).</summary>
    public IReadOnlyList<SimulatedServo> Servos => _servos;

    /// <summary>True state of the mechanism (positions then velocities, model order).</summary>
    public double[] TrueState
    {
        get { lock (_gate) return (double[])_x.Clone(); }
    }

    public long PacketsHandled => Interlocked.Read(ref _packets);
    public long RepliesSent => Interlocked.Read(ref _replies);
    public long RepliesDropped => Interlocked.Read(ref _dropped);
    public long RepliesCorrupted => Interlocked.Read(ref _corrupted);

    /// <summary>Packets with a valid CRC that the chain could not interpret (dropped without a reply).</summary>
    public long PacketsRejected => Interlocked.Read(ref _rejected);

    /// <summary>Why the chain's thread stopped on its own (the port failed), or null.</summary>
    public string? Fault { get; private set; }

    /// <summary>Opens <paramref name="devicePath"/> (the device end of a pty pair) and answers on a background thread.</summary>
    public void Start(string devicePath, int baud = 1_000_000)
    {
        if (_thread is not null) throw new InvalidOperationException("the servo chain is already running");
        _port = TermiosPort.Open(devicePath, baud, lowLatency: false);
        _stop = false;
        _thread = new Thread(Serve) { Name = "rlr-servo-chain", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Stops answering and closes the port.</summary>
    public void Stop()
    {
        _stop = true;
        _thread?.Join();
        _thread = null;
        _port?.Dispose();
        _port = null;
    }

    public void Dispose() => Stop();

    internal void RaiseHardwareError(byte id, byte bits)
    {
        lock (_gate)
        {
            var s = _servos.FirstOrDefault(x => x.Id == id) ?? throw new ArgumentException($"no servo with id {id} in the chain");
            s.RaiseHardwareError(bits);
        }
    }

    private void Serve()
    {
        var port = _port!;
        try
        {
            while (!_stop)
            {
                var n = port.Read(_reader.WritableSpan, Stopwatch.GetTimestamp() + Stopwatch.Frequency / 20);
                if (n == 0) continue;
                _reader.Commit(n);
                ReadOutcome outcome;
                while ((outcome = _reader.TryRead()) != ReadOutcome.NeedMore)
                {
                    if (outcome != ReadOutcome.Packet) continue; // a corrupted instruction is not acted on
                    Interlocked.Increment(ref _packets);
                    try
                    {
                        lock (_gate) Handle(_reader.Current, port);
                    }
                    catch (Exception ex) when (ex is not SerialPortException)
                    {
                        // A packet the double cannot make sense of is dropped, like a servo would; it never stops the chain.
                        Interlocked.Increment(ref _rejected);
                    }
                }
            }
        }
        catch (SerialPortException ex)
        {
            if (!_stop) Fault = ex.Message;
        }
    }

    // ---------------------------------------------------------------- instructions

    private void Handle(Packet p, ISerialPort port)
    {
        if (p.IsStatus) return; // another device's reply
        var body = p.Body;
        var broadcast = p.Id == 0xFE;
        var target = broadcast ? null : Find(p.Id);
        if (!broadcast && target is null) return;
        switch ((Instruction)p.Instruction)
        {
            case Instruction.Ping:
                Span<byte> ping = stackalloc byte[3];
                foreach (var s in broadcast ? _servos.OrderBy(x => x.Id) : Enumerable.Repeat(target!, 1))
                {
                    ping[0] = (byte)s.Model.Number; ping[1] = (byte)(s.Model.Number >> 8); ping[2] = (byte)s.Get("Firmware Version");
                    Reply(port, s, StatusError.None, ping);
                }
                return;
            case Instruction.Read when body.Length == 4 && target is not null:
            {
                Advance();
                var data = _scratch.AsSpan(0, Math.Min(U16(body, 2), _scratch.Length));
                var e = target.Read(U16(body, 0), data);
                Reply(port, target, e, e == StatusError.None ? data : ReadOnlySpan<byte>.Empty);
                return;
            }
            case Instruction.Write or Instruction.RegWrite when body.Length >= 3:
                foreach (var s in Targets(broadcast, target))
                {
                    var e = (Instruction)p.Instruction == Instruction.Write ? s.Write(U16(body, 0), body[2..]) : s.RegisterWrite(U16(body, 0), body[2..]);
                    if (!broadcast) Reply(port, s, e, ReadOnlySpan<byte>.Empty);
                }
                return;
            case Instruction.Action:
                foreach (var s in Targets(broadcast, target))
                {
                    var e = s.Action();
                    if (!broadcast) Reply(port, s, e, ReadOnlySpan<byte>.Empty);
                }
                return;
            case Instruction.Reboot when target is not null:
                Reply(port, target, StatusError.None, ReadOnlySpan<byte>.Empty);
                target.Reboot();
                UpdatePresent();
                return;
            case Instruction.FactoryReset when body.Length == 1:
                if (broadcast && body[0] == (byte)FactoryResetScope.All) return; // ignored on firmware ≥ 42
                foreach (var s in Targets(broadcast, target))
                {
                    if (!broadcast) Reply(port, s, StatusError.None, ReadOnlySpan<byte>.Empty);
                    s.FactoryDefaults((FactoryResetScope)body[0]);
                }
                return;
            case Instruction.SyncRead when broadcast && body.Length > 4:
                Advance();
                foreach (var id in body[4..])
                    if (Find(id) is { } s) ReplyRead(port, s, U16(body, 0), U16(body, 2));
                return;
            case Instruction.FastSyncRead when broadcast && body.Length > 4:
                Advance();
                FastSyncReply(port, U16(body, 0), U16(body, 2), body[4..]);
                return;
            case Instruction.BulkRead when broadcast && body.Length % 5 == 0 && body.Length > 0:
                Advance();
                for (var i = 0; i < body.Length; i += 5)
                    if (Find(body[i]) is { } s) ReplyRead(port, s, U16(body, i + 1), U16(body, i + 3));
                return;
            case Instruction.SyncWrite when broadcast && body.Length > 4:
            {
                var (address, length) = (U16(body, 0), U16(body, 2));
                for (var i = 4; length > 0 && i + 1 + length <= body.Length; i += 1 + length)
                    Find(body[i])?.Write(address, body.Slice(i + 1, length));
                return;
            }
            case Instruction.BulkWrite when broadcast:
                for (var i = 0; i + 5 <= body.Length;)
                {
                    var length = U16(body, i + 3);
                    if (i + 5 + length > body.Length) break;
                    Find(body[i])?.Write(U16(body, i + 1), body.Slice(i + 5, length));
                    i += 5 + length;
                }
                return;
            default:
                if (target is not null) Reply(port, target, StatusError.InstructionError, ReadOnlySpan<byte>.Empty);
                return;
        }
    }

    private IEnumerable<SimulatedServo> Targets(bool broadcast, SimulatedServo? target) =>
        broadcast ? _servos.Where(s => !Faults.IsSilent(s.Id)) : Enumerable.Repeat(target!, 1);

    private SimulatedServo? Find(byte id)
    {
        foreach (var s in _servos) if (s.Id == id) return Faults.IsSilent(id) ? null : s;
        return null;
    }

    private void ReplyRead(ISerialPort port, SimulatedServo s, int address, int length)
    {
        var data = _scratch.AsSpan(0, Math.Min(length, _scratch.Length));
        var e = s.Read(address, data);
        Reply(port, s, e, e == StatusError.None ? data : ReadOnlySpan<byte>.Empty);
    }

    // Fast Sync Read: one status packet from 0xFE; each device appends [error][id][data][crc]. A silent device
    // breaks the chain, so nothing complete is sent.
    private void FastSyncReply(ISerialPort port, int address, int length, ReadOnlySpan<byte> ids)
    {
        var stride = length + 4;
        if (ids.Length * stride > _scratch.Length) return;
        var body = _scratch.AsSpan(0, ids.Length * stride - 2);
        for (var i = 0; i < ids.Length; i++)
        {
            var s = Find(ids[i]);
            if (s is null) return;
            var block = _scratch.AsSpan(i * stride);
            var e = s.Read(address, block.Slice(2, length));
            block[0] = (byte)((byte)e | s.AlertBits);
            block[1] = s.Id;
            if (i < ids.Length - 1)
            {
                // Each device's CRC covers the packet so far (the last one's is the packet CRC, added by the writer).
                var crc = Crc16.Compute(_scratch.AsSpan(0, i * stride + 2 + length));
                block[2 + length] = (byte)crc;
                block[3 + length] = (byte)(crc >> 8);
            }
            WaitReturnDelay(s);
        }
        var n = PacketWriter.Status(_reply, 0xFE, body[0], body[1..]);
        Send(port, n);
    }

    private void Reply(ISerialPort port, SimulatedServo s, StatusError error, ReadOnlySpan<byte> parameters)
    {
        WaitReturnDelay(s);
        var n = PacketWriter.Status(_reply, s.Id, (byte)((byte)error | s.AlertBits), parameters);
        Send(port, n);
    }

    private void Send(ISerialPort port, int n)
    {
        if (Faults.DropReplyProbability > 0 && _random.NextDouble() < Faults.DropReplyProbability)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        if (Faults.CorruptReplyProbability > 0 && _random.NextDouble() < Faults.CorruptReplyProbability)
        {
            _reply[7 + _random.Next(n - 7)] ^= (byte)(1 << _random.Next(8));
            Interlocked.Increment(ref _corrupted);
        }
        port.Write(_reply.AsSpan(0, n), TimeSpan.FromSeconds(1));
        Interlocked.Increment(ref _replies);
    }

    // Return Delay Time (2 µs per unit) plus any injected delay, spun on the real clock: it is wire timing.
    private void WaitReturnDelay(SimulatedServo s)
    {
        var delay = s.Get(ReturnDelay) * 2e-6 + Faults.ReplyDelay.TotalSeconds;
        if (delay <= 0) return;
        var until = Stopwatch.GetTimestamp() + (long)(delay * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);
    }

    private static int U16(ReadOnlySpan<byte> b, int i) => b[i] | b[i + 1] << 8;

    // ---------------------------------------------------------------- physics

    // Integrates from the last read to the clock's now, then refreshes every servo's present values.
    private void Advance()
    {
        var now = _options.Clock.Now_ns;
        if (_time_ns == long.MinValue) _time_ns = now;
        var dt = (now - _time_ns) * 1e-9;
        if (dt > 0)
        {
            var steps = (int)Math.Ceiling(dt / MaxStep_s - 1e-9);
            var h = dt / steps;
            for (var k = 0; k < steps; k++)
            {
                _rk4.Step(_x, ReadOnlySpan<double>.Empty, h, _xNext);
                _xNext.CopyTo(_x, 0);
            }
            _time_ns = now;
        }
        UpdatePresent();
    }

    private void UpdatePresent()
    {
        Forces(_x, _tau);
        for (var i = 0; i < _servos.Length; i++)
        {
            var j = _joint[i];
            var scale = _scales[i];
            var velocity = _x[_dof + j];
            _servos[i].SetPresent(scale.CurrentUnits(_current_A[i] * _servos[i].Model.TorqueConstant_NmPerA),
                scale.VelocityUnits(velocity), scale.PositionTicks(_x[j]), Math.Abs(velocity) > 0.05);
        }
    }

    // Output torque of every servo at state x, in the joint frame, plus gearbox friction.
    private void Forces(ReadOnlySpan<double> x, Span<double> tau)
    {
        tau.Clear();
        for (var i = 0; i < _servos.Length; i++)
        {
            var s = _servos[i];
            var scale = _scales[i];
            var j = _joint[i];
            var q = x[j];
            var w = x[_dof + j];
            var ampere = 0.0;
            if (s.TorqueOn)
            {
                var limit = scale.Current_A(s.Get(CurrentLimit));
                switch (s.Mode)
                {
                    case OperatingMode.Current:
                        ampere = scale.Direction * scale.Current_A(s.Get(GoalCurrent));
                        break;
                    case OperatingMode.Velocity:
                        ampere = s.Get(VelocityP) / 128.0 * (scale.Velocity_radps(s.Get(GoalVelocity)) - w);
                        break;
                    case OperatingMode.Position or OperatingMode.ExtendedPosition or OperatingMode.CurrentPosition:
                        ampere = s.Get(PositionP) / 128.0 * (scale.Position_rad(s.Get(GoalPosition)) - q)
                                 - (0.05 + s.Get(PositionD) / 1000.0) * w;
                        if (s.Mode == OperatingMode.CurrentPosition) limit = Math.Min(limit, Math.Abs(scale.Current_A(s.Get(GoalCurrent))));
                        break;
                }
                ampere = Math.Clamp(ampere, -limit, limit);
            }
            _current_A[i] = ampere;
            // Coulomb friction smoothed over ±0.01 rad/s so RK4 stays accurate.
            tau[j] += ampere * s.Model.TorqueConstant_NmPerA - _options.Viscous * w - _options.Coulomb * Math.Tanh(w / 0.01);
        }
    }

    /// <summary>The mechanism closed with the servos' own loops, as an autonomous system for RK4.</summary>
    private sealed class Plant(ServoChainDouble chain) : IDynamicsModel
    {
        public int StateSize => chain._x.Length;
        public int ControlSize => 0;
        public IReadOnlyList<string> StateNames => Array.Empty<string>();
        public IReadOnlyList<string> ControlNames => Array.Empty<string>();
        public bool IsPeriodic(int i) => false;

        public void Derivative(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> xdot)
        {
            Span<double> tau = stackalloc double[chain._dof];
            chain.Forces(x, tau);
            if (chain._options.Model is { } model)
            {
                model.DerivativeWithForces(x, tau, xdot);
                return;
            }
            for (var j = 0; j < chain._dof; j++)
            {
                xdot[j] = x[chain._dof + j];
                xdot[chain._dof + j] = tau[j] / chain._options.RotorInertia_kgm2;
            }
        }

        public void Jacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> a, Span<double> b) =>
            throw new NotSupportedException("the servo chain is only integrated, never linearised");
    }
}
