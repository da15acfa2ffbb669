using RlRobotics.Hal.Components;
using RlRobotics.Serial.Dynamixel;

namespace RlRobotics.Sim.Serial;

/// <summary>
/// The simulated bus behind <c>port: simulated</c>: a <see cref="ServoChainDouble"/> on the device end of a socat
/// pseudo-terminal pair, whose driver end the <see cref="DynamixelSystem"/> opens like any serial device.
/// Built (and its <c>simulation</c> settings checked) with the component; started at configure.
/// </summary>
public sealed class SimulatedDynamixelBus : ISimulatedBus
{
    private PseudoTerminalPair? _pair;

    private SimulatedDynamixelBus(ServoChainDouble chain, int baud)
    {
        Chain = chain;
        Baud = baud;
    }

    /// <summary>The servo chain (fault injection, true state).</summary>
    public ServoChainDouble Chain { get; }

    public int Baud { get; }

    /// <summary>The factory <see cref="RlRobotics.Serial.SerialRegistry.AddSerial"/> takes; null when the settings are invalid.</summary>
    public static ISimulatedBus? Create(DynamixelSettings settings, ComponentContext context)
    {
        var options = ServoChainOptions.From(settings, context);
        if (settings.Servos.Count == 0 || context.Spec.Settings.Diagnostics.HasErrors) return null;
        return new SimulatedDynamixelBus(new ServoChainDouble(options), settings.Baud);
    }

    public string Start()
    {
        if (_pair is not null) return _pair.DriverEnd;
        _pair = PseudoTerminalPair.Start();
        try
        {
            Chain.Start(_pair.DeviceEnd, Baud);
        }
        catch
        {
            _pair.Dispose();
            _pair = null;
            throw;
        }
        return _pair.DriverEnd;
    }

    public void Dispose()
    {
        Chain.Stop();
        _pair?.Dispose();
        _pair = null;
    }
}
