namespace RlRobotics.Serial.Dynamixel;

/// <summary>Counters of one bus since it was opened.</summary>
public sealed record BusStatistics
{
    public long Transactions { get; init; }
    /// <summary>Attempts beyond the first (timeouts and CRC errors retried).</summary>
    public long Retries { get; init; }
    public long Timeouts { get; init; }
    public long CrcErrors { get; init; }
    public long Malformed { get; init; }
    public long StatusErrors { get; init; }
    public long HardwareAlerts { get; init; }
    /// <summary>Transactions that failed after every attempt.</summary>
    public long Failures { get; init; }
    public long CircuitOpenings { get; init; }
    /// <summary>Transactions refused while the circuit was open.</summary>
    public long Rejected { get; init; }
    /// <summary>Times the bus waited for a quiet line after a reply went missing (see <see cref="DynamixelBusOptions.LateReplyHorizon"/>).</summary>
    public long QuietWaits { get; init; }
    /// <summary>Bytes that arrived after their deadline and were discarded rather than taken as a later request's reply.</summary>
    public long LateBytes { get; init; }
    public long BytesSent { get; init; }
    public long BytesReceived { get; init; }
}
