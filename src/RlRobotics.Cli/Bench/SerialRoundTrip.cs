using RlRobotics.Serial.Dynamixel;
using RlRobotics.Serial.Ports;
using RlRobotics.Sim.Serial;

namespace RlRobotics.Cli.Bench;

/// <summary>
/// The serial benchmark's cycle: one sync read (or fast sync read) of current, velocity and position (10 bytes at
/// address 126) from N XM430 servos, then one sync write of their goal positions, through the termios port to a
/// servo-chain double on a socat pseudo-terminal pair. Servos in position mode, return delay 0, as configured by
/// DynamixelSystem.
/// </summary>
public sealed class SerialRoundTrip : IDisposable
{
    private readonly PseudoTerminalPair _pair;
    private readonly ServoChainDouble _chain;
    private readonly TermiosPort _port;
    private readonly byte[] _ids, _data, _errors, _goals;
    private readonly ReadMethod _read;

    public SerialRoundTrip(int servos = 6, ReadMethod read = ReadMethod.Sync)
    {
        _read = read;
        var settings = ServoChainOptions.PositionServos(Enumerable.Range(1, servos).Select(i => (byte)i));
        _pair = PseudoTerminalPair.Start();
        _chain = new ServoChainDouble(new ServoChainOptions { Servos = settings });
        _chain.Start(_pair.DeviceEnd);
        _port = TermiosPort.Open(_pair.DriverEnd, 1_000_000);
        Bus = new DynamixelBus(_port, new DynamixelBusOptions(), ownsPort: false) { TimeoutFloor = TimeSpan.FromMilliseconds(200) };
        _ids = settings.Select(s => s.Id).ToArray();
        foreach (var id in _ids)
            if (!Bus.Write(id, 9, [0]).IsOk) throw new InvalidOperationException($"the double did not take servo {id}'s return delay");
        Bus.TimeoutFloor = TimeSpan.Zero;
        _data = new byte[servos * 10];
        _errors = new byte[servos];
        _goals = new byte[servos * 4];
        for (var i = 0; i < servos; i++) ControlTable.Encode(2048, _goals.AsSpan(4 * i, 4));
    }

    public DynamixelBus Bus { get; }

    /// <summary>Bytes on the wire per cycle, both ways (what a real 1 Mbit/s line would carry).</summary>
    public int WireBytes(ReadMethod read) => (14 + _ids.Length) + (read == ReadMethod.FastSync ? 8 + 14 * _ids.Length : 21 * _ids.Length) + (14 + 5 * _ids.Length);

    /// <summary>One read and one write; false when the read failed.</summary>
    public bool Cycle()
    {
        var r = _read == ReadMethod.FastSync
            ? Bus.FastSyncRead(126, 10, _ids, _data, _errors)
            : Bus.SyncRead(126, 10, _ids, _data, _errors);
        Bus.SyncWrite(116, 4, _ids, _goals);
        return r.IsOk;
    }

    public void Dispose()
    {
        Bus.Dispose();
        _port.Dispose();
        _chain.Dispose();
        _pair.Dispose();
    }
}
