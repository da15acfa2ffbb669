using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Serial.Ports;

namespace RlRobotics.Serial.Dynamixel;

/// <summary>A simulated servo chain standing in for the hardware: created (and validated) with the component, started at configure.</summary>
public interface ISimulatedBus : IDisposable
{
    /// <summary>Starts the double; returns the device path the driver opens (one end of a pseudo-terminal pair).</summary>
    string Start();
}

/// <summary>
/// A chain of Dynamixel Protocol 2.0 servos as a ros2_control-style system component (<c>type: dynamixel</c>).
/// <list type="bullet">
/// <item><b>configure</b> opens the port, pings every id and checks its model number, turns torque off, and writes
/// the EEPROM settings that differ (operating mode, return delay, position limits from the joint limits, current
/// limit from the effort limit, velocity limit);</item>
/// <item><b>activate</b> sets each goal to "stay where you are" (present position, zero velocity or current) and
/// enables torque; <b>deactivate</b> disables it;</item>
/// <item>each cycle <b>read</b> is one sync read (or fast sync read) of current, velocity and position (addresses
/// 126 … 135) and <b>write</b> one sync write per command item. Units are converted in <see cref="ServoScale"/>.</item>
/// </list>
/// A failed transaction or an open circuit makes the read <see cref="HardwareResult.Degraded"/>: the safety filter
/// sees stale state and commands safe values that same cycle, and they are still written. A servo raising its
/// alert bit (overload, overheating …: torque is off until a reboot) is an <see cref="HardwareResult.Error"/>.
/// Steady-state reads and writes allocate nothing.
/// </summary>
public sealed class DynamixelSystem : HardwareComponent
{
    public const string TypeName = "dynamixel";

    private const ushort PresentAddress = 126; // Present Current (2) · Present Velocity (4) · Present Position (4)
    private const ushort PresentLength = 10;

    /// <summary>Reply deadline floor outside the loop (configure, activate): factory return delays, 16 ms USB latency.</summary>
    private static readonly TimeSpan BringUpTimeout = TimeSpan.FromMilliseconds(50);

    private readonly DynamixelSettings _settings;
    private readonly IClock _clock;
    private readonly ISimulatedBus? _simulated;
    private readonly ServoSettings[] _servos;
    private readonly byte[] _ids;
    private readonly byte[] _readData;
    private readonly byte[] _readErrors;
    private readonly int[] _statePosition, _stateVelocity, _stateEffort;
    private readonly CommandGroup[] _groups;
    private readonly (int Min, int Max)[] _bounds; // per servo: goal bounds in servo units, from the joint's limits
    private TransactionStatus _lastStatus = TransactionStatus.Ok;
    private byte _lastId = 0xFF;
    private string? _lastFailure;
    private long _degradedReads;
    private DynamixelBus? _bus;
    private StateFrame? _state;
    private CommandFrame? _command;

    /// <summary>Servos commanded through one goal item, written with one sync write.</summary>
    private sealed class CommandGroup
    {
        public required ushort Address;
        public required byte Size;
        public required InterfaceKind Kind;
        public required ServoSettings[] Servos;
        public required byte[] Ids;
        public required byte[] Data;
        public required int[] CommandIndex;
        public required int[] Min, Max; // goal bounds in servo units
    }

    /// <param name="context">The robot and this component's entry.</param>
    /// <param name="simulate">Creates the servo-chain double when the settings say <c>port: simulated</c>; null where no simulation is linked.</param>
    public DynamixelSystem(ComponentContext context, Func<DynamixelSettings, ComponentContext, ISimulatedBus?>? simulate = null)
        : base(context.Spec.Name, TypeName, StateNames(context), CommandNames(context))
    {
        _settings = DynamixelSettings.From(context);
        _clock = context.LoopClock;
        if (_settings.Simulated)
        {
            if (simulate is null) context.Spec.Settings["port"].Error("port: simulated needs the simulation (run through rlr, which links it)");
            else _simulated = simulate(_settings, context);
        }
        _servos = _settings.Servos.ToArray();
        _ids = _servos.Select(s => s.Id).ToArray();
        _readData = new byte[_servos.Length * PresentLength];
        _readErrors = new byte[_servos.Length];
        _statePosition = new int[_servos.Length];
        _stateVelocity = new int[_servos.Length];
        _stateEffort = new int[_servos.Length];
        _bounds = _servos.Select(s => GoalBounds(context.Robot.Joint(s.Joint)!, s)).ToArray();
        _groups = _servos.Where(s => s.Command is not null).GroupBy(s => s.Command!.Value).Select(g =>
        {
            var servos = g.ToArray();
            var item = g.Key switch
            {
                InterfaceKind.Effort => ServoModels.XSeries["Goal Current"],
                InterfaceKind.Velocity => ServoModels.XSeries["Goal Velocity"],
                _ => ServoModels.XSeries["Goal Position"],
            };
            return new CommandGroup
            {
                Address = item.Address, Size = item.Size, Kind = g.Key, Servos = servos,
                Ids = servos.Select(s => s.Id).ToArray(),
                Data = new byte[servos.Length * item.Size],
                CommandIndex = new int[servos.Length],
                Min = servos.Select(s => _bounds[Array.IndexOf(_servos, s)].Min).ToArray(),
                Max = servos.Select(s => _bounds[Array.IndexOf(_servos, s)].Max).ToArray(),
            };
        }).ToArray();
    }

    /// <summary>The validated settings.</summary>
    public DynamixelSettings Settings => _settings;

    /// <summary>Null on a servo double (it moves on the loop's clock); real servos on a port run on real time.</summary>
    public override string? RealTimeOnly => _settings.Simulated ? null : $"'{Name}' drives servos on {_settings.Port}";

    /// <summary>The simulated servo chain behind <c>port: simulated</c>, else null.</summary>
    public ISimulatedBus? Simulation => _simulated;

    /// <summary>The bus while configured (statistics, bring-up), else null.</summary>
    public DynamixelBus? Bus => _bus;

    /// <summary>Reads that returned <see cref="HardwareResult.Degraded"/> (a failed transaction, or the circuit open).</summary>
    public long DegradedReads => Interlocked.Read(ref _degradedReads);

    /// <summary>The port opened at configure (a pseudo-terminal when simulated).</summary>
    public string? PortPath { get; private set; }

    private static IReadOnlyList<string> StateNames(ComponentContext c) =>
        c.Spec.Joints.SelectMany(j => c.Robot.Joint(j)!.StateInterfaces.Select(k => InterfaceName.Of(j, k))).ToList();

    private static IReadOnlyList<string> CommandNames(ComponentContext c) =>
        c.Spec.Joints.SelectMany(j => c.Robot.Joint(j)!.CommandInterfaces.Take(1).Select(k => InterfaceName.Of(j, k))).ToList();

    // Goal bounds in servo units: the joint's limits converted (position limits, effort → current, velocity).
    private static (int Min, int Max) GoalBounds(JointSpec joint, ServoSettings s)
    {
        var l = joint.Limits;
        switch (s.Command)
        {
            case InterfaceKind.Effort:
                var current = l.Effort is { } e ? Math.Abs(s.Scale.CurrentUnits(e)) : ServoModels.XSeries["Current Limit"].Initial;
                return (-current, current);
            case InterfaceKind.Velocity:
                var velocity = l.Velocity is { } v ? Math.Abs(s.Scale.VelocityUnits(v)) : ServoModels.XSeries["Velocity Limit"].Initial;
                return (-velocity, velocity);
            default:
                if (l.PositionMin is not { } lo || l.PositionMax is not { } hi)
                    return s.Mode == OperatingMode.Position ? (0, 4095) : (-1_048_575, 1_048_575);
                var a = s.Scale.PositionTicks(lo);
                var b = s.Scale.PositionTicks(hi);
                return (Math.Min(a, b), Math.Max(a, b));
        }
    }

    public override void Bind(StateFrame state, CommandFrame command)
    {
        (_state, _command) = (state, command);
        for (var i = 0; i < _servos.Length; i++)
        {
            _statePosition[i] = state.IndexOf(InterfaceName.Of(_servos[i].Joint, InterfaceKind.Position));
            _stateVelocity[i] = state.IndexOf(InterfaceName.Of(_servos[i].Joint, InterfaceKind.Velocity));
            _stateEffort[i] = state.IndexOf(InterfaceName.Of(_servos[i].Joint, InterfaceKind.Effort));
        }
        foreach (var g in _groups)
            for (var i = 0; i < g.Servos.Length; i++)
                g.CommandIndex[i] = command.Require(InterfaceName.Of(g.Servos[i].Joint, g.Kind));
    }

    // ---------------------------------------------------------------- lifecycle

    protected override CallbackResult OnConfigure()
    {
        LastError = null;
        string path;
        try
        {
            path = _simulated?.Start() ?? _settings.Port;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            LastError = $"'{Name}': cannot start the simulated servo chain: {ex.Message}";
            return CallbackResult.Failure;
        }
        try
        {
            var port = TermiosPort.Open(path, _settings.Baud);
            _bus = new DynamixelBus(port, _settings.Bus, new ClockTimeProvider(_clock));
            PortPath = path;
        }
        catch (SerialPortException ex)
        {
            LastError = $"'{Name}': {ex.Message}";
            return CallbackResult.Failure;
        }
        if (ConfigureServos() is { } problem)
        {
            LastError = $"'{Name}' on {path}: {problem}";
            CloseBus();
            return CallbackResult.Failure;
        }
        return CallbackResult.Success;
    }

    // Pings and sets up every servo; returns the first problem, or null.
    private string? ConfigureServos()
    {
        var bus = _bus!;
        bus.TimeoutFloor = BringUpTimeout;
        Span<byte> one = stackalloc byte[1];
        foreach (var s in _servos)
        {
            var ping = bus.Ping(s.Id, out var reply);
            if (ping.Status == TransactionStatus.PortError) return $"the serial port failed: {bus.LastPortError}";
            if (!ping.HasData) return $"servo {s.Id} ({s.Joint}) did not answer a ping: {ping.Describe()} (check its id, the baud rate {_settings.Baud} and the power)";
            if (reply.ModelNumber != s.Model.Number)
                return $"servo {s.Id} ({s.Joint}) is a {ServoModels.Describe(reply.ModelNumber)}; the robot file says {s.Model.Name} ({s.Model.Number})";
            var alert = ReadItem(s, "Hardware Error Status", out var hw);
            if (alert is not null) return alert;
            if (hw != 0) return $"servo {s.Id} ({s.Joint}) has a hardware error ({StatusErrors.DescribeHardware((byte)hw)}); fix the cause, then reboot it: rlr dxl reboot --id {s.Id}";
            if (WriteItem(s, "Torque Enable", 0) is { } off) return off;
            var joint = s.Joint;
            var eeprom = new List<(string Item, int Value)>
            {
                ("Operating Mode", (int)s.Mode),
                ("Return Delay Time", (int)(_settings.ReturnDelay_us / 2)),
            };
            // The joint's limits become the servo's own, so it refuses goals beyond them even if rlr did not.
            var (lo, hi) = _bounds[Array.IndexOf(_servos, s)];
            if (s.Command == InterfaceKind.Position && s.Mode == OperatingMode.Position)
            {
                eeprom.Add(("Min Position Limit", Math.Clamp(lo, 0, 4095)));
                eeprom.Add(("Max Position Limit", Math.Clamp(hi, 0, 4095)));
            }
            if (s.Command == InterfaceKind.Effort) eeprom.Add(("Current Limit", Math.Clamp(hi, 0, 2047)));
            if (s.Command == InterfaceKind.Velocity) eeprom.Add(("Velocity Limit", Math.Clamp(hi, 0, 1023)));
            foreach (var (item, value) in eeprom)
            {
                // EEPROM wears: write only what differs.
                if (ReadItem(s, item, out var present) is { } readProblem) return readProblem;
                if (present != value && WriteItem(s, item, value) is { } writeProblem) return $"{writeProblem} (setting up joint '{joint}')";
            }
        }
        return null;
    }

    private string? ReadItem(ServoSettings s, string name, out int value)
    {
        var item = s.Model.Table[name];
        Span<byte> data = stackalloc byte[item.Size];
        var r = _bus!.Read(s.Id, item.Address, data);
        value = r.HasData ? item.Decode(data) : 0;
        return r.HasData ? null : $"servo {s.Id} ({s.Joint}): reading {name} failed: {r.Describe()}";
    }

    private string? WriteItem(ServoSettings s, string name, int value)
    {
        var item = s.Model.Table[name];
        Span<byte> data = stackalloc byte[item.Size];
        ControlTable.Encode(value, data);
        var r = _bus!.Write(s.Id, item.Address, data);
        return r.IsOk ? null : $"servo {s.Id} ({s.Joint}): writing {name} = {value} failed: {r.Describe()}";
    }

    protected override CallbackResult OnActivate()
    {
        _bus!.TimeoutFloor = BringUpTimeout;
        // Goals first, so torque comes on holding still: present position, zero velocity, zero current.
        var read = _bus!.SyncRead(PresentAddress, PresentLength, _ids, _readData, _readErrors);
        if (!read.HasData)
        {
            LastError = $"'{Name}': cannot read the servos before enabling torque: {read.Describe()}";
            return CallbackResult.Failure;
        }
        foreach (var g in _groups)
        {
            for (var i = 0; i < g.Servos.Length; i++)
            {
                var k = Array.IndexOf(_servos, g.Servos[i]);
                var goal = g.Kind == InterfaceKind.Position ? ControlTable.Decode(_readData.AsSpan(k * PresentLength + 6, 4), true) : 0;
                ControlTable.Encode(goal, g.Data.AsSpan(i * g.Size, g.Size));
            }
            _bus.SyncWrite(g.Address, g.Size, g.Ids, g.Data);
        }
        foreach (var s in _servos)
        {
            if (WriteItem(s, "Torque Enable", 1) is { } problem)
            {
                LastError = $"'{Name}': {problem}";
                TorqueOff();
                return CallbackResult.Failure;
            }
        }
        _bus.TimeoutFloor = TimeSpan.Zero; // from here on the loop's deadlines: wire time, return delay, latency
        return CallbackResult.Success;
    }

    protected override CallbackResult OnDeactivate()
    {
        TorqueOff();
        return CallbackResult.Success;
    }

    // Torque off on every servo at once (broadcast-free: a sync write reaches each listed id, no reply needed).
    private void TorqueOff()
    {
        if (_bus is null) return;
        Span<byte> zeros = stackalloc byte[_ids.Length];
        zeros.Clear();
        _bus.SyncWrite(ServoModels.XSeries["Torque Enable"].Address, 1, _ids, zeros);
    }

    protected override CallbackResult OnCleanup()
    {
        CloseBus();
        return CallbackResult.Success;
    }

    protected override void OnShutdown() => CloseBus();

    protected override CallbackResult OnError()
    {
        TorqueOff();
        CloseBus();
        return CallbackResult.Success;
    }

    private void CloseBus()
    {
        _bus?.Dispose();
        _bus = null;
        _simulated?.Dispose();
    }

    // ---------------------------------------------------------------- real time

    public override HardwareResult Read(in CycleTime time)
    {
        var bus = _bus;
        if (bus is null) return HardwareResult.Error;
        var r = _settings.Read == ReadMethod.FastSync
            ? bus.FastSyncRead(PresentAddress, PresentLength, _ids, _readData, _readErrors)
            : bus.SyncRead(PresentAddress, PresentLength, _ids, _readData, _readErrors);
        if (r.HasData)
        {
            var state = _state!.Values;
            for (var i = 0; i < _servos.Length; i++)
            {
                var scale = _servos[i].Scale;
                var d = _readData.AsSpan(i * PresentLength, PresentLength);
                if (_stateEffort[i] >= 0) state[_stateEffort[i]] = scale.Effort_Nm(ControlTable.Decode(d[..2], true));
                if (_stateVelocity[i] >= 0) state[_stateVelocity[i]] = scale.Velocity_radps(ControlTable.Decode(d.Slice(2, 4), true));
                if (_statePosition[i] >= 0) state[_statePosition[i]] = scale.Position_rad(ControlTable.Decode(d.Slice(6, 4), true));
            }
            StateStamp_ns = time.Now_ns;
        }
        if (r.Status == TransactionStatus.HardwareAlert)
        {
            LastError = HardwareFault(r.Id);
            return HardwareResult.Error;
        }
        if (r.IsOk)
        {
            _lastStatus = TransactionStatus.Ok;
            return HardwareResult.Ok;
        }
        // Format the message once per change of cause, not every cycle the bus stays down.
        if (r.Status != _lastStatus || r.Id != _lastId)
        {
            (_lastStatus, _lastId) = (r.Status, r.Id);
            if (r.Status == TransactionStatus.CircuitOpen) LastError = $"'{Name}' on {bus.PortPath}: {r.Describe()}; it opened after: {_lastFailure}";
            else LastError = _lastFailure = $"'{Name}' on {bus.PortPath}: {r.Describe()}{Joint(r.Id)}";
        }
        if (r.Status == TransactionStatus.PortError) return HardwareResult.Error;
        Interlocked.Increment(ref _degradedReads);
        return HardwareResult.Degraded;
    }

    private string Joint(byte id) => _servos.FirstOrDefault(s => s.Id == id) is { } s ? $" (joint '{s.Joint}')" : "";

    // A servo raised its alert bit: name the cause from Hardware Error Status (fault path; allocates).
    private string HardwareFault(byte id)
    {
        var servo = _servos.First(s => s.Id == id);
        var cause = ReadItem(servo, "Hardware Error Status", out var bits) is null ? StatusErrors.DescribeHardware((byte)bits) : "cause unreadable";
        return $"'{Name}': servo {id}{Joint(id)} reports a hardware error: {cause}; its torque is off until it is rebooted (rlr dxl reboot --port {_bus?.PortPath} --id {id})";
    }

    public override HardwareResult Write(in CycleTime time)
    {
        var bus = _bus;
        if (bus is null) return HardwareResult.Error;
        var command = _command!.Values;
        foreach (var g in _groups)
        {
            for (var i = 0; i < g.Servos.Length; i++)
            {
                var scale = g.Servos[i].Scale;
                var value = command[g.CommandIndex[i]];
                var units = g.Kind switch
                {
                    InterfaceKind.Effort => scale.CurrentUnits(value),
                    InterfaceKind.Velocity => scale.VelocityUnits(value),
                    _ => scale.PositionTicks(value),
                };
                ControlTable.Encode(Math.Clamp(units, g.Min[i], g.Max[i]), g.Data.AsSpan(i * g.Size, g.Size));
            }
            if (!bus.SyncWrite(g.Address, g.Size, g.Ids, g.Data).IsOk)
            {
                LastError = $"'{Name}' on {bus.PortPath}: the serial port failed while writing";
                return HardwareResult.Error;
            }
        }
        return HardwareResult.Ok;
    }
}
