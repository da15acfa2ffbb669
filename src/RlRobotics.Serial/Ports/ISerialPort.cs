namespace RlRobotics.Serial.Ports;

/// <summary>
/// A byte stream to a serial bus: raw 8N1, no flow control, no echo. Reads never block past a deadline; the
/// real-time loop uses it, so implementations must not allocate on <see cref="Write"/> or <see cref="Read"/>.
/// The official <c>System.IO.Ports</c> could stand behind this interface where it exists.
/// </summary>
public interface ISerialPort : IDisposable
{
    /// <summary>The device path, e.g. <c>/dev/ttyUSB0</c>.</summary>
    string Path { get; }

    /// <summary>Line rate, bit/s (8N1: 10 bits on the wire per byte).</summary>
    int Baud { get; }

    /// <summary>Whether the driver's low-latency mode is on (FTDI 1 ms latency timer); false on ptys, which have none.</summary>
    bool LowLatency { get; }

    /// <summary>Writes every byte, waiting at most <paramref name="timeout"/> for the driver to take them.</summary>
    /// <exception cref="SerialPortException">The device failed or vanished, or the write timed out.</exception>
    void Write(ReadOnlySpan<byte> data, TimeSpan timeout);

    /// <summary>
    /// Reads what is available into <paramref name="buffer"/>, waiting until at least one byte arrives or the
    /// monotonic <paramref name="deadline"/> (<see cref="System.Diagnostics.Stopwatch"/> ticks) passes, or
    /// <paramref name="cancel"/> is signalled. Returns the number of bytes read, 0 when the wait ended empty.
    /// </summary>
    /// <exception cref="SerialPortException">The device failed or vanished.</exception>
    int Read(Span<byte> buffer, long deadline, CancellationToken cancel = default);

    /// <summary>Discards bytes received but not yet read (stale replies from an earlier transaction).</summary>
    void DiscardInput();
}
