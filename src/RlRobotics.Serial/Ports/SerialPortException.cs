namespace RlRobotics.Serial.Ports;

/// <summary>A serial device could not be opened, configured, read or written; the message says which and why.</summary>
public sealed class SerialPortException(string message, int errno = 0) : IOException(message)
{
    /// <summary>The libc errno behind the failure, 0 when none.</summary>
    public int Errno { get; } = errno;
}
