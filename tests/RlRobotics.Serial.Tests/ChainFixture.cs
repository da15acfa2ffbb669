using RlRobotics.Core.Time;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Serial.Ports;
using RlRobotics.Sim.Serial;

namespace RlRobotics.Serial.Tests;

/// <summary>
/// A servo-chain double of N XM430s (ids 1 … count, independent rotors) on a fresh socat
/// pseudo-terminal pair, and a bus on the driver end. Every test gets its own pair; disposing stops socat.
/// </summary>
internal sealed class Chain : IDisposable
{
    public Chain(int count = 2, DynamixelBusOptions? options = null, IClock? clock = null, int seed = 1, TimeProvider? breakerTime = null)
    {
        Pair = PseudoTerminalPair.Start();
        Servos = ServoChainOptions.PositionServos(Enumerable.Range(1, count).Select(i => (byte)i));
        Double = new ServoChainDouble(new ServoChainOptions { Servos = Servos, Clock = clock ?? new SimulatedClock(), Seed = seed });
        Double.Start(Pair.DeviceEnd);
        Port = TermiosPort.Open(Pair.DriverEnd, 1_000_000);
        Bus = new DynamixelBus(Port, options ?? new DynamixelBusOptions(), breakerTime, ownsPort: false);
        // The double's first replies wait on JIT compilation; give bring-up time, as the driver does at configure.
        Bus.TimeoutFloor = TimeSpan.FromMilliseconds(200);
        Assert.True(Bus.Ping(1, out _).IsOk);
        // Return Delay Time 0 (factory: 500 µs per reply), as the driver sets it at configure.
        foreach (var s in Servos) Assert.True(Bus.Write(s.Id, 9, [0]).IsOk);
        Bus.TimeoutFloor = TimeSpan.FromMilliseconds(20);
    }

    public PseudoTerminalPair Pair { get; }
    public IReadOnlyList<ServoSettings> Servos { get; }
    public ServoChainDouble Double { get; }
    public TermiosPort Port { get; }
    public DynamixelBus Bus { get; }

    public byte[] Ids => Servos.Select(s => s.Id).ToArray();

    public void Dispose()
    {
        Bus.Dispose();
        Port.Dispose();
        Double.Dispose();
        Pair.Dispose();
    }
}
